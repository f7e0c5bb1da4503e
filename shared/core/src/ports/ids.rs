use super::{Clock, Random};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Makes the unique part of a new id (after the type prefix). Ids sort by creation time, which
/// gives newest-first listings for free.
pub trait IdSource: Send + Sync {
    fn next_id(&self) -> String;
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// 26 Crockford base32 characters: 48 bits of milliseconds, then 80 random bits (as a ULID).
///
/// Monotonic within one process: an id made in the same millisecond as the previous one (or
/// after the clock stepped back) is the previous id plus one, so two events of one request, or
/// two requests a microsecond apart, still list in the order they happened. Ids from different
/// processes in one millisecond sort by their random part, which no listing relies on.
pub struct UlidIds {
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
    last: Mutex<u128>,
}

impl UlidIds {
    pub fn new(clock: Arc<dyn Clock>, random: Arc<dyn Random>) -> Self {
        Self {
            clock,
            random,
            last: Mutex::new(0),
        }
    }

    fn next_value(&self) -> u128 {
        let millis = (self.clock.now().unix_timestamp_nanos() / 1_000_000) as u128;
        let mut entropy = [0u8; 10];
        self.random.fill(&mut entropy);
        let mut value: u128 = (millis & 0xFFFF_FFFF_FFFF) << 80;
        for (index, byte) in entropy.iter().enumerate() {
            value |= (*byte as u128) << (72 - 8 * index);
        }
        // A poisoned lock only means another thread panicked mid-assignment of a u128; the value
        // it holds is still a valid earlier id.
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if value >> 80 <= *last >> 80 {
            value = last.saturating_add(1);
        }
        *last = value;
        value
    }
}

impl IdSource for UlidIds {
    fn next_id(&self) -> String {
        let value = self.next_value();
        (0..26)
            .rev()
            .map(|digit| CROCKFORD[((value >> (5 * digit)) & 0x1F) as usize] as char)
            .collect()
    }
}

/// Ids `00000000000000000000000001`, `...02`, ... in order (tests).
#[derive(Debug, Default)]
pub struct SequentialIds(AtomicU64);

impl IdSource for SequentialIds {
    fn next_id(&self) -> String {
        format!("{:026}", self.0.fetch_add(1, Ordering::SeqCst) + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{ManualClock, SeededRandom};
    use time::macros::datetime;

    #[test]
    fn ulids_sort_by_time_and_are_26_chars() {
        let clock = Arc::new(ManualClock::new(datetime!(2026-01-01 0:00 UTC)));
        let ids = UlidIds::new(clock.clone(), Arc::new(SeededRandom::new(7)));
        let first = ids.next_id();
        clock.advance(time::Duration::milliseconds(1));
        let second = ids.next_id();
        assert_eq!(first.len(), 26);
        assert!(first < second, "{first} should sort before {second}");
        assert!(first.chars().all(|c| CROCKFORD.contains(&(c as u8))));
    }

    #[test]
    fn same_millisecond_ids_differ() {
        let clock = Arc::new(ManualClock::new(datetime!(2026-01-01 0:00 UTC)));
        let ids = UlidIds::new(clock, Arc::new(SeededRandom::new(7)));
        assert_ne!(ids.next_id(), ids.next_id());
    }

    #[test]
    fn same_millisecond_ids_sort_in_the_order_they_were_made() {
        let clock = Arc::new(ManualClock::new(datetime!(2026-01-01 0:00 UTC)));
        let ids = UlidIds::new(clock.clone(), Arc::new(SeededRandom::new(7)));
        let made: Vec<String> = (0..200).map(|_| ids.next_id()).collect();
        assert!(made.windows(2).all(|pair| pair[0] < pair[1]), "{made:?}");
        // A clock that steps back does not reorder either.
        clock.advance(time::Duration::milliseconds(-5));
        let after = ids.next_id();
        assert!(made.last().unwrap() < &after);
        // A later millisecond starts from fresh randomness again.
        clock.advance(time::Duration::milliseconds(10));
        let later = ids.next_id();
        assert_ne!(&later[..10], &after[..10]);
    }
}
