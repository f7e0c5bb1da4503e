//! The retry schedule, close to Standard Webhooks': after the first attempt fails, retries
//! follow these delays (about 28 h in all), each with up to 20 % jitter.

use crate::ports::Random;
use std::time::Duration;

pub const RETRY_DELAYS: [Duration; 7] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(10 * 3600),
];

/// Every attempt a delivery gets on its own: the first and one per retry delay.
pub const MAX_ATTEMPTS: u32 = RETRY_DELAYS.len() as u32 + 1;

/// A `Retry-After` longer than this is capped, so one answer cannot park a delivery for days.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(10 * 3600);

/// The wait before the attempt after `failed_attempt` (1-based), or `None` when the schedule
/// has run out. A `Retry-After` from the receiver lengthens the wait, never shortens it.
pub fn next_delay(
    failed_attempt: u32,
    retry_after: Option<Duration>,
    random: &dyn Random,
) -> Option<Duration> {
    let base = *RETRY_DELAYS.get(failed_attempt.checked_sub(1)? as usize)?;
    let mut byte = [0u8; 1];
    random.fill(&mut byte);
    let jitter = base.mul_f64(0.2 * f64::from(byte[0]) / 255.0);
    let scheduled = base + jitter;
    Some(match retry_after {
        Some(asked) => scheduled.max(asked.min(MAX_RETRY_AFTER)),
        None => scheduled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::SeededRandom;

    #[test]
    fn follows_the_schedule_with_jitter_then_stops() {
        let random = SeededRandom::new(3);
        for (index, base) in RETRY_DELAYS.iter().enumerate() {
            let delay = next_delay(index as u32 + 1, None, &random).unwrap();
            assert!(delay >= *base && delay <= base.mul_f64(1.2), "{delay:?}");
        }
        assert_eq!(next_delay(MAX_ATTEMPTS, None, &random), None);
    }

    #[test]
    fn retry_after_only_lengthens() {
        let random = SeededRandom::new(3);
        let long = next_delay(1, Some(Duration::from_secs(120)), &random).unwrap();
        assert_eq!(long, Duration::from_secs(120));
        let short = next_delay(2, Some(Duration::from_secs(1)), &random).unwrap();
        assert!(short >= Duration::from_secs(300));
        let capped = next_delay(1, Some(Duration::from_secs(1 << 30)), &random).unwrap();
        assert_eq!(capped, MAX_RETRY_AFTER);
    }
}
