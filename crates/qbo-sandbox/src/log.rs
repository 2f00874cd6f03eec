//! The request log and counters the inspection API shows.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One answered request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedRequest {
    /// Position in the log since start (or the last reset).
    pub seq: u64,
    /// When it was answered (sandbox clock, RFC 3339).
    pub at: String,
    /// HTTP method.
    pub method: String,
    /// Path.
    pub path: String,
    /// Query string, if any.
    pub query: Option<String>,
    /// The company, for v3 API calls.
    pub realm: Option<String>,
    /// The `requestid` query parameter.
    pub request_id: Option<String>,
    /// HTTP status (0 when the connection was cut).
    pub status: u16,
    /// The `intuit_tid` header sent.
    pub intuit_tid: String,
    /// The answer was a `requestid` replay.
    pub replayed: bool,
    /// The first fault code of a fault answer.
    pub fault_code: Option<String>,
    /// The injected failure, if any (`error`, `drop`, `after_commit`, `latency`).
    pub chaos: Option<String>,
    /// Time taken, in microseconds.
    pub micros: u64,
}

/// What a handler tells the logging middleware about its answer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Note {
    pub realm: Option<String>,
    pub request_id: Option<String>,
    pub replayed: bool,
    pub fault_code: Option<String>,
    pub chaos: Option<&'static str>,
    pub dropped: bool,
}

/// The path and query of a request, in one allocation.
#[derive(Debug, Default)]
pub(crate) struct Target {
    /// `path?query` (or just the path).
    text: Box<str>,
    /// Where the path ends (the `?`, or the end).
    path_len: usize,
}

impl Target {
    pub(crate) fn of(uri: &http::Uri) -> Self {
        let path = uri.path();
        match uri.query() {
            Some(query) => {
                let mut text = String::with_capacity(path.len() + 1 + query.len());
                text.push_str(path);
                text.push('?');
                text.push_str(query);
                Self {
                    text: text.into_boxed_str(),
                    path_len: path.len(),
                }
            }
            None => Self {
                text: path.into(),
                path_len: path.len(),
            },
        }
    }

    fn path(&self) -> &str {
        self.text.get(..self.path_len).unwrap_or_default()
    }

    fn query(&self) -> Option<&str> {
        self.text.get(self.path_len + 1..)
    }
}

/// An answer's `intuit_tid`, kept as its number and written out when sent or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tid(pub u64);

/// SplitMix64.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Tid {
    /// `1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx` (lower-case hex).
    pub(crate) fn text(self) -> [u8; 35] {
        let a = mix(self.0);
        let b = mix(a);
        let mut out = [b'-'; 35];
        out[0] = b'1';
        let mut put = |at: usize, value: u64, digits: usize| {
            for i in 0..digits {
                let shift = 4 * (digits - 1 - i);
                let nibble = u32::try_from((value >> shift) & 0xf).unwrap_or(0);
                // An ASCII hex digit, so the conversion cannot fail.
                out[at + i] =
                    u8::try_from(char::from_digit(nibble, 16).unwrap_or('0')).unwrap_or(b'0');
            }
        };
        put(2, a >> 32, 8);
        put(11, b, 16);
        put(27, a & 0xffff_ffff, 8);
        out
    }

    fn to_text(self) -> String {
        String::from_utf8_lossy(&self.text()).into_owned()
    }
}

/// One answered request as kept: written out as a [`LoggedRequest`] only when read.
#[derive(Debug)]
pub(crate) struct Entry {
    pub at: DateTime<Utc>,
    pub method: http::Method,
    pub target: Target,
    pub note: Note,
    pub status: u16,
    pub intuit_tid: Tid,
    pub micros: u64,
}

/// A bounded log of the latest requests.
#[derive(Debug)]
pub(crate) struct RequestLog {
    capacity: usize,
    next: u64,
    entries: VecDeque<(u64, Entry)>,
}

