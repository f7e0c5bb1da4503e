//! Dub's `PUT /links/upsert` and the bulk link endpoints (`POST`, `PATCH` and `DELETE
//! /links/bulk`).
//!
//! The atomicity rule of the bulk endpoints (docs/dub-contract.md, "Choices"): every item is
//! checked before anything is written, and one refused item means nothing is written. The
//! writes are then transactions of up to 100 actions, and a link's actions (the link, its key
//! and external id claims, its destination entry, its event) always share one, so no link is
//! ever half written and no claim is left without its link. A
//! request of many links needs several transactions; should one fail (a key taken by another
//! request in between, a crash), the same request sent again finishes the job without
//! duplicates: a create records the links it wrote under the request's fingerprint, an update
//! applies the same data again (a no-op on the links already changed), a delete ignores the
//! links already gone.

use super::fields;
use super::manage::{
    self, CreateLink, UpdateLink, changed_link, check_domain, check_program_id, delete_ops, event,
    external_id_taken, insert_new, key_taken, new_link, refuse_default_link, refuse_discount_coded,
    stored_link, update_ops,
};
use super::repo::{self, StoredLink};
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::layout;
use crate::model::EventName;
use crate::model::LinkLabels;
use crate::model::{Actor, Link, LinkDetails, Program};
use crate::outbox;
use crate::programs::caller_program;
use crate::store::{
    Condition, Consistency, Item, Key, MAX_TRANSACTION_OPS, Put, StoreError, TxOp, Update,
    UpdateItem, get_n, get_s, n, s,
};
use crate::types::{LinkId, ProgramId};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};

/// Links per bulk request, as Dub allows.
pub const MAX_BULK_LINKS: usize = 100;

/// How long the same bulk create, sent again, is taken for a retry of the first.
const RETRY_WINDOW: time::Duration = time::Duration::hours(24);
/// When the table's TTL may delete a bulk create's record (after the window, with margin).
const KEEP_FOR: time::Duration = time::Duration::hours(48);
const EXPIRES_AT: &str = "expiresAt";
const RANDOM_KEY_ATTEMPTS: usize = 3;

/// `PUT /links/upsert`: the program's link to the same destination is changed by the fields
/// given (Dub matches `url` exactly, oldest link first), else a new link is made. The
/// destination compared is the one the link would store, i.e. with the request's UTM tags
/// written in, so that the same request twice finds the link the first one made.
pub async fn upsert_link(
    ctx: &AppContext,
    principal: &Principal,
    request: CreateLink,
) -> Result<Link, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksWrite).await?;
    fields::refuse_unknown(&request.unknown)?;
    let labels = crate::links::labels::read_labels(ctx.store.as_ref(), &program.id).await?;
    let mut details = LinkDetails::default();
    request.details.clone().apply(&mut details, &labels)?;
    let url = fields::with_utm(&fields::url("url", &request.url)?, &details)?;
    let Some(read) = repo::find_by_url(ctx.store.as_ref(), &program.id, &url).await? else {
        let (link, random_key) = new_link(ctx, &program, request, &labels).await?;
        return insert_new(ctx, principal.actor(), link, random_key, &labels).await;
    };
    check_domain(&program, request.domain.as_deref())?;
    check_program_id(&program, request.program_id.as_deref())?;
    let update = UpdateLink {
        url: Some(request.url),
        key: request.key,
        partner_id: request.partner_id.map(Some),
        tenant_id: request.tenant_id.map(Some),
        expires_at: request.expires_at.map(Some),
        expired_url: request.expired_url.map(Some),
        disabled: request.disabled,
        geo: request.geo.map(Some),
        ios: request.ios.map(Some),
        android: request.android.map(Some),
        details: request.details,
        unknown: request.unknown,
    };
    let link = changed_link(ctx, &program, &read.link, update, &labels).await?;
    if link == read.link {
        return Ok(link);
    }
    let (ops, conflicts) = update_ops(ctx, principal.actor(), &link, &read, &labels)?;
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(link),
        Err(error) => match error.failed_condition_index() {
            Some(index) => Err(conflicts.error(index, &link)),
            None => Err(error.into()),
        },
    }
}

/// One item of a bulk create's answer: its link, or why it was not created (with the item as
/// sent).
#[derive(Debug)]
pub enum BulkItem {
    Link(Box<Link>),
    Refused {
        item: serde_json::Value,
        error: DomainError,
    },
}

fn too_many(count: usize) -> DomainError {
    DomainError::Unprocessable(format!(
        "At most {MAX_BULK_LINKS} links per request; this one has {count}."
    ))
}

