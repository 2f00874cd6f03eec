//! Time, injectable: token expiry, rate-limit windows, `MetaData` times and CDC all read
//! the sandbox's clock, which tests move instead of waiting. The [`Clock`] trait and its
//! system and manual clocks are `qbo-api`'s (shared with `qbo-auth`).

use std::sync::Mutex;

use std::fmt::Write as _;

use chrono::{DateTime, Datelike as _, FixedOffset, Offset as _, TimeDelta, Timelike as _, Utc};

pub use qbo_api::clock::{Clock, ManualClock, SystemClock};

/// The sandbox's own view of time: a source clock plus an offset that the inspection API
/// moves forward.
#[derive(Debug)]
pub(crate) struct SandboxClock {
    source: std::sync::Arc<dyn Clock>,
    offset: Mutex<TimeDelta>,
}

/// The offset QBO's example answers carry (US Pacific standard time); every time the
/// sandbox writes uses it.
pub(crate) const COMPANY_OFFSET_SECS: i32 = -8 * 3600;

impl SandboxClock {
    pub(crate) fn new(source: std::sync::Arc<dyn Clock>) -> Self {
        Self {
            source,
            offset: Mutex::new(TimeDelta::zero()),
        }
    }

    /// The source's time plus the offset, held at chrono's first or last representable
    /// instant when the offset would carry it beyond them.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        let offset = *self
            .offset
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        shifted(self.source.now(), offset)
    }

    /// Moves the offset by `by` (either way); the offset saturates at `TimeDelta`'s
    /// bounds instead of overflowing.
    pub(crate) fn advance(&self, by: TimeDelta) -> DateTime<Utc> {
        {
            let mut offset = self
                .offset
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *offset = offset
                .checked_add(&by)
                .unwrap_or(if by < TimeDelta::zero() {
                    TimeDelta::MIN
                } else {
                    TimeDelta::MAX
                });
        }
        self.now()
    }
}

/// `at + by`, saturating at chrono's first or last representable instant: times computed
/// from settings and clock advances (any `i64`) never overflow.
pub(crate) fn shifted(at: DateTime<Utc>, by: TimeDelta) -> DateTime<Utc> {
    at.checked_add_signed(by)
        .unwrap_or(if by < TimeDelta::zero() {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
}

/// `at + secs` seconds, saturating like [`shifted`] (also for seconds beyond
/// `TimeDelta`'s range).
pub(crate) fn after_secs(at: DateTime<Utc>, secs: i64) -> DateTime<Utc> {
    let by = TimeDelta::try_seconds(secs).unwrap_or(if secs < 0 {
        TimeDelta::MIN
    } else {
        TimeDelta::MAX
    });
    shifted(at, by)
}

fn company_offset() -> FixedOffset {
    FixedOffset::east_opt(COMPANY_OFFSET_SECS).unwrap_or_else(|| Utc.fix())
}

/// Appends `value` as `width` decimal digits (zero-padded; higher digits dropped).
fn push_digits(out: &mut String, value: u32, width: u32) {
    let mut div = 10u32.pow(width.saturating_sub(1));
    while div > 0 {
        out.push(char::from_digit(value / div % 10, 10).unwrap_or('0'));
        div /= 10;
    }
}

/// Writes `at` in the company's offset, `YYYY-MM-DDThh:mm:ss[.mmm]±hh:mm`, digit by
/// digit: this runs for every answer and every stored version, so without `fmt`.
fn company_time(at: DateTime<Utc>, millis: bool) -> String {
    let local = at.with_timezone(&company_offset());
    let mut out = String::with_capacity(29);
    match u32::try_from(local.year()) {
        Ok(year) if year <= 9999 => push_digits(&mut out, year, 4),
        _ => {
            let _ = write!(out, "{:04}", local.year());
        }
    }
    out.push('-');
    push_digits(&mut out, local.month(), 2);
    out.push('-');
    push_digits(&mut out, local.day(), 2);
    out.push('T');
    push_digits(&mut out, local.hour(), 2);
    out.push(':');
    push_digits(&mut out, local.minute(), 2);
    out.push(':');
    push_digits(&mut out, local.second(), 2);
    if millis {
        out.push('.');
        push_digits(&mut out, local.timestamp_subsec_millis().min(999), 3);
    }
    let offset = COMPANY_OFFSET_SECS;
    out.push(if offset < 0 { '-' } else { '+' });
    let minutes = offset.unsigned_abs() / 60;
    push_digits(&mut out, minutes / 60, 2);
    out.push(':');
    push_digits(&mut out, minutes % 60, 2);
    out
}

/// `2024-03-01T10:15:32-08:00`: the form of `MetaData` times.
pub(crate) fn meta_time(at: DateTime<Utc>) -> String {
    company_time(at, false)
}

/// `2024-05-20T16:05:44.316-07:00`: the form of an answer's `time`.
pub(crate) fn answer_time(at: DateTime<Utc>) -> String {
    company_time(at, true)
}

/// The company's calendar date of `at` (`TxnDate` defaults).
pub(crate) fn company_date(at: DateTime<Utc>) -> String {
    at.with_timezone(&company_offset())
        .format("%Y-%m-%d")
        .to_string()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    #[test]
    fn times_are_written_in_the_company_offset() {
        let at = Utc
            .with_ymd_and_hms(2024, 3, 1, 18, 15, 32)
            .single()
            .expect("valid")
            + TimeDelta::milliseconds(7);
        assert_eq!(meta_time(at), "2024-03-01T10:15:32-08:00");
        assert_eq!(answer_time(at), "2024-03-01T10:15:32.007-08:00");
        assert_eq!(company_date(at), "2024-03-01");
        let midnight = Utc
            .with_ymd_and_hms(2024, 3, 1, 3, 0, 0)
            .single()
            .expect("valid");
        assert_eq!(company_date(midnight), "2024-02-29");
        let early = Utc
            .with_ymd_and_hms(12, 1, 1, 8, 0, 0)
            .single()
            .expect("valid");
        assert_eq!(meta_time(early), "0012-01-01T00:00:00-08:00");
        let late = Utc
            .with_ymd_and_hms(12345, 1, 1, 8, 0, 0)
            .single()
            .expect("valid");
        assert_eq!(meta_time(late), "12345-01-01T00:00:00-08:00");
    }
}
