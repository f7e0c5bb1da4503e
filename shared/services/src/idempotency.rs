//! Stripe-style `Idempotency-Key`: the first successful response to a key is stored and
//! replayed for at least 24 hours; the same key with another request is 409.
//!
//! The record is written by a condition (absent, or expired) inside the transaction of the
//! change itself, so two racing requests with one key cannot both change anything: the loser's
//! transaction fails on the record and it replays the winner's response. Requests that fail
//! (4xx, 5xx) store nothing, as Stripe does for validation errors.

use crate::error::DomainError;
use crate::layout;
use crate::store::{
    AttributeValue, Condition, Consistency, Item, ItemStore, Key, Put, StoreError, TxOp, get_n,
    get_s, n, s, schema,
};
use crate::types::ProgramId;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// The header's name.
pub const HEADER: &str = "idempotency-key";
/// How long a stored response is replayed.
pub const REPLAY_WINDOW: time::Duration = time::Duration::hours(24);
/// When the table's TTL may delete the record (after the replay window, with margin).
const KEEP_FOR: time::Duration = time::Duration::hours(48);
const MAX_KEY_LEN: usize = 255;

/// A request's idempotency key and the fingerprint of the request it was first sent with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    key_hash: String,
    request_hash: String,
}

impl IdempotencyKey {
    /// The key of a request, if it sent one: 400 for an empty or over-long key. The request
    /// fingerprint covers the route and the exact body.
    pub fn from_header(
        header: Option<&str>,
        route: &str,
        body: &[u8],
    ) -> Result<Option<Self>, DomainError> {
        let Some(key) = header else {
            return Ok(None);
        };
        let key = key.trim();
        if key.is_empty() || key.len() > MAX_KEY_LEN {
            return Err(DomainError::BadRequest(format!(
                "`Idempotency-Key` must have 1 to {MAX_KEY_LEN} characters."
            )));
        }
        let request_hash = hex::encode(
            Sha256::new()
                .chain_update(route.as_bytes())
                .chain_update([0u8])
                .chain_update(body)
                .finalize(),
        );
        Ok(Some(Self {
            key_hash: hex::encode(Sha256::digest(key.as_bytes())),
            request_hash,
        }))
    }

    /// The same key, private to `scope` within the program. Keys are chosen by the caller, so
    /// callers that share a program but not an identity (its partners, each in their own
    /// session) could pick the same value: scoping keeps each one's stored response and 409
    /// to themselves. Program-wide keys stay unscoped, so their stored records keep working.
    pub fn scoped(self, scope: &str) -> Self {
        let key_hash = hex::encode(
            Sha256::new()
                .chain_update(scope.as_bytes())
                .chain_update([0u8])
                .chain_update(self.key_hash.as_bytes())
                .finalize(),
        );
        Self { key_hash, ..self }
    }

    /// The key of this key's record, for callers that read it in a batch with other items.
    pub fn record_key(&self, program: &ProgramId) -> Key {
        layout::idempotency_record(program, &self.key_hash)
    }
}

/// A response stored with the change it reports: the one this request built, or the one the
/// first request with the same key (or invoice) got, replayed as it was stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Recorded<T> {
    Built(T),
    Stored(serde_json::Value),
}

/// The stored response for a key, if one is still replayable; 409 when it was stored for a
/// different request.
pub async fn replay(
    store: &dyn ItemStore,
    program: &ProgramId,
    key: &IdempotencyKey,
    now: OffsetDateTime,
) -> Result<Option<serde_json::Value>, DomainError> {
    let item = store
        .get(&key.record_key(program), Consistency::Strong)
        .await?;
    replay_of(item.as_ref(), key, now)
}

