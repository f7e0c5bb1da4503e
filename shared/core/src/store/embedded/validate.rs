//! The rules DynamoDB enforces on keys and items before any write.

use super::number;
use crate::store::schema::{self, INDEXES};
use crate::store::{AttributeValue, Item, Key, MAX_ITEM_BYTES, StoreError};

/// DynamoDB's limits on key values.
const MAX_PARTITION_KEY_BYTES: usize = 2048;
const MAX_SORT_KEY_BYTES: usize = 1024;

fn invalid(why: String) -> StoreError {
    StoreError::Validation(why)
}

/// A key as DynamoDB accepts it: non-empty strings within the size limits.
pub(super) fn key(key: &Key) -> Result<(), StoreError> {
    if key.pk.is_empty() || key.sk.is_empty() {
        return Err(invalid("key attributes cannot be empty strings".into()));
    }
    if key.pk.len() > MAX_PARTITION_KEY_BYTES || key.sk.len() > MAX_SORT_KEY_BYTES {
        return Err(invalid("a key attribute is too long".into()));
    }
    Ok(())
}

/// A whole item as DynamoDB accepts it; returns its key.
pub(super) fn item(item: &Item) -> Result<Key, StoreError> {
    let item_key = Key::of(item)?;
    key(&item_key)?;
    for index in INDEXES {
        for name in [index.pk, index.sk] {
            match item.get(name) {
                None => {}
                Some(AttributeValue::S(value)) if !value.is_empty() => {}
                Some(_) => {
                    return Err(invalid(format!(
                        "index key attribute {name} must be a non-empty string"
                    )));
                }
            }
        }
    }
    for (name, value) in item.iter() {
        if name.is_empty() {
            return Err(invalid("attribute names cannot be empty".into()));
        }
        attribute_value(value)?;
    }
    let size = item_size(item);
    if size > MAX_ITEM_BYTES {
        return Err(invalid(format!(
            "item size {size} exceeds the maximum of {MAX_ITEM_BYTES} bytes"
        )));
    }
    Ok(item_key)
}

fn attribute_value(value: &AttributeValue) -> Result<(), StoreError> {
    use AttributeValue as V;
    match value {
        V::N(text) => number::canonical(text).map(drop),
        V::Ns(numbers) => {
            non_empty_set(numbers.len())?;
            let mut canonical: Vec<String> = numbers
                .iter()
                .map(|text| number::canonical(text))
                .collect::<Result<_, _>>()?;
            distinct(&mut canonical)
        }
        V::Ss(strings) => {
            non_empty_set(strings.len())?;
            distinct(&mut strings.clone())
        }
        V::Bs(binaries) => {
            non_empty_set(binaries.len())?;
            distinct(&mut binaries.clone())
        }
        V::L(values) => values.iter().try_for_each(attribute_value),
        V::M(values) => values.values().try_for_each(attribute_value),
        V::S(_) | V::B(_) | V::Bool(_) | V::Null(_) => Ok(()),
    }
}

fn non_empty_set(len: usize) -> Result<(), StoreError> {
    if len == 0 {
        return Err(invalid("sets cannot be empty".into()));
    }
    Ok(())
}

fn distinct<T: Ord>(values: &mut Vec<T>) -> Result<(), StoreError> {
    let before = values.len();
    values.sort();
    values.dedup();
    if values.len() != before {
        return Err(invalid("sets cannot hold duplicates".into()));
    }
    Ok(())
}

/// The item size as DynamoDB counts it: attribute names plus values.
pub(super) fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

fn value_size(value: &AttributeValue) -> usize {
    use AttributeValue as V;
    match value {
        V::S(text) => text.len(),
        V::N(text) => number::stored_size(text),
        V::B(bytes) => bytes.len(),
        V::Bool(_) | V::Null(_) => 1,
        V::Ss(strings) => strings.iter().map(String::len).sum(),
        V::Ns(numbers) => numbers.iter().map(|text| number::stored_size(text)).sum(),
        V::Bs(binaries) => binaries.iter().map(Vec::len).sum(),
        V::L(values) => {
            3 + values
                .iter()
                .map(|value| 1 + value_size(value))
                .sum::<usize>()
        }
        V::M(values) => {
            3 + values
                .iter()
                .map(|(name, value)| 1 + name.len() + value_size(value))
                .sum::<usize>()
        }
    }
}

/// Whether a write names a key attribute in an update.
pub(super) fn is_key_attribute(name: &str) -> bool {
    name == schema::PK || name == schema::SK
}
