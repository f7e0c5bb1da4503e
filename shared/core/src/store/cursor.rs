//! Opaque query cursors: the last evaluated key, as DynamoDB JSON in URL-safe base64.
//! Both engines use the same encoding.

use super::schema::IndexDef;
use super::{Item, Key, StoreError};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub fn encode_cursor(last_key: &Item) -> String {
    let json = serde_json::to_vec(last_key).expect("an item always serialises");
    URL_SAFE_NO_PAD.encode(json)
}

/// The cursor that continues a query of `index` right after `item`, as if the previous page
/// had ended on it: its table and index keys, which is what a query returns as the last
/// evaluated key. Dub's `startingAfter` (an item's id) becomes this. `None` when the item is
/// not in the index.
pub fn cursor_after(item: &Item, index: &IndexDef) -> Option<String> {
    let mut last = Key::of(item).ok()?.to_item();
    for name in [index.pk, index.sk] {
        last.insert(name.into(), item.get(name)?.clone());
    }
    Some(encode_cursor(&last))
}

pub fn decode_cursor(cursor: &str) -> Result<Item, StoreError> {
    let invalid = || StoreError::InvalidCursor("the cursor is not one this store issued".into());
    let json = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    serde_json::from_slice(&json).map_err(|_| invalid())
}

/// A cursor checked against the query it is given to: one this store issued for the same
/// partition of the same table or index. A cursor of another list, or another program's, is
/// refused as bad input (400), never followed or sent on to the engine.
pub fn query_cursor(
    cursor: &str,
    partition_attr: &str,
    sort_attr: &str,
    partition: &str,
) -> Result<Item, StoreError> {
    let invalid = || StoreError::InvalidCursor("the cursor does not belong to this query".into());
    let last = decode_cursor(cursor)?;
    Key::of(&last).map_err(|_| invalid())?;
    let text = |name: &str| match last.get(name) {
        Some(super::AttributeValue::S(value)) => Some(value.as_str()),
        _ => None,
    };
    if text(partition_attr) != Some(partition) || text(sort_attr).is_none() {
        return Err(invalid());
    }
    Ok(last)
}
