//! Splits batch requests to DynamoDB's limits.

use crate::store::Key;
use std::collections::HashSet;

/// Splits `requests` into chunks of at most `max`, in order. A key already in the current chunk
/// starts a new one: DynamoDB refuses a batch that names one key twice, and separate chunks
/// (sent one after the other) keep the later request winning.
pub fn by_key<T>(requests: Vec<(Key, T)>, max: usize) -> Vec<Vec<T>> {
    let mut chunks = Vec::new();
    let mut chunk = Vec::new();
    let mut keys = HashSet::new();
    for (key, request) in requests {
        if chunk.len() == max || keys.contains(&key) {
            chunks.push(std::mem::take(&mut chunk));
            keys.clear();
        }
        keys.insert(key);
        chunk.push(request);
    }
    if !chunk.is_empty() {
        chunks.push(chunk);
    }
    chunks
}

/// Keys without repeats (a batch read names each key once), in chunks of at most `max`.
pub fn distinct_keys(keys: Vec<Key>, max: usize) -> Vec<Vec<Key>> {
    let mut seen = HashSet::new();
    let distinct: Vec<Key> = keys
        .into_iter()
        .filter(|key| seen.insert(key.clone()))
        .collect();
    distinct.chunks(max).map(<[Key]>::to_vec).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(index: usize) -> Key {
        Key::new("p", format!("{index:03}"))
    }

    #[test]
    fn chunks_writes_by_limit() {
        let writes: Vec<_> = (0..60).map(|i| (key(i), i)).collect();
        let sizes: Vec<usize> = by_key(writes, 25).iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![25, 25, 10]);
    }

    #[test]
    fn repeated_key_starts_a_new_chunk_in_order() {
        let writes = vec![(key(1), "a"), (key(2), "b"), (key(1), "c"), (key(3), "d")];
        assert_eq!(by_key(writes, 25), vec![vec!["a", "b"], vec!["c", "d"]]);
    }

    #[test]
    fn no_writes_no_chunks() {
        assert!(by_key(Vec::<(Key, ())>::new(), 25).is_empty());
    }

    #[test]
    fn chunks_distinct_keys() {
        let mut keys: Vec<Key> = (0..130).map(key).collect();
        keys.extend((0..10).map(key));
        let chunks = distinct_keys(keys, 100);
        let sizes: Vec<usize> = chunks.iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![100, 30]);
    }
}