/// What an item of a bulk create became while it was checked.
enum Checked {
    /// Written by an earlier run of the same request.
    Done(BulkItem),
    Planned(Box<Link>),
    Refused(DomainError),
}

/// `POST /links/bulk`'s body: up to 100 links as `POST /links` takes them. Each item is read
/// on its own, so that a malformed one is answered with its error among the others.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
#[schema(value_type = Vec<CreateLink>)]
pub struct CreateLinks(pub Vec<serde_json::Value>);

/// `POST /links/bulk`: up to 100 links, each checked before any is written; one refused item
/// means none is written (the others are answered "not created"). Sent again, the same items
/// answer the links already written and write only the rest.
pub async fn create_links(
    ctx: &AppContext,
    principal: &Principal,
    CreateLinks(items): CreateLinks,
) -> Result<Vec<BulkItem>, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksWrite).await?;
    if items.len() > MAX_BULK_LINKS {
        return Err(too_many(items.len()));
    }
    let labels = crate::links::labels::read_labels(ctx.store.as_ref(), &program.id).await?;
    let record_key = bulk_record(&program.id, &items);
    let written = written_before(ctx, &record_key).await?;
    let mut checked = Vec::with_capacity(items.len());
    let mut keys = HashSet::new();
    let mut external_ids = HashSet::new();
    for (index, item) in items.iter().enumerate() {
        let outcome = match written.links.get(&index) {
            Some(id) => Checked::Done(earlier_link(ctx, &program, id, item).await?),
            None => {
                match check_new(ctx, &program, &labels, item, &mut keys, &mut external_ids).await {
                    Ok(link) => Checked::Planned(Box::new(link)),
                    Err(DomainError::Store(error)) => return Err(error.into()),
                    Err(DomainError::Queue(error)) => return Err(error.into()),
                    Err(error) => Checked::Refused(error),
                }
            }
        };
        checked.push(outcome);
    }
    let refused = checked.iter().any(|c| matches!(c, Checked::Refused(_)));
    if !refused {
        let planned: Vec<(usize, &Link)> = checked
            .iter()
            .enumerate()
            .filter_map(|(index, c)| match c {
                Checked::Planned(link) => Some((index, &**link)),
                _ => None,
            })
            .collect();
        let actor = principal.actor();
        write_created(ctx, actor, &labels, &record_key, written.live, &planned).await?;
    }
    Ok(checked
        .into_iter()
        .zip(items)
        .map(|(outcome, item)| match outcome {
            Checked::Done(done) => done,
            Checked::Planned(link) if !refused => BulkItem::Link(link),
            Checked::Planned(_) => BulkItem::Refused {
                item,
                error: DomainError::Unprocessable(
                    "Not created: another link of this request was refused, and a bulk \
                     create writes all of its links or none."
                        .into(),
                ),
            },
            Checked::Refused(error) => BulkItem::Refused { item, error },
        })
        .collect())
}

/// The record of a bulk create of these items: the same items are the same request.
pub fn bulk_record(program: &ProgramId, items: &[serde_json::Value]) -> Key {
    let bytes = serde_json::to_vec(items).expect("JSON values serialise");
    layout::link_bulk_record(program, &hex::encode(Sha256::digest(bytes)))
}

/// The links an earlier run of the same bulk create wrote, by item.
struct Written {
    /// Whether the record is within its retry window (else it is replaced).
    live: bool,
    links: BTreeMap<usize, LinkId>,
}

async fn written_before(ctx: &AppContext, record: &Key) -> Result<Written, DomainError> {
    let item = ctx.store.get(record, Consistency::Strong).await?;
    let now = ctx.clock.now().unix_timestamp();
    let Some(item) = item.filter(|item| get_n(item, EXPIRES_AT).is_some_and(|at| at > now)) else {
        return Ok(Written {
            live: false,
            links: BTreeMap::new(),
        });
    };
    let links = item
        .keys()
        .filter_map(|name| {
            let index = name.strip_prefix(WRITTEN_PREFIX)?.parse().ok()?;
            let id = LinkId::parse(get_s(&item, name)?).ok()?;
            Some((index, id))
        })
        .collect();
    Ok(Written { live: true, links })
}

/// The record's attribute naming the link written for item `index`.
const WRITTEN_PREFIX: &str = "item";

fn written_attribute(index: usize) -> String {
    format!("{WRITTEN_PREFIX}{index}")
}

