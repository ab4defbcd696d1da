//! Retries of operations that are safe to repeat: which failures count, and the backoff.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Retries of operations that are safe to repeat (reading a group, setting a value), on
/// transient failures only, with jittered exponential backoff, and never past the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 turns retries off.
    pub max_attempts: u32,
    /// Backoff before the second attempt (before jitter); doubled for each one after.
    pub base_delay: Duration,
    /// Backoff ceiling (before jitter).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts, 100 ms then 200 ms of backoff (each jittered down to half): a
    /// connection service restart or a load balancer hiccup is usually over by then, and
    /// the whole policy costs well under a second of the function's time.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        }
    }
}

impl RetryPolicy {
    pub const NONE: RetryPolicy = RetryPolicy {
        max_attempts: 1,
        base_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
    };

    /// The wait after `failed` attempts (1 or more), "equal jitter": half the exponential
    /// delay is fixed, the other half drawn from `entropy`, so concurrent callers that failed
    /// together do not come back together.
    pub(crate) fn backoff(&self, failed: u32, entropy: u64) -> Duration {
        let doublings = failed.saturating_sub(1).min(20);
        let exponential = self
            .base_delay
            .saturating_mul(1u32 << doublings)
            .min(self.max_delay);
        let half = exponential / 2;
        let spread = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        let jitter = if spread == 0 {
            0
        } else {
            entropy % (spread + 1)
        };
        half + Duration::from_nanos(jitter)
    }
}

/// A status the service (or a proxy in front of it) answers when it is restarting or
/// overloaded, and that did not carry the operation out: worth another attempt.
pub(crate) fn is_transient_status(status: u16) -> bool {
    matches!(status, 500 | 502 | 503)
}

/// Jitter needs no statistical quality, only callers that differ: the clock's nanoseconds and
/// a per-process counter, mixed (splitmix64) so neighbouring inputs spread out.
pub(crate) fn entropy() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()) ^ d.as_secs());
    let mut z = nanos
        .wrapping_add(COUNTER.fetch_add(1, Ordering::Relaxed))
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_ceiling_with_jitter_in_the_upper_half() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(500),
        };
        for (failed, full_ms) in [(1, 100), (2, 200), (3, 400), (4, 500), (30, 500)] {
            let full = Duration::from_millis(full_ms);
            assert_eq!(policy.backoff(failed, 0), full / 2, "failed={failed}");
            for _ in 0..100 {
                let d = policy.backoff(failed, entropy());
                assert!(d >= full / 2 && d <= full, "failed={failed} {d:?}");
            }
        }
    }

    #[test]
    fn no_delay_policy_never_waits() {
        assert_eq!(RetryPolicy::NONE.backoff(1, entropy()), Duration::ZERO);
    }

    #[test]
    fn entropy_varies() {
        let draws: std::collections::HashSet<u64> = (0..50).map(|_| entropy()).collect();
        assert!(draws.len() > 45);
    }

    #[test]
    fn only_restarts_and_overload_are_transient() {
        for status in [500, 502, 503] {
            assert!(is_transient_status(status));
        }
        // 504: a proxy gave up waiting, the service may still be carrying the call out.
        for status in [200, 400, 401, 403, 404, 409, 429, 501, 504] {
            assert!(!is_transient_status(status), "{status}");
        }
    }
}
