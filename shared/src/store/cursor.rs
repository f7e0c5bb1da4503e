//! Opaque query cursors: the last evaluated key, as DynamoDB JSON in URL-safe base64.
//! Both engines use the same encoding.

use super::{Item, StoreError};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub fn encode_cursor(last_key: &Item) -> String {
    let json = serde_json::to_vec(last_key).expect("an item always serialises");
    URL_SAFE_NO_PAD.encode(json)
}

pub fn decode_cursor(cursor: &str) -> Result<Item, StoreError> {
    let invalid = || StoreError::Validation("the cursor is not one this store issued".into());
    let json = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    serde_json::from_slice(&json).map_err(|_| invalid())
}
