//! API key records in the table.

use super::ApiKeyRecord;
use crate::layout;
use crate::store::{
    Condition, Consistency, ItemStore, Page, Put, Query, StoreError, TxOp, Update, UpdateItem,
    from_item, s, schema, to_item,
};
use crate::types::{ApiKeyId, ProgramId};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A put of a new key record, for a transaction.
pub fn insert(record: &ApiKeyRecord) -> Result<TxOp, StoreError> {
    let key = layout::api_key(&record.hashed_key);
    let mut item = to_item(record)?;
    item.extend(key.to_item().into_inner());
    item.insert(
        schema::GSI1.pk.into(),
        s(layout::api_keys_index_pk(&record.program_id)),
    );
    item.insert(
        schema::GSI1.sk.into(),
        s(layout::api_keys_index_sk(&record.id)),
    );
    Ok(TxOp::Put(Put {
        item,
        condition: Some(Condition::NotExists),
    }))
}

pub async fn find_by_hash(
    store: &dyn ItemStore,
    hashed_key: &str,
) -> Result<Option<ApiKeyRecord>, StoreError> {
    // Strong read: a revoked key must stop working at once.
    match store
        .get(&layout::api_key(hashed_key), Consistency::Strong)
        .await?
    {
        Some(item) => Ok(Some(from_item(item)?)),
        None => Ok(None),
    }
}

pub async fn find_by_id(
    store: &dyn ItemStore,
    program: &ProgramId,
    id: &ApiKeyId,
) -> Result<Option<ApiKeyRecord>, StoreError> {
    let query = Query::index(schema::GSI1.name, layout::api_keys_index_pk(program))
        .range(crate::store::RangeCondition::Equals(
            layout::api_keys_index_sk(id),
        ))
        .limit(1);
    let page = store.query(query).await?;
    page.items.into_iter().next().map(from_item).transpose()
}

pub async fn list(
    store: &dyn ItemStore,
    program: &ProgramId,
    cursor: Option<String>,
    limit: u32,
) -> Result<(Vec<ApiKeyRecord>, Option<String>), StoreError> {
    let query = Query::index(schema::GSI1.name, layout::api_keys_index_pk(program))
        .descending()
        .limit(limit)
        .cursor(cursor);
    let Page { items, next } = store.query(query).await?;
    let records = items.into_iter().map(from_item).collect::<Result<_, _>>()?;
    Ok((records, next))
}

/// Marks a key revoked, for a transaction; fails if it is already revoked.
pub fn revoke(record: &ApiKeyRecord, now: OffsetDateTime) -> TxOp {
    TxOp::Update(UpdateItem {
        key: layout::api_key(&record.hashed_key),
        update: Update::new().set("revokedAt", s(now.format(&Rfc3339).expect("UTC formats"))),
        condition: Some(Condition::Exists.and(Condition::AttributeNotExists("revokedAt".into()))),
    })
}

/// Records the time of use. Best effort: a failure here must not fail the request.
pub async fn touch(
    store: &dyn ItemStore,
    record: &ApiKeyRecord,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    store
        .update(UpdateItem {
            key: layout::api_key(&record.hashed_key),
            update: Update::new().set("lastUsedAt", s(now.format(&Rfc3339).expect("UTC formats"))),
            condition: Some(Condition::Exists),
        })
        .await
        .map(|_| ())
}