/// [`replay`] from the record's item as read (absent: nothing to replay). An eventually
/// consistent read may miss a record written a moment ago; the record's condition in the
/// transaction then catches the repeat, and the caller replays with a strong read.
pub fn replay_of(
    item: Option<&Item>,
    key: &IdempotencyKey,
    now: OffsetDateTime,
) -> Result<Option<serde_json::Value>, DomainError> {
    let Some(item) = item else {
        return Ok(None);
    };
    if get_n(item, "expiresAt").unwrap_or(0) <= now.unix_timestamp() {
        return Ok(None);
    }
    if get_s(item, "requestHash") != Some(key.request_hash.as_str()) {
        return Err(DomainError::Conflict(
            "This Idempotency-Key was used with a different request.".into(),
        ));
    }
    let body = get_s(item, "response")
        .ok_or_else(|| StoreError::Validation("idempotency record without response".into()))?;
    Ok(Some(
        serde_json::from_str(body).map_err(StoreError::engine)?,
    ))
}

/// The transaction action that stores `response` under the key: fails when a live record of
/// the key exists.
pub fn record<T: serde::Serialize>(
    program: &ProgramId,
    key: &IdempotencyKey,
    response: &T,
    now: OffsetDateTime,
) -> TxOp {
    let mut item = layout::idempotency_record(program, &key.key_hash).to_item();
    item.insert("requestHash".into(), s(key.request_hash.clone()));
    item.insert("response".into(), s(stored_text(response)));
    item.insert(
        "expiresAt".into(),
        n((now + REPLAY_WINDOW).unix_timestamp()),
    );
    item.insert(schema::TTL.into(), n((now + KEEP_FOR).unix_timestamp()));
    TxOp::Put(Put {
        item,
        condition: Some(Condition::Or(vec![
            Condition::NotExists,
            Condition::LessOrEqual(
                "expiresAt".into(),
                AttributeValue::N(now.unix_timestamp().to_string()),
            ),
        ])),
    })
}

/// The JSON text a response is stored as.
pub fn stored_text<T: serde::Serialize>(response: &T) -> String {
    serde_json::to_string(response).expect("response bodies always serialise")
}

/// Stores `response` for a request that changed nothing (so had no transaction of its own).
/// A lost race means another request with this key stored first: its response wins.
pub async fn record_alone<T: serde::Serialize>(
    store: &dyn ItemStore,
    program: &ProgramId,
    key: &IdempotencyKey,
    response: Recorded<T>,
    now: OffsetDateTime,
) -> Result<Recorded<T>, DomainError> {
    match store
        .transact(vec![record(program, key, &response, now)])
        .await
    {
        Ok(()) => Ok(response),
        Err(error) if error.is_condition_failure() => Ok(replay(store, program, key, now)
            .await?
            .map_or(response, Recorded::Stored)),
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_covers_route_and_body_and_keys_are_checked() {
        let a = IdempotencyKey::from_header(Some("k1"), "/track/sale", b"{}")
            .unwrap()
            .unwrap();
        let b = IdempotencyKey::from_header(Some("k1"), "/track/sale", b"{ }")
            .unwrap()
            .unwrap();
        let c = IdempotencyKey::from_header(Some("k1"), "/track/lead", b"{}")
            .unwrap()
            .unwrap();
        assert_eq!(a.key_hash, b.key_hash);
        assert_ne!(a.request_hash, b.request_hash);
        assert_ne!(a.request_hash, c.request_hash);
        assert!(
            IdempotencyKey::from_header(None, "/x", b"")
                .unwrap()
                .is_none()
        );
        assert!(IdempotencyKey::from_header(Some(" "), "/x", b"").is_err());
        assert!(IdempotencyKey::from_header(Some(&"k".repeat(256)), "/x", b"").is_err());
    }

    #[test]
    fn scoped_keys_are_private_to_their_scope() {
        let key = IdempotencyKey::from_header(Some("k1"), "/deals", b"{}")
            .unwrap()
            .unwrap();
        let jane = key.clone().scoped("pn_jane");
        let bob = key.clone().scoped("pn_bob");
        assert_ne!(jane.key_hash, key.key_hash);
        assert_ne!(jane.key_hash, bob.key_hash);
        assert_eq!(jane, key.clone().scoped("pn_jane"), "stable per scope");
        assert_eq!(jane.request_hash, key.request_hash);
    }
}