/// An item an earlier run wrote: its link as it is now, or "not found" once deleted (its id
/// is not given to a new link).
async fn earlier_link(
    ctx: &AppContext,
    program: &Program,
    id: &LinkId,
    item: &serde_json::Value,
) -> Result<BulkItem, DomainError> {
    Ok(
        match repo::find(ctx.store.as_ref(), &program.id, id).await? {
            Some(stored) => BulkItem::Link(Box::new(stored.link)),
            None => BulkItem::Refused {
                item: item.clone(),
                error: DomainError::NotFound(format!(
                    "`{id}` was created by this request earlier and has been deleted since."
                )),
            },
        },
    )
}

/// One new link of a bulk create, checked against the table and the request's other items.
async fn check_new(
    ctx: &AppContext,
    program: &Program,
    labels: &LinkLabels,
    item: &serde_json::Value,
    keys: &mut HashSet<(String, String)>,
    external_ids: &mut HashSet<String>,
) -> Result<Link, DomainError> {
    let request: CreateLink = serde_json::from_value(item.clone())
        .map_err(|e| DomainError::Unprocessable(format!("Invalid link: {e}.")))?;
    let (mut link, random_key) = new_link(ctx, program, request, labels).await?;
    let mut attempts = 0;
    loop {
        let key = (link.domain.clone(), link.key.clone());
        let claimed = ctx
            .store
            .get(&layout::link_key_claim(&key.0, &key.1), Consistency::Strong)
            .await?
            .is_some();
        if !claimed && keys.insert(key) {
            break;
        }
        attempts += 1;
        if !random_key || attempts == RANDOM_KEY_ATTEMPTS {
            return Err(key_taken(&link));
        }
        link.key = super::LinkKey::random(ctx.random.as_ref())
            .as_str()
            .to_owned();
    }
    if let Some(external) = &link.details.external_id {
        let claim = layout::link_external_id_claim(&program.id, external);
        let claimed = ctx.store.get(&claim, Consistency::Strong).await?.is_some();
        if claimed || !external_ids.insert(external.clone()) {
            return Err(external_id_taken());
        }
    }
    Ok(link)
}

/// Actions per transaction left for links once the bulk record's own action is counted.
const LINK_OPS_PER_TRANSACTION: usize = MAX_TRANSACTION_OPS - 1;

/// Writes the planned links, each with its claims and event in one transaction, and in the
/// same transaction marks them written on the request's record.
async fn write_created(
    ctx: &AppContext,
    actor: Actor,
    labels: &LinkLabels,
    record: &Key,
    mut live: bool,
    planned: &[(usize, &Link)],
) -> Result<(), DomainError> {
    let mut groups = Vec::with_capacity(planned.len());
    for (index, link) in planned {
        let mut ops = repo::insert(link)?.to_vec();
        ops.extend(repo::external_id_claims(None, Some(link)));
        ops.extend(repo::destination_entries(None, Some(link)));
        ops.push(outbox::record(&event(
            ctx,
            actor.clone(),
            EventName::LinkCreated,
            link,
            labels,
        ))?);
        groups.push(((*index, *link), ops));
    }
    let mut created = 0;
    for chunk in pack(groups, LINK_OPS_PER_TRANSACTION) {
        let members: Vec<(usize, &Link)> = chunk.iter().map(|(member, _)| *member).collect();
        let mut ops = vec![record_op(ctx, record, live, &members)];
        ops.extend(chunk.into_iter().flat_map(|(_, ops)| ops));
        match ctx.store.transact(ops).await {
            Ok(()) => {
                live = true;
                created += members.len();
            }
            Err(error) => return Err(partly_created(error, created, &members)),
        }
    }
    Ok(())
}

/// The record's action in a transaction writing `members`: the record itself for the first
/// transaction of a request (replacing an expired one), else the marks of these items, on
/// the condition that no other run marked them first.
fn record_op(ctx: &AppContext, record: &Key, live: bool, members: &[(usize, &Link)]) -> TxOp {
    let now = ctx.clock.now();
    let expires_at = (now + RETRY_WINDOW).unix_timestamp();
    let ttl = (now + KEEP_FOR).unix_timestamp();
    let marks = members
        .iter()
        .map(|(index, link)| (written_attribute(*index), s(link.id.as_str())));
    if !live {
        let mut item: Item = record.to_item();
        item.insert(EXPIRES_AT.into(), n(expires_at));
        item.insert(crate::store::schema::TTL.into(), n(ttl));
        item.extend(marks);
        return TxOp::Put(Put {
            item,
            condition: Some(Condition::Or(vec![
                Condition::NotExists,
                Condition::LessOrEqual(EXPIRES_AT.into(), n(now.unix_timestamp())),
            ])),
        });
    }
    let mut update = Update::new();
    let mut unmarked = Vec::new();
    for (name, value) in marks {
        unmarked.push(Condition::AttributeNotExists(name.clone()));
        update = update.set(name, value);
    }
    TxOp::Update(UpdateItem {
        key: record.clone(),
        update,
        condition: Some(Condition::And(unmarked)),
    })
}

