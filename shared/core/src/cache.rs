//! The in-process cache with a time to live, for what requests read often and rarely change:
//! API keys, program settings and group rewards (30 s to 60 s, by the clock port), and the
//! redirect's link targets and program settings. A Lambda container (or the local stack) keeps
//! one per process, so a change made by another process is seen at most one lifetime later;
//! changes made through the same process forget the affected entries at once. Reads take a
//! shared lock; nothing is held across an await.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{PoisonError, RwLock};
use time::OffsetDateTime;

/// A map whose entries live until their own expiry, holding at most `capacity` entries. The
/// caller says what time it is (its clock port), so the cache reads no clock itself.
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

    /// Replaces the value of a live entry without extending its life.
    pub fn refresh<Q>(&self, key: &Q, value: V, now: OffsetDateTime)
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if let Some((held, expires)) = entries.get_mut(key)
            && *expires > now
        {
            *held = value;
        }
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

    const NOW: OffsetDateTime = datetime!(2026-11-21 10:00 UTC);

    #[test]
    fn entries_expire_and_the_size_stays_bounded() {
        let cache: TtlCache<String, u32> = TtlCache::new(2);
        cache.insert("a".into(), 1, NOW + Duration::seconds(5), NOW);
        assert_eq!(cache.get("a", NOW), Some(1));
        assert_eq!(cache.get("a", NOW + Duration::seconds(5)), None);
        assert_eq!(cache.get_stale("a"), Some(1));
        cache.insert("b".into(), 2, NOW + Duration::seconds(5), NOW);
        let later = NOW + Duration::seconds(6);
        cache.insert("c".into(), 3, later + Duration::seconds(5), later);
        assert!(cache.len() <= 2);
        assert_eq!(cache.get("c", later), Some(3));
    }

    #[test]
    fn a_refresh_neither_extends_nor_revives_an_entry() {
        let cache: TtlCache<&'static str, u32> = TtlCache::new(10);
        let expires = NOW + Duration::seconds(30);
        cache.insert("a", 1, expires, NOW);
        cache.refresh(&"a", 2, NOW + Duration::seconds(29));
        assert_eq!(cache.get(&"a", NOW + Duration::seconds(29)), Some(2));
        assert_eq!(
            cache.get(&"a", expires),
            None,
            "a refresh does not extend the life"
        );
        cache.refresh(&"a", 3, expires);
        assert_eq!(
            cache.get_stale(&"a"),
            Some(2),
            "nor change an expired entry"
        );
    }

    #[test]
    fn forgetting_and_capacity() {
        let cache: TtlCache<&'static str, u32> = TtlCache::new(2);
        let expires = NOW + Duration::seconds(30);
        cache.insert("a", 1, expires, NOW);
        cache.insert("b", 2, expires, NOW);
        cache.forget_where(|_, value| *value == 1);
        assert_eq!(
            (cache.get(&"a", NOW), cache.get(&"b", NOW)),
            (None, Some(2))
        );
        cache.insert("a", 1, expires, NOW);
        cache.insert("c", 3, expires, NOW + Duration::seconds(1));
        assert_eq!(cache.len(), 1, "full: everything goes when nothing expired");
        assert_eq!(cache.get(&"c", NOW), Some(3));
        cache.remove(&"c");
        assert!(cache.is_empty());
    }
}