impl RequestLog {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            next: 0,
            entries: VecDeque::with_capacity(capacity.min(1024)),
        }
    }

    pub(crate) fn push(&mut self, entry: Entry) {
        if self.capacity == 0 {
            return;
        }
        self.next += 1;
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back((self.next, entry));
    }

    /// The last `limit` entries, oldest first.
    pub(crate) fn last(&self, limit: usize) -> Vec<LoggedRequest> {
        let skip = self.entries.len().saturating_sub(limit);
        self.entries
            .iter()
            .skip(skip)
            .map(|(seq, e)| LoggedRequest {
                seq: *seq,
                at: e.at.to_rfc3339(),
                method: e.method.to_string(),
                path: e.target.path().to_owned(),
                query: e.target.query().map(str::to_owned),
                realm: e.note.realm.clone(),
                request_id: e.note.request_id.clone(),
                status: if e.note.dropped { 0 } else { e.status },
                intuit_tid: e.intuit_tid.to_text(),
                replayed: e.note.replayed,
                fault_code: e.note.fault_code.clone(),
                chaos: e.note.chaos.map(str::to_owned),
                micros: e.micros,
            })
            .collect()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.next = 0;
    }
}

macro_rules! counters {
    ($($(#[$meta:meta])* $name:ident),* $(,)?) => {
        /// Counts of what the sandbox did since start (or the last reset).
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct Counters {
            $($(#[$meta])* pub $name: u64,)*
        }

        #[derive(Debug, Default)]
        pub(crate) struct CounterSet {
            $(pub $name: AtomicU64,)*
        }

        impl CounterSet {
            pub(crate) fn snapshot(&self) -> Counters {
                Counters { $($name: self.$name.load(Ordering::Relaxed),)* }
            }

            pub(crate) fn clear(&self) {
                $(self.$name.store(0, Ordering::Relaxed);)*
            }
        }
    };
}

counters! {
    /// Every request answered.
    requests,
    /// v3 API requests.
    api_requests,
    /// Requests to the OAuth endpoints.
    oauth_requests,
    /// Entities created (batch items included).
    creates,
    /// Entities updated.
    updates,
    /// Transactions deleted.
    deletes,
    /// Transactions voided.
    voids,
    /// Reads by id.
    reads,
    /// Queries run (batch items included).
    queries,
    /// Batch requests.
    batches,
    /// Change-data-capture requests.
    cdc,
    /// Answers replayed for a repeated `requestid`.
    replays,
    /// Requests refused with 429.
    throttled,
    /// Fault answers (HTTP 4xx/5xx from the API, and batch item faults).
    faults,
    /// Injected 5xx answers.
    chaos_errors,
    /// Injected cut connections.
    chaos_drops,
    /// Writes applied and then answered with a failure.
    chaos_after_commit,
    /// Connections made (authorization codes exchanged and tokens issued directly).
    grants,
    /// Successful refreshes.
    refreshes,
    /// `invalid_grant` answers.
    invalid_grants,
}

impl CounterSet {
    pub(crate) fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            at: Utc::now(),
            method: http::Method::GET,
            target: Target::default(),
            note: Note::default(),
            status: 200,
            intuit_tid: Tid(0),
            micros: 0,
        }
    }

    #[test]
    fn the_log_keeps_the_latest_entries() {
        let mut log = RequestLog::new(3);
        for _ in 0..5 {
            log.push(entry());
        }
        let seqs: Vec<u64> = log.last(10).iter().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![3, 4, 5]);
        assert_eq!(log.last(1)[0].seq, 5);
        log.clear();
        assert!(log.last(10).is_empty());
    }

    #[test]
    fn tids_and_targets_are_written_out_as_before() {
        // The former `format!("1-{:08x}-{:016x}{:08x}", a >> 32, b, a & 0xffff_ffff)`.
        for n in [0, 1, 42, u64::MAX] {
            let a = mix(n);
            let b = mix(a);
            let expected = format!("1-{:08x}-{:016x}{:08x}", a >> 32, b, a & 0xffff_ffff);
            assert_eq!(Tid(n).to_text(), expected);
        }
        let uri: http::Uri = "/v3/company/1/customer?minorversion=75&requestid=a%20b"
            .parse()
            .expect("uri");
        let target = Target::of(&uri);
        assert_eq!(target.path(), "/v3/company/1/customer");
        assert_eq!(target.query(), Some("minorversion=75&requestid=a%20b"));
        let bare = Target::of(&"/v3/company/1/customer".parse().expect("uri"));
        assert_eq!(bare.path(), "/v3/company/1/customer");
        assert_eq!(bare.query(), None);
        let empty = Target::of(&"/x?".parse().expect("uri"));
        assert_eq!(empty.query(), Some(""));
    }
}
