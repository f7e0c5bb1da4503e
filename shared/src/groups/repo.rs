//! Group records in the table: one item per group (rewards, discount and move rules inside,
//! kept as the group's exact JSON) and one slug claim per group.

use crate::context::ProgramConfigCache;
use crate::layout;
use crate::model::PartnerGroup;
use crate::store::{
    Condition, Delete, Item, ItemStore, Page, Put, Query, RangeCondition, StoreError, TxOp, get_s,
    n, s,
};
use crate::types::{GroupId, ProgramId};

fn item(group: &PartnerGroup) -> Result<Item, StoreError> {
    let mut item = layout::group(&group.program_id, &group.id).to_item();
    // JSON keeps nested shapes (untagged condition values, percentages) exact on every engine.
    item.insert(
        "body".into(),
        s(serde_json::to_string(group).map_err(StoreError::engine)?),
    );
    item.insert("slug".into(), s(group.slug.clone()));
    item.insert("version".into(), n(group.version as i64));
    Ok(item)
}

fn decode(item: &Item) -> Result<PartnerGroup, StoreError> {
    let body = get_s(item, "body")
        .ok_or_else(|| StoreError::Validation("group item without body".into()))?;
    serde_json::from_str(body).map_err(StoreError::engine)
}

fn slug_claim(group: &PartnerGroup) -> Put {
    let mut claim = layout::group_slug_claim(&group.program_id, &group.slug).to_item();
    claim.insert("groupId".into(), s(group.id.to_string()));
    Put {
        item: claim,
        condition: Some(Condition::NotExists),
    }
}

fn release_slug(program: &ProgramId, slug: &str) -> TxOp {
    TxOp::Delete(Delete {
        key: layout::group_slug_claim(program, slug),
        condition: None,
    })
}

/// Creates a group: the group (index 0) and its slug claim (index 1, fails when taken).
pub fn insert(group: &PartnerGroup) -> Result<Vec<TxOp>, StoreError> {
    Ok(vec![
        TxOp::Put(Put {
            item: item(group)?,
            condition: Some(Condition::NotExists),
        }),
        TxOp::Put(slug_claim(group)),
    ])
}

/// Replaces a group read at `read_version` (index 0); a new slug is claimed (index 1) and the
/// old one released.
pub fn replace(
    group: &PartnerGroup,
    read_version: u64,
    old_slug: &str,
) -> Result<Vec<TxOp>, StoreError> {
    let mut ops = vec![TxOp::Put(Put {
        item: item(group)?,
        condition: Some(Condition::version(read_version)),
    })];
    if group.slug != old_slug {
        ops.push(TxOp::Put(slug_claim(group)));
        ops.push(release_slug(&group.program_id, old_slug));
    }
    Ok(ops)
}

/// Deletes a group read at its current version, and its slug claim.
pub fn delete(group: &PartnerGroup) -> Vec<TxOp> {
    vec![
        TxOp::Delete(Delete {
            key: layout::group(&group.program_id, &group.id),
            condition: Some(Condition::version(group.version)),
        }),
        release_slug(&group.program_id, &group.slug),
    ]
}

/// Fails the transaction if the group changed (or went) since it was read.
pub fn unchanged(group: &PartnerGroup) -> TxOp {
    TxOp::Check {
        key: layout::group(&group.program_id, &group.id),
        condition: Condition::version(group.version),
    }
}

pub async fn find(
    store: &dyn ItemStore,
    program: &ProgramId,
    id: &GroupId,
) -> Result<Option<PartnerGroup>, StoreError> {
    store
        .get(
            &layout::group(program, id),
            crate::store::Consistency::Strong,
        )
        .await?
        .as_ref()
        .map(decode)
        .transpose()
}

/// The group, from the process's cache or read (strongly) and remembered; absent groups are
/// not remembered. The tracking path reads a partner's group with every lead and sale.
pub async fn find_cached(
    cache: &ProgramConfigCache,
    store: &dyn ItemStore,
    program: &ProgramId,
    id: &GroupId,
) -> Result<Option<PartnerGroup>, StoreError> {
    if let Some(group) = cache.group(program, id) {
        return Ok(Some(group));
    }
    let found = find(store, program, id).await?;
    if let Some(group) = &found {
        cache.remember_group(group);
    }
    Ok(found)
}

fn groups_query(program: &ProgramId) -> Query {
    Query::table(layout::program_pk(program))
        .range(RangeCondition::BeginsWith(layout::GROUP_SK_PREFIX.into()))
}

/// One page of a program's groups, oldest first.
pub async fn list(
    store: &dyn ItemStore,
    program: &ProgramId,
    cursor: Option<String>,
    limit: u32,
) -> Result<(Vec<PartnerGroup>, Option<String>), StoreError> {
    let Page { items, next } = store
        .query(groups_query(program).limit(limit).cursor(cursor))
        .await?;
    let groups = items.iter().map(decode).collect::<Result<_, _>>()?;
    Ok((groups, next))
}

/// Every group of a program, read strongly (for rules that span groups).
pub async fn all(
    store: &dyn ItemStore,
    program: &ProgramId,
) -> Result<Vec<PartnerGroup>, StoreError> {
    let mut groups = Vec::new();
    let mut cursor = None;
    loop {
        let Page { items, next } = store
            .query(groups_query(program).consistent().cursor(cursor))
            .await?;
        for item in &items {
            groups.push(decode(item)?);
        }
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok(groups),
        }
    }
}

/// A program's group by slug (`default` for the group every program starts with).
pub async fn find_by_slug(
    store: &dyn ItemStore,
    program: &ProgramId,
    slug: &str,
) -> Result<Option<PartnerGroup>, StoreError> {
    let claim = store
        .get(
            &layout::group_slug_claim(program, slug),
            crate::store::Consistency::Strong,
        )
        .await?;
    let Some(id) = claim
        .as_ref()
        .and_then(|item| get_s(item, "groupId"))
        .and_then(|id| GroupId::parse(id).ok())
    else {
        return Ok(None);
    };
    find(store, program, &id).await
}
