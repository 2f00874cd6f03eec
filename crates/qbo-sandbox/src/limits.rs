//! Per-realm rate limits (notes §4): requests and batches in a sliding window, and
//! requests in flight. A refused request is not counted.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, TimeDelta, Utc};

use crate::config::Limits;

/// One realm's counters.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    in_flight: AtomicU32,
    windows: Mutex<Windows>,
}

#[derive(Debug, Default)]
struct Windows {
    requests: VecDeque<DateTime<Utc>>,
    batches: VecDeque<DateTime<Utc>>,
}

/// Holds an in-flight slot until dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    limiter: Option<Arc<Limiter>>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(limiter) = &self.limiter {
            limiter.in_flight.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

fn trim(log: &mut VecDeque<DateTime<Utc>>, since: DateTime<Utc>) {
    while log.front().is_some_and(|t| *t <= since) {
        log.pop_front();
    }
}

impl Limiter {
    /// Admits a request (a batch when `batch`), or `None` when a limit is reached.
    pub(crate) fn admit(
        self: &Arc<Self>,
        limits: &Limits,
        now: DateTime<Utc>,
        batch: bool,
    ) -> Option<Slot> {
        if !limits.enabled {
            return Some(Slot { limiter: None });
        }
        let before = self.in_flight.fetch_add(1, Ordering::AcqRel);
        let slot = Slot {
            limiter: Some(self.clone()),
        };
        if before >= limits.max_in_flight {
            return None;
        }
        let window = i64::try_from(limits.window_ms)
            .ok()
            .and_then(TimeDelta::try_milliseconds)
            .unwrap_or(TimeDelta::MAX);
        let since = crate::clock::shifted(now, -window);
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        trim(&mut windows.requests, since);
        trim(&mut windows.batches, since);
        let full = windows.requests.len() >= limits.requests_per_window as usize
            || (batch && windows.batches.len() >= limits.batches_per_window as usize);
        if full {
            return None;
        }
        windows.requests.push_back(now);
        if batch {
            windows.batches.push_back(now);
        }
        Some(slot)
    }

    /// Forgets the windows (inspection reset).
    pub(crate) fn clear(&self) {
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        windows.requests.clear();
        windows.batches.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            requests_per_window: 3,
            batches_per_window: 1,
            max_in_flight: 2,
            ..Limits::default()
        }
    }

    #[test]
    fn windows_refuse_past_the_limit_and_slide() {
        let limiter = Arc::new(Limiter::default());
        let now = Utc::now();
        for _ in 0..3 {
            assert!(limiter.admit(&limits(), now, false).is_some());
        }
        assert!(limiter.admit(&limits(), now, false).is_none());
        let later = now + TimeDelta::seconds(61);
        assert!(limiter.admit(&limits(), later, true).is_some());
        assert!(
            limiter.admit(&limits(), later, true).is_none(),
            "one batch a window"
        );
        assert!(limiter.admit(&limits(), later, false).is_some());
    }

    #[test]
    fn in_flight_slots_are_released_on_drop() {
        let limiter = Arc::new(Limiter::default());
        let mut l = limits();
        l.requests_per_window = 100;
        let now = Utc::now();
        let a = limiter.admit(&l, now, false);
        let b = limiter.admit(&l, now, false);
        assert!(a.is_some() && b.is_some());
        assert!(limiter.admit(&l, now, false).is_none());
        drop(a);
        assert!(limiter.admit(&l, now, false).is_some());
        l.enabled = false;
        assert!(limiter.admit(&l, now, false).is_some());
    }
}
