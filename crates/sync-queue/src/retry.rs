//! Retry rules for transient failures: exponential backoff with jitter, then error.

use std::time::Duration;

/// How transient failures are retried.
///
/// Attempt `n` (counted from 1, incremented by every claim) that fails transiently is tried
/// again after `base_delay × 2^(n−1)`, capped at `max_delay`, with "equal jitter": the wait
/// is drawn uniformly between half that delay and all of it, so workers that failed
/// together do not come back together. A job whose claim count has reached `max_attempts`
/// goes to error instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The attempt count at which a transient failure becomes an error (at least 1).
    pub max_attempts: u32,
    /// The delay after the first failure (before jitter).
    pub base_delay: Duration,
    /// The longest delay (before jitter).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 10 attempts, 30 s after the first failure, never more than an hour apart: about a
    /// day and a half of retries in all.
    fn default() -> Self {
        Self {
            max_attempts: 10,
            base_delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(3600),
        }
    }
}

impl RetryPolicy {
    /// Whether a transient failure of attempt `attempt` still gets another try.
    pub fn retries_after(&self, attempt: u32) -> bool {
        attempt < self.max_attempts.max(1)
    }

    /// The delay after attempt `attempt` failed, before jitter.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(32);
        self.base_delay
            .checked_mul(1u32 << doublings.min(31))
            .map_or(self.max_delay, |d| d.min(self.max_delay))
    }

    /// The delay after attempt `attempt` failed, with jitter: in `[ceiling/2, ceiling]`.
    pub fn delay(&self, attempt: u32) -> Duration {
        let ceiling = self.ceiling(attempt);
        let half = ceiling / 2;
        let spread = u64::try_from((ceiling - half).as_millis()).unwrap_or(u64::MAX);
        half + Duration::from_millis(fastrand::u64(0..=spread))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn duration() -> impl Strategy<Value = Duration> {
        prop_oneof![
            Just(Duration::ZERO),
            Just(Duration::MAX),
            Just(Duration::from_secs(u64::MAX / 2)),
            (0u64..=u64::MAX, 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
            (0u64..10_000_000).prop_map(Duration::from_millis),
        ]
    }

    fn attempt() -> impl Strategy<Value = u32> {
        prop_oneof![
            Just(0),
            Just(1),
            Just(31),
            Just(32),
            Just(33),
            Just(u32::MAX),
            any::<u32>()
        ]
    }

    proptest! {
        /// Doubling never overflows nor panics, for any attempt count and any durations:
        /// the ceiling stays within the cap, the jittered delay within its band.
        #[test]
        fn backoff_never_overflows(
            attempt in attempt(),
            max_attempts in any::<u32>(),
            base_delay in duration(),
            max_delay in duration(),
        ) {
            let policy = RetryPolicy { max_attempts, base_delay, max_delay };
            let ceiling = policy.ceiling(attempt);
            prop_assert!(ceiling <= max_delay);
            prop_assert!(ceiling <= base_delay.max(max_delay));
            let delay = policy.delay(attempt);
            prop_assert!(delay <= ceiling && delay >= ceiling / 2, "{delay:?} vs {ceiling:?}");
            let _ = policy.retries_after(attempt);
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_bounded_jitter() {
        let policy = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_secs(10),
            max_delay: Duration::from_secs(60),
        };
        assert_eq!(policy.ceiling(1), Duration::from_secs(10));
        assert_eq!(policy.ceiling(2), Duration::from_secs(20));
        assert_eq!(policy.ceiling(3), Duration::from_secs(40));
        assert_eq!(policy.ceiling(4), Duration::from_secs(60));
        assert_eq!(policy.ceiling(400), Duration::from_secs(60));
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let d = policy.delay(3);
            assert!(
                d >= Duration::from_secs(20) && d <= Duration::from_secs(40),
                "{d:?}"
            );
            seen.insert(d);
        }
        assert!(seen.len() > 50, "jitter should spread the delays");
        assert!(policy.retries_after(4));
        assert!(!policy.retries_after(5));
        let zero = RetryPolicy {
            max_attempts: 0,
            ..policy
        };
        assert!(!zero.retries_after(1));
    }
}
