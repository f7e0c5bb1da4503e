//! Partner session records in the table: one item per session under the token's hash, expiring
//! through the table's TTL a day after the session does.

use super::PartnerSessionRecord;
use crate::layout;
use crate::store::{
    Condition, Consistency, ItemStore, Put, StoreError, TxOp, Update, UpdateItem, from_item, n, s,
    schema, to_item,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Expired sessions stay a day past expiry (for support questions), then the TTL removes them.
const KEEP_AFTER_EXPIRY: time::Duration = time::Duration::days(1);

/// A put of a new session, for a transaction.
pub fn insert(record: &PartnerSessionRecord) -> Result<TxOp, StoreError> {
    insert_expiring(
        record,
        layout::partner_session(&record.hashed_token),
        record.expires_at,
    )
}

/// A put of a new token's record under `key` (a hash: it must not exist yet), removed by the
/// table's TTL a day after `expires_at`. Sessions and embed tokens are stored alike.
pub(crate) fn insert_expiring<T: serde::Serialize>(
    record: &T,
    key: crate::store::Key,
    expires_at: OffsetDateTime,
) -> Result<TxOp, StoreError> {
    let mut item = to_item(record)?;
    item.extend(key.to_item().into_inner());
    item.insert(
        schema::TTL.into(),
        n((expires_at + KEEP_AFTER_EXPIRY).unix_timestamp()),
    );
    Ok(TxOp::Put(Put {
        item,
        condition: Some(Condition::NotExists),
    }))
}

/// Strong read: a revoked session must stop working at once.
pub async fn find_by_hash(
    store: &dyn ItemStore,
    hashed_token: &str,
) -> Result<Option<PartnerSessionRecord>, StoreError> {
    match store
        .get(&layout::partner_session(hashed_token), Consistency::Strong)
        .await?
    {
        Some(item) => Ok(Some(from_item(item)?)),
        None => Ok(None),
    }
}

/// Marks a session revoked; fails (condition) when it does not exist or is already revoked.
pub fn revoke(hashed_token: &str, now: OffsetDateTime) -> TxOp {
    TxOp::Update(UpdateItem {
        key: layout::partner_session(hashed_token),
        update: Update::new().set("revokedAt", s(now.format(&Rfc3339).expect("UTC formats"))),
        condition: Some(Condition::Exists.and(Condition::AttributeNotExists("revokedAt".into()))),
    })
}
