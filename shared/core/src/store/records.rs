//! Helpers shared by repositories: records kept as their exact JSON, and uniqueness claims.

use super::{
    Condition, Consistency, Item, ItemStore, Key, Put, StoreError, TxOp, get_s, n, s, schema,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The attribute holding a record's JSON.
pub const BODY: &str = "body";

/// An item holding `record` as JSON under `key`, with its `version` for conditions. JSON keeps
/// nested shapes (flattened totals, maps, percentages) exact on every engine.
pub fn json_item<T: Serialize>(key: &Key, record: &T, version: u64) -> Result<Item, StoreError> {
    let mut item = key.to_item();
    item.insert(
        BODY.into(),
        s(serde_json::to_string(record).map_err(StoreError::engine)?),
    );
    item.insert("version".into(), n(version as i64));
    Ok(item)
}

/// [`json_item`] without the record's top-level `null` fields, for records written on every
/// counter update (links, partners): DynamoDB bills a write by the item's size in whole KB,
/// and a link or partner body is mostly empty optional fields, which took those items just
/// past 1 KB (a partner's click update cost 12 units instead of 7). The record must read a
/// missing optional field as `None` (serde does for `Option`; a field with `with =` needs
/// `default`).
pub fn compact_json_item<T: Serialize>(
    key: &Key,
    record: &T,
    version: u64,
) -> Result<Item, StoreError> {
    let mut value = serde_json::to_value(record).map_err(StoreError::engine)?;
    if let serde_json::Value::Object(fields) = &mut value {
        fields.retain(|_, field| !field.is_null());
    }
    json_item(key, &value, version)
}

/// The record of an item written by [`json_item`].
pub fn from_json_item<T: DeserializeOwned>(item: &Item) -> Result<T, StoreError> {
    let body = get_s(item, BODY)
        .ok_or_else(|| StoreError::Validation("record item without body".into()))?;
    serde_json::from_str(body).map_err(StoreError::engine)
}

/// Reads a record written by [`json_item`], strongly.
pub async fn read_json<T: DeserializeOwned>(
    store: &dyn ItemStore,
    key: &Key,
) -> Result<Option<T>, StoreError> {
    store
        .get(key, Consistency::Strong)
        .await?
        .as_ref()
        .map(from_json_item)
        .transpose()
}

/// A uniqueness claim: an item under `key` naming its owner, written only if absent.
pub fn claim(key: &Key, owner_attribute: &str, owner: &str) -> TxOp {
    let mut item = key.to_item();
    item.insert(owner_attribute.into(), s(owner));
    TxOp::Put(Put {
        item,
        condition: Some(Condition::NotExists),
    })
}

/// The owner named by a claim, if the claim exists.
pub async fn claim_owner(
    store: &dyn ItemStore,
    key: &Key,
    owner_attribute: &str,
) -> Result<Option<String>, StoreError> {
    Ok(store
        .get(key, Consistency::Strong)
        .await?
        .as_ref()
        .and_then(|item| get_s(item, owner_attribute).map(str::to_owned)))
}

/// `pk/sk` of an item, for logs and errors (keys hold ids, never secrets).
pub fn item_key_text(item: &Item) -> String {
    format!(
        "{}/{}",
        super::get_s(item, super::schema::PK).unwrap_or("?"),
        super::get_s(item, super::schema::SK).unwrap_or("?")
    )
}

/// Decodes one item of a list or a projection. An item that cannot be read (a counter out of
/// range, a body an older version wrote differently) is logged with its key and skipped, so
/// that one bad record never fails a whole list.
pub fn readable<T>(item: &Item, decode: impl FnOnce(&Item) -> Result<T, StoreError>) -> Option<T> {
    match decode(item) {
        Ok(value) => Some(value),
        Err(error) => {
            tracing::warn!(key = %item_key_text(item), error = %error, "skipped a record that cannot be read");
            None
        }
    }
}

/// The keys of a batch read, by what they are, so that a batch's items can be told apart.
pub fn pick<'a>(items: &'a [Item], key: &Key) -> Option<&'a Item> {
    items.iter().find(|item| {
        get_s(item, schema::PK) == Some(key.pk.as_str())
            && get_s(item, schema::SK) == Some(key.sk.as_str())
    })
}

/// One update adding each non-zero delta to its numeric attribute.
pub fn add_counters(fields: &[(&'static str, i64)]) -> super::Update {
    fields
        .iter()
        .filter(|(_, delta)| *delta != 0)
        .fold(super::Update::new(), |update, (name, delta)| {
            update.add(*name, *delta)
        })
}

/// A numeric attribute of an item, zero when absent; an error when it does not fit an `i64`.
pub fn counter(item: &Item, name: &str) -> Result<i64, StoreError> {
    match item.get(name) {
        None => Ok(0),
        Some(value) => super::get_n(item, name).ok_or_else(|| StoreError::OutOfRange {
            key: item_key_text(item),
            attribute: name.to_owned(),
            value: format!("{value:?}"),
        }),
    }
}