/// The error of a bulk create whose transaction failed after `created` links were written.
fn partly_created(error: StoreError, created: usize, members: &[(usize, &Link)]) -> DomainError {
    let Some(failed) = error.failed_condition_index() else {
        return error.into();
    };
    let reason = match failed {
        0 => "the same request is being applied at the same time".to_owned(),
        // Each link's actions are consecutive: the record's action, then 4 or 5 per link.
        _ => {
            let culprit = culprit(members, failed - 1)
                .map_or_else(|| "a link".to_owned(), |index| format!("item {index}"));
            format!("the key or external id of {culprit} was taken meanwhile")
        }
    };
    DomainError::Conflict(format!(
        "{created} links of this request were created before {reason}. Send the same request \
         again: the links created are answered as they are and only the rest is written."
    ))
}

/// The item whose actions include the `position`-th link action of a transaction.
fn culprit(members: &[(usize, &Link)], position: usize) -> Option<usize> {
    let mut start = 0;
    for (index, link) in members {
        let len = 4 + usize::from(link.details.external_id.is_some());
        if position < start + len {
            return Some(*index);
        }
        start += len;
    }
    None
}

/// Groups of actions packed in order into transactions of at most `budget` actions, a group
/// never split.
fn pack<T>(groups: Vec<(T, Vec<TxOp>)>, budget: usize) -> Vec<Vec<(T, Vec<TxOp>)>> {
    let mut chunks: Vec<Vec<(T, Vec<TxOp>)>> = Vec::new();
    let mut size = 0;
    for group in groups {
        let len = group.1.len();
        match chunks.last_mut() {
            Some(chunk) if size + len <= budget => chunk.push(group),
            _ => {
                chunks.push(vec![group]);
                size = 0;
            }
        }
        size += len;
    }
    chunks
}

/// `PATCH /links/bulk`: the same data applied to up to 100 links named by `linkIds` (which win)
/// or `externalIds`.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BulkUpdateLinks {
    pub link_ids: Option<Vec<String>>,
    pub external_ids: Option<Vec<String>>,
    /// What changes on every link; `key` and `externalId` are a link's own, so not allowed.
    pub data: UpdateLink,
}

/// `PATCH /links/bulk`: every link is read and its change checked before any is written; a
/// link that is not the program's is 404 and nothing changes. Answers the links, changed or not.
pub async fn update_links(
    ctx: &AppContext,
    principal: &Principal,
    request: BulkUpdateLinks,
) -> Result<Vec<Link>, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksWrite).await?;
    if request.data.key.is_some() || request.data.details.external_id.is_some() {
        return Err(DomainError::Unprocessable(
            "`data` cannot set `key` or `externalId`: each link has its own.".into(),
        ));
    }
    let names: Vec<String> = match (request.link_ids, request.external_ids) {
        (Some(ids), _) if !ids.is_empty() => ids,
        (_, Some(ids)) if !ids.is_empty() => ids
            .into_iter()
            .map(|id| format!("{}{id}", manage::EXTERNAL_ID_PREFIX))
            .collect(),
        _ => {
            return Err(DomainError::Unprocessable(
                "Give `linkIds` or `externalIds`.".into(),
            ));
        }
    };
    let reads = read_all(ctx, &program, names).await?;
    let missing: Vec<&str> = reads
        .iter()
        .filter(|(_, read)| read.is_none())
        .map(|(name, _)| name.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(DomainError::NotFound(format!(
            "Links not found in this program: {}.",
            missing.join(", ")
        )));
    }
    let labels = crate::links::labels::read_labels(ctx.store.as_ref(), &program.id).await?;
    let mut links = Vec::with_capacity(reads.len());
    let mut groups = Vec::new();
    for read in reads.into_iter().filter_map(|(_, read)| read) {
        let data = request.data.clone();
        let link = changed_link(ctx, &program, &read.link, data, &labels).await?;
        if link != read.link {
            let actor = principal.actor();
            groups.push(((), update_ops(ctx, actor, &link, &read, &labels)?.0));
        }
        links.push(link);
    }
    write_all(ctx, groups, "updated").await?;
    Ok(links)
}

