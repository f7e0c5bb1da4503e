//! Small helpers to build and read attribute values without repeating enum plumbing.

use super::{AttributeValue, Item, StoreError};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A string attribute value.
pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number attribute value.
pub fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// A string attribute of an item, if present and a string.
pub fn get_s<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Some(value),
        _ => None,
    }
}

/// An integer attribute of an item, if present and a number.
pub fn get_n(item: &Item, name: &str) -> Option<i64> {
    match item.get(name) {
        Some(AttributeValue::N(value)) => value.parse().ok(),
        _ => None,
    }
}

/// Decodes a stored item into a domain record.
pub fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(StoreError::engine)
}

/// Encodes a domain record as an item. Top-level `None` fields are left out rather than
/// stored as NULL, so that "absent" has one meaning in conditions (`attribute_not_exists`).
pub fn to_item<T: Serialize>(record: &T) -> Result<Item, StoreError> {
    let mut item: Item = serde_dynamo::to_item(record).map_err(StoreError::engine)?;
    item.retain(|_, value| !matches!(value, AttributeValue::Null(_)));
    Ok(item)
}
