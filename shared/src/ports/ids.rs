use super::{Clock, Random};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Makes the unique part of a new id (after the type prefix). Ids sort by creation time, which
/// gives newest-first listings for free.
pub trait IdSource: Send + Sync {
    fn next_id(&self) -> String;
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// 26 Crockford base32 characters: 48 bits of milliseconds, then 80 random bits (as a ULID).
pub struct UlidIds {
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
}

impl UlidIds {
    pub fn new(clock: Arc<dyn Clock>, random: Arc<dyn Random>) -> Self {
        Self { clock, random }
    }
}

impl IdSource for UlidIds {
    fn next_id(&self) -> String {
        let millis = (self.clock.now().unix_timestamp_nanos() / 1_000_000) as u128;
        let mut entropy = [0u8; 10];
        self.random.fill(&mut entropy);
        let mut value: u128 = (millis & 0xFFFF_FFFF_FFFF) << 80;
        for (index, byte) in entropy.iter().enumerate() {
            value |= (*byte as u128) << (72 - 8 * index);
        }
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
}