/// `DELETE /links/bulk?linkIds=a,b`: up to 100 links; ids that are not the program's are
/// ignored, as Dub ignores unknown ids. A partner's default link among them is 409 and nothing
/// is deleted. Answers how many links were deleted.
pub async fn delete_links(
    ctx: &AppContext,
    principal: &Principal,
    link_ids: Option<&str>,
) -> Result<usize, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksWrite).await?;
    let names: Vec<String> = link_ids
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect();
    if names.is_empty() {
        return Err(DomainError::BadRequest(
            "Give `linkIds`, comma-separated.".into(),
        ));
    }
    let reads: Vec<StoredLink> = read_all(ctx, &program, names)
        .await?
        .into_iter()
        .filter_map(|(_, read)| read)
        .collect();
    for read in &reads {
        refuse_default_link(ctx, &program, &read.link).await?;
        refuse_discount_coded(ctx, &read.link).await?;
    }
    let labels = crate::links::labels::read_labels(ctx.store.as_ref(), &program.id).await?;
    let mut groups = Vec::with_capacity(reads.len());
    for read in &reads {
        groups.push(((), delete_ops(ctx, principal.actor(), read, &labels)?.0));
    }
    write_all(ctx, groups, "deleted").await?;
    Ok(reads.len())
}

/// The program's links by id (or `ext_` + external id), each named once, in order; `None`
/// for a name that is not a link of the program.
async fn read_all(
    ctx: &AppContext,
    program: &Program,
    names: Vec<String>,
) -> Result<Vec<(String, Option<StoredLink>)>, DomainError> {
    if names.len() > MAX_BULK_LINKS {
        return Err(too_many(names.len()));
    }
    let (mut names_seen, mut links_seen) = (HashSet::new(), HashSet::new());
    let mut reads = Vec::with_capacity(names.len());
    for name in names {
        if !names_seen.insert(name.clone()) {
            continue;
        }
        let read = match stored_link(ctx, program, &name).await {
            Ok(read) => Some(read),
            Err(DomainError::NotFound(_)) => None,
            Err(error) => return Err(error),
        };
        // The same link named by its id and by its external id is one link.
        if let Some(read) = &read
            && !links_seen.insert(read.link.id.to_string())
        {
            continue;
        }
        reads.push((name, read));
    }
    Ok(reads)
}

/// Writes the groups in transactions of whole groups. A failed condition (a link changed or
/// deleted by another request in between) stops at that transaction: the ones before it are
/// written, and the same request sent again does the rest.
async fn write_all(
    ctx: &AppContext,
    groups: Vec<((), Vec<TxOp>)>,
    done: &str,
) -> Result<(), DomainError> {
    let mut written = 0;
    for chunk in pack(groups, MAX_TRANSACTION_OPS) {
        let count = chunk.len();
        let ops = chunk.into_iter().flat_map(|(_, ops)| ops).collect();
        match ctx.store.transact(ops).await {
            Ok(()) => written += count,
            Err(error) if error.failed_condition_index().is_some() => {
                return Err(DomainError::Conflict(format!(
                    "A link changed while this request ran, after {written} of its links were \
                     {done}; send the same request again to finish."
                )));
            }
            Err(error) => return Err(error.into()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op() -> TxOp {
        TxOp::Delete(crate::store::Delete {
            key: Key::new("pk", "sk"),
            condition: None,
        })
    }

    #[test]
    fn links_are_packed_whole_in_order() {
        let groups: Vec<(usize, Vec<TxOp>)> = (0..40)
            .map(|n| (n, (0..4 + n % 2).map(|_| op()).collect()))
            .collect();
        let chunks = pack(groups, LINK_OPS_PER_TRANSACTION);
        let members: Vec<Vec<usize>> = chunks
            .iter()
            .map(|chunk| chunk.iter().map(|(n, _)| *n).collect())
            .collect();
        assert_eq!(
            members.concat(),
            (0..40).collect::<Vec<_>>(),
            "in order, once each"
        );
        for chunk in &chunks {
            let actions: usize = chunk.iter().map(|(_, ops)| ops.len()).sum();
            assert!(actions <= LINK_OPS_PER_TRANSACTION, "{actions} actions");
        }
        // 4.5 actions a link on average: 22 links fill 99 actions.
        assert_eq!(members[0].len(), 22);
    }
}
