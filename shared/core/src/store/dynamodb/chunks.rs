//! Splits batch requests to DynamoDB's limits.

use crate::store::{Key, StoreError};
use std::collections::HashSet;

/// Refuses a call that names one key twice. DynamoDB refuses that within one request; the port
/// refuses it within one call, on every engine, so the result never depends on chunking.
fn refuse_repeats<'a>(keys: impl Iterator<Item = &'a Key>, what: &str) -> Result<(), StoreError> {
    let mut seen = HashSet::new();
    for key in keys {
        if !seen.insert(key) {
            return Err(StoreError::Validation(format!(
                "one batch {what} names an item twice"
            )));
        }
    }
    Ok(())
}

/// Splits write requests into chunks of at most `max`, in order.
pub fn by_key<T>(requests: Vec<(Key, T)>, max: usize) -> Result<Vec<Vec<T>>, StoreError> {
    refuse_repeats(requests.iter().map(|(key, _)| key), "of writes")?;
    let mut chunks: Vec<Vec<T>> = Vec::new();
    for (_, request) in requests {
        match chunks.last_mut() {
            Some(chunk) if chunk.len() < max => chunk.push(request),
            _ => chunks.push(vec![request]),
        }
    }
    Ok(chunks)
}

/// Splits keys into chunks of at most `max`.
pub fn distinct_keys(keys: Vec<Key>, max: usize) -> Result<Vec<Vec<Key>>, StoreError> {
    refuse_repeats(keys.iter(), "of keys")?;
    Ok(keys.chunks(max).map(<[Key]>::to_vec).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(index: usize) -> Key {
        Key::new("p", format!("{index:03}"))
    }

    #[test]
    fn chunks_writes_by_limit_in_order() {
        let writes: Vec<_> = (0..60).map(|i| (key(i), i)).collect();
        let chunks = by_key(writes, 25).unwrap();
        let sizes: Vec<usize> = chunks.iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![25, 25, 10]);
        assert_eq!(chunks.concat(), (0..60).collect::<Vec<_>>());
    }

    #[test]
    fn a_repeated_key_is_refused() {
        let writes = vec![(key(1), "a"), (key(2), "b"), (key(1), "c")];
        assert!(matches!(by_key(writes, 25), Err(StoreError::Validation(_))));
        let keys = vec![key(1), key(2), key(1)];
        assert!(matches!(
            distinct_keys(keys, 100),
            Err(StoreError::Validation(_))
        ));
    }

    #[test]
    fn no_writes_no_chunks() {
        assert!(by_key(Vec::<(Key, ())>::new(), 25).unwrap().is_empty());
    }

    #[test]
    fn chunks_keys_by_limit() {
        let keys: Vec<Key> = (0..130).map(key).collect();
        let sizes: Vec<usize> = distinct_keys(keys, 100)
            .unwrap()
            .iter()
            .map(Vec::len)
            .collect();
        assert_eq!(sizes, vec![100, 30]);
    }
}
