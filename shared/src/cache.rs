//! Small in-process caches with a time to live, for what every request reads and rarely
//! changes (API keys, program settings, group rewards). A Lambda container (or the local stack)
//! keeps one per process; entries expire after their TTL by the clock port, so a change made
//! by another process is seen at most one TTL later. Changes made through the same process
//! forget the affected entries at once.

use crate::ports::Clock;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};

/// A map whose entries live `ttl` from their insertion, holding at most `capacity` entries.
pub struct TtlCache<K, V> {
    ttl: Duration,
    capacity: usize,
    clock: Arc<dyn Clock>,
    entries: Mutex<HashMap<K, (V, OffsetDateTime)>>,
}

impl<K: Eq + Hash + Clone, V: Clone> TtlCache<K, V> {
    pub fn new(ttl: Duration, capacity: usize, clock: Arc<dyn Clock>) -> Self {
        Self {
            ttl,
            capacity,
            clock,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (V, OffsetDateTime)>> {
        // A panic while holding the lock leaves a map that is still consistent.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The live value of `key`, if any.
    pub fn get(&self, key: &K) -> Option<V> {
        let now = self.clock.now();
        let mut entries = self.lock();
        match entries.get(key) {
            Some((value, expires)) if *expires > now => Some(value.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    /// Keeps `value` for one TTL from now. When full, expired entries go first, then all.
    pub fn insert(&self, key: K, value: V) {
        let now = self.clock.now();
        let mut entries = self.lock();
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, (_, expires)| *expires > now);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (value, now + self.ttl));
    }

    /// Replaces the value of a live entry without extending its life.
    pub fn refresh(&self, key: &K, value: V) {
        if let Some((held, _)) = self.lock().get_mut(key) {
            *held = value;
        }
    }

    /// Forgets every entry that `doomed` picks.
    pub fn forget_where(&self, doomed: impl Fn(&K, &V) -> bool) {
        self.lock().retain(|key, (value, _)| !doomed(key, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::ManualClock;

    fn cache(capacity: usize) -> (TtlCache<&'static str, u32>, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new(OffsetDateTime::UNIX_EPOCH));
        (
            TtlCache::new(Duration::seconds(30), capacity, clock.clone()),
            clock,
        )
    }

    #[test]
    fn entries_live_one_ttl() {
        let (cache, clock) = cache(10);
        cache.insert("a", 1);
        clock.advance(Duration::seconds(29));
        assert_eq!(cache.get(&"a"), Some(1));
        cache.refresh(&"a", 2);
        clock.advance(Duration::seconds(1));
        assert_eq!(cache.get(&"a"), None, "a refresh does not extend the life");
        cache.refresh(&"a", 3);
        assert_eq!(cache.get(&"a"), None, "nor bring an entry back");
    }

    #[test]
    fn forgetting_and_capacity() {
        let (cache, clock) = cache(2);
        cache.insert("a", 1);
        cache.insert("b", 2);
        cache.forget_where(|_, value| *value == 1);
        assert_eq!((cache.get(&"a"), cache.get(&"b")), (None, Some(2)));
        cache.insert("a", 1);
        clock.advance(Duration::seconds(1));
        cache.insert("c", 3);
        assert_eq!(
            cache.lock().len(),
            1,
            "full: everything goes when nothing expired"
        );
        assert_eq!(cache.get(&"c"), Some(3));
    }
}
