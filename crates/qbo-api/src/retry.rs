//! When and how long to wait before trying a call again.

use std::time::Duration;

/// Retries with exponential backoff and jitter, bounded by attempts and a total deadline.
///
/// Retried: throttling (429), QBO briefly unavailable (5xx), transport failures. A
/// `Retry-After` from QBO is honoured (waited at least). Writes are retried only because
/// every write carries a `requestid`, which makes QBO answer a repeat with the first
/// result instead of writing twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// The wait before the second attempt; doubled for each further one.
    pub initial_backoff: Duration,
    /// The longest wait between two attempts (a longer `Retry-After` is still honoured,
    /// within the deadline).
    pub max_backoff: Duration,
    /// No attempt starts later than this after the first one.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            deadline: Duration::from_secs(180),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The wait after failed attempt number `attempt` (1-based): the exponential step with
    /// "equal jitter" (between half and all of it), at least `retry_after` when QBO gave
    /// one.
    pub fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exp = attempt.saturating_sub(1).min(20);
        let step = self
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        let half = step / 2;
        // Never overflows: `jitter` is at most `half`, and `half + half` fits a `Duration`.
        let jitter = Duration::try_from_secs_f64(half.as_secs_f64() * fastrand::f64())
            .map_or(half, |j| j.min(half));
        let wait = half.saturating_add(jitter);
        match retry_after {
            Some(ra) => wait.max(ra),
            None => wait,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let p = RetryPolicy {
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(8),
            ..RetryPolicy::default()
        };
        for _ in 0..100 {
            let w1 = p.backoff(1, None);
            assert!(w1 >= Duration::from_millis(500) && w1 <= Duration::from_secs(1));
            let w3 = p.backoff(3, None);
            assert!(w3 >= Duration::from_secs(2) && w3 <= Duration::from_secs(4));
            let w10 = p.backoff(10, None);
            assert!(w10 >= Duration::from_secs(4) && w10 <= Duration::from_secs(8));
            assert!(p.backoff(1, Some(Duration::from_secs(20))) >= Duration::from_secs(20));
            assert!(p.backoff(u32::MAX, None) <= Duration::from_secs(8));
        }
    }

    #[test]
    fn huge_settings_never_overflow() {
        let p = RetryPolicy {
            initial_backoff: Duration::MAX,
            max_backoff: Duration::MAX,
            ..RetryPolicy::default()
        };
        for attempt in [1, 2, 20, 21, u32::MAX] {
            for _ in 0..1000 {
                assert!(p.backoff(attempt, Some(Duration::MAX)) == Duration::MAX);
                assert!(p.backoff(attempt, None) >= Duration::MAX / 2);
            }
        }
    }
}
