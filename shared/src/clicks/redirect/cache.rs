//! A small in-process cache with expiry and a size bound, for link targets (found and not
//! found) and program settings. Reads take a shared lock; nothing is held across an await.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{PoisonError, RwLock};
use time::OffsetDateTime;

pub struct TtlCache<K, V> {
    entries: RwLock<HashMap<K, (V, OffsetDateTime)>>,
    capacity: usize,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: RwLock::new(HashMap::new()),
            capacity,
        }
    }

    /// The value, if cached and not expired at `now`.
    pub fn get<Q>(&self, key: &Q, now: OffsetDateTime) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(key)
            .filter(|(_, expires)| *expires > now)
            .map(|(value, _)| value.clone())
    }

    /// The value even when expired: served when the table cannot be read.
    pub fn get_stale<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        entries.get(key).map(|(value, _)| value.clone())
    }

    /// Caches `value` until `expires`. When full, expired entries go first, then everything.
    pub fn insert(&self, key: K, value: V, expires: OffsetDateTime, now: OffsetDateTime) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, (_, at)| *at > now);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (value, expires));
    }

    /// Forgets `key`.
    pub fn remove<Q>(&self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        entries.remove(key);
    }

    /// Forgets every entry `forget` says so of.
    pub fn forget_where(&self, mut forget: impl FnMut(&K, &V) -> bool) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|key, (value, _)| !forget(key, value));
    }

    pub fn len(&self) -> usize {
        self.entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;
    use time::macros::datetime;

    #[test]
    fn entries_expire_and_the_size_stays_bounded() {
        let now = datetime!(2026-11-21 10:00 UTC);
        let cache: TtlCache<String, u32> = TtlCache::new(2);
        cache.insert("a".into(), 1, now + Duration::seconds(5), now);
        assert_eq!(cache.get("a", now), Some(1));
        assert_eq!(cache.get("a", now + Duration::seconds(5)), None);
        assert_eq!(cache.get_stale("a"), Some(1));
        cache.insert("b".into(), 2, now + Duration::seconds(5), now);
        let later = now + Duration::seconds(6);
        cache.insert("c".into(), 3, later + Duration::seconds(5), later);
        assert!(cache.len() <= 2);
        assert_eq!(cache.get("c", later), Some(3));
    }
}
