//! Exponential backoff with full jitter, shared by every retry loop of the engine.

use std::future::Future;
use std::time::Duration;

/// How many times to try and how long to wait between tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Total tries, the first one included.
    pub attempts: u32,
    /// The ceiling of the first wait; doubled after every failed try.
    pub base: Duration,
    /// The largest ceiling a wait can reach.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            attempts: 6,
            base: Duration::from_millis(25),
            max: Duration::from_secs(2),
        }
    }
}

impl Backoff {
    /// The ceiling of the wait after failed try number `retry` (0-based).
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.max)
    }

    /// A random wait in `[0, ceiling]` ("full jitter"), so that competing writers that failed
    /// together do not retry together.
    pub fn delay(&self, retry: u32) -> Duration {
        let ceiling = self.ceiling(retry);
        // Without randomness, half the ceiling still backs off.
        let fraction = getrandom::u32().map_or(0.5, |r| f64::from(r) / f64::from(u32::MAX));
        ceiling.mul_f64(fraction)
    }

    pub async fn sleep(&self, retry: u32) {
        tokio::time::sleep(self.delay(retry)).await;
    }

    /// Runs `operation` until it succeeds, fails with an error `transient` rejects, or the
    /// tries run out; returns the last outcome.
    pub async fn retry<T, E, Op, Fut>(
        &self,
        mut operation: Op,
        transient: impl Fn(&E) -> bool,
    ) -> Result<T, E>
    where
        Op: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut retry = 0;
        loop {
            match operation().await {
                Err(error) if transient(&error) && retry + 1 < self.attempts => {
                    self.sleep(retry).await;
                    retry += 1;
                }
                outcome => return outcome,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn quick(attempts: u32) -> Backoff {
        Backoff {
            attempts,
            base: Duration::from_millis(1),
            max: Duration::from_millis(4),
        }
    }

    #[test]
    fn ceiling_doubles_up_to_max() {
        let backoff = quick(10);
        let ceilings: Vec<u128> = (0..5).map(|r| backoff.ceiling(r).as_millis()).collect();
        assert_eq!(ceilings, vec![1, 2, 4, 4, 4]);
        assert_eq!(backoff.ceiling(200), Duration::from_millis(4));
    }

    #[test]
    fn delay_stays_within_ceiling() {
        let backoff = Backoff::default();
        for retry in 0..10 {
            assert!(backoff.delay(retry) <= backoff.ceiling(retry));
        }
    }

    #[tokio::test]
    async fn retries_transient_errors_until_success() {
        let calls = AtomicU32::new(0);
        let result: Result<u32, &str> = quick(5)
            .retry(
                || async {
                    let call = calls.fetch_add(1, Ordering::SeqCst);
                    if call < 3 { Err("busy") } else { Ok(call) }
                },
                |error| *error == "busy",
            )
            .await;
        assert_eq!(result, Ok(3));
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn gives_up_after_the_attempts() {
        let calls = AtomicU32::new(0);
        let result: Result<(), &str> = quick(3)
            .retry(
                || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Err("busy")
                },
                |_| true,
            )
            .await;
        assert_eq!(result, Err("busy"));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn does_not_retry_permanent_errors() {
        let calls = AtomicU32::new(0);
        let result: Result<(), &str> = quick(5)
            .retry(
                || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Err("bad")
                },
                |error| *error == "busy",
            )
            .await;
        assert_eq!(result, Err("bad"));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
