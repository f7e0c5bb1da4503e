//! Link records: the link item (its JSON body, `version`, counters beside it, a gsi1 entry
//! listing a partner's links and a gsi2 entry listing the program's links by creation time), and the domain+key claim that makes a key unique and carries the
//! redirect's [`RedirectTarget`].

use super::target::RedirectTarget;
use crate::layout;
use crate::links::stats::link_stats_of;
use crate::links::stats::write_link_stats;
use crate::model::Link;

use crate::store::records::readable;
use crate::store::records::{BODY, claim_owner, compact_json_item, from_json_item};
use crate::store::{
    Condition, Consistency, Delete, Item, ItemStore, Key, Put, Query, StoreError, TxOp, Update,
    UpdateItem, get_n, get_s, s, schema,
};
use crate::types::{LinkId, PartnerId, ProgramId};
use time::OffsetDateTime;

const OWNER: &str = "linkId";
const TARGET: &str = "target";
const CHANGED_KEY: &str = "key";
const CHANGED_PARTNER: &str = "partnerId";

/// A link as stored, with the version its next write must be conditioned on.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredLink {
    pub link: Link,
    pub version: u64,
}

fn item(link: &Link, version: u64) -> Result<Item, StoreError> {
    let mut item = compact_json_item(&layout::link(&link.id), link, version)?;
    item.insert(
        schema::GSI2.pk.into(),
        s(layout::program_links_index_pk(&link.program_id)),
    );
    item.insert(
        schema::GSI2.sk.into(),
        s(layout::time_sk(link.created_at, link.id.as_str())),
    );
    if let Some(partner) = &link.partner_id {
        item.insert(
            schema::GSI1.pk.into(),
            s(layout::partner_links_index_pk(&link.program_id, partner)),
        );
        item.insert(schema::GSI1.sk.into(), s(link.id.to_string()));
    }
    Ok(item)
}

fn claim_item(link: &Link) -> Result<Item, StoreError> {
    let mut item = layout::link_key_claim(&link.domain, &link.key).to_item();
    item.insert(OWNER.into(), s(link.id.as_str()));
    let target = serde_json::to_string(&RedirectTarget::from(link)).map_err(StoreError::engine)?;
    item.insert(TARGET.into(), s(target));
    Ok(item)
}

fn owned_by(link: &LinkId) -> Condition {
    Condition::equals(OWNER, s(link.as_str()))
}

/// The link record, then the claim on its domain and key (fails when the key is taken).
pub fn insert(link: &Link) -> Result<[TxOp; 2], StoreError> {
    Ok([
        TxOp::Put(Put {
            item: {
                let mut item = item(link, 1)?;
                write_link_stats(&mut item, &link.stats);
                item
            },
            condition: Some(Condition::NotExists),
        }),
        TxOp::Put(Put {
            item: claim_item(link)?,
            condition: Some(Condition::NotExists),
        }),
    ])
}

/// Rewrites a link read at `read` (an update that leaves its counters alone) and its claim: the
/// same claim rewritten in place, or, when the key changed, the old one released and the new
/// one taken (the last action fails when the new key is taken).
pub fn replace(link: &Link, read: &StoredLink) -> Result<Vec<TxOp>, StoreError> {
    let mut written = item(link, read.version + 1)?;
    let mut update = Update::new();
    for name in [
        BODY,
        "version",
        schema::GSI1.pk,
        schema::GSI1.sk,
        schema::GSI2.pk,
        schema::GSI2.sk,
    ] {
        update = match written.remove(name) {
            Some(value) => update.set(name, value),
            None => update.remove(name),
        };
    }
    let mut ops = vec![TxOp::Update(UpdateItem {
        key: layout::link(&link.id),
        update,
        condition: Some(Condition::version(read.version)),
    })];
    let old = &read.link;
    if old.domain == link.domain && old.key == link.key {
        ops.push(TxOp::Put(Put {
            item: claim_item(link)?,
            condition: Some(owned_by(&link.id)),
        }));
    } else {
        ops.push(TxOp::Delete(Delete {
            key: layout::link_key_claim(&old.domain, &old.key),
            condition: Some(owned_by(&link.id)),
        }));
        ops.push(TxOp::Put(Put {
            item: claim_item(link)?,
            condition: Some(Condition::NotExists),
        }));
    }
    Ok(ops)
}

/// Deletes a link read at `read` and releases its key.
pub fn remove(read: &StoredLink) -> [TxOp; 2] {
    [
        TxOp::Delete(Delete {
            key: layout::link(&read.link.id),
            condition: Some(Condition::version(read.version)),
        }),
        TxOp::Delete(Delete {
            key: layout::link_key_claim(&read.link.domain, &read.link.key),
            condition: Some(owned_by(&read.link.id)),
        }),
    ]
}

/// The claim that makes a link's `externalId` unique in its program (Dub's rule), and finds the
/// link by it: to claim the new id and release the old one as a link goes from `old` to `new`
/// (either absent for a create or a delete). Empty when the external id does not change.
pub fn external_id_claims(old: Option<&Link>, new: Option<&Link>) -> Vec<TxOp> {
    let id_of = |link: Option<&Link>| link.and_then(|l| l.details.external_id.clone());
    let (before, after) = (id_of(old), id_of(new));
    if before == after {
        return Vec::new();
    }
    let mut ops = Vec::new();
    if let (Some(external), Some(link)) = (&before, old) {
        ops.push(TxOp::Delete(Delete {
            key: layout::link_external_id_claim(&link.program_id, external),
            condition: Some(owned_by(&link.id)),
        }));
    }
    if let (Some(external), Some(link)) = (&after, new) {
        let mut item = layout::link_external_id_claim(&link.program_id, external).to_item();
        item.insert(OWNER.into(), s(link.id.as_str()));
        ops.push(TxOp::Put(Put {
            item,
            condition: Some(Condition::NotExists),
        }));
    }
    ops
}

/// The link of `program` with this external id, strongly read.
pub async fn find_by_external_id(
    store: &dyn ItemStore,
    program: &ProgramId,
    external_id: &str,
) -> Result<Option<StoredLink>, StoreError> {
    let claim = layout::link_external_id_claim(program, external_id);
    let Some(owner) = claim_owner(store, &claim, OWNER).await? else {
        return Ok(None);
    };
    let id = LinkId::parse(&owner).map_err(|e| StoreError::Validation(e.0))?;
    find(store, program, &id).await
}

/// The link record of an item (see [`link_of`]), without its version.
pub fn link_record_of(item: &Item) -> Result<Link, StoreError> {
    link_of(item).map(|stored| stored.link)
}

/// A link from its item: the record from the body, the counters from their attributes.
pub fn link_of(item: &Item) -> Result<StoredLink, StoreError> {
    let mut link: Link = from_json_item(item)?;
    link.stats = link_stats_of(item)?;
    let version = get_n(item, "version").unwrap_or(1).max(1) as u64;
    Ok(StoredLink { link, version })
}

/// A link of `program` by id; another program's link is not found.
pub async fn find(
    store: &dyn ItemStore,
    program: &ProgramId,
    id: &LinkId,
) -> Result<Option<StoredLink>, StoreError> {
    let found = store
        .get(&layout::link(id), Consistency::Strong)
        .await?
        .as_ref()
        .map(link_of)
        .transpose()?;
    Ok(found.filter(|stored| &stored.link.program_id == program))
}

/// The link served at `domain`/`key` (key normalised), strongly read.
pub async fn find_by_key(
    store: &dyn ItemStore,
    domain: &str,
    key: &str,
) -> Result<Option<StoredLink>, StoreError> {
    let claim = store
        .get(&layout::link_key_claim(domain, key), Consistency::Strong)
        .await?;
    let Some(owner) = claim.as_ref().and_then(|item| get_s(item, OWNER)) else {
        return Ok(None);
    };
    let id = LinkId::parse(owner).map_err(|e| StoreError::Validation(e.0))?;
    store
        .get(&layout::link(&id), Consistency::Strong)
        .await?
        .as_ref()
        .map(link_of)
        .transpose()
}

/// The redirect's read: one eventually consistent `GetItem` of the claim. Claims written before
/// targets were kept in them (none yet in production) fall back to the link item.
pub async fn find_target(
    store: &dyn ItemStore,
    domain: &str,
    key: &str,
) -> Result<Option<RedirectTarget>, StoreError> {
    let claim_key: Key = layout::link_key_claim(domain, key);
    let Some(claim) = store.get(&claim_key, Consistency::Eventual).await? else {
        return Ok(None);
    };
    if let Some(target) = get_s(&claim, TARGET) {
        return serde_json::from_str(target)
            .map(Some)
            .map_err(StoreError::engine);
    }
    Ok(find_by_key(store, domain, key)
        .await?
        .map(|stored| RedirectTarget::from(&stored.link)))
}

/// How long a change note is kept: longer than a redirect instance goes without reading its
/// domain's notes before it stops trusting its cache (`redirect::watch`).
const CHANGE_NOTE_TTL: time::Duration = time::Duration::days(1);

/// What a change note says changed at a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkChange {
    /// The link at this key (changed, moved away, deleted).
    Key(String),
    /// Every link of this partner (disabled by a ban or a deactivation).
    Partner(PartnerId),
}

fn change_note(domain: &str, change: &LinkChange, now: OffsetDateTime) -> TxOp {
    let at = now.unix_timestamp_nanos() / 1_000_000;
    let (sk, attribute, value) = match change {
        LinkChange::Key(key) => (format!("{at:015}#K#{key}"), CHANGED_KEY, key.as_str()),
        LinkChange::Partner(partner) => (
            format!("{at:015}#P#{partner}"),
            CHANGED_PARTNER,
            partner.as_str(),
        ),
    };
    let mut item = Key::new(layout::link_changes_pk(domain), sk).to_item();
    item.insert(attribute.into(), s(value));
    item.insert(
        schema::TTL.into(),
        crate::store::n((now + CHANGE_NOTE_TTL).unix_timestamp()),
    );
    TxOp::Put(Put {
        item,
        condition: None,
    })
}

/// The notes that tell redirect instances a link went from `old` to `new` (either absent
/// for a create or a delete), written in the change's transaction. A new key needs none: a
/// key cached as unknown is forgotten within the redirect's `missing_ttl`.
pub fn change_notes(old: Option<&Link>, new: Option<&Link>, now: OffsetDateTime) -> Vec<TxOp> {
    let Some(old) = old else {
        return Vec::new();
    };
    let mut notes = vec![change_note(
        &old.domain,
        &LinkChange::Key(old.key.clone()),
        now,
    )];
    if let Some(new) = new
        && (new.domain != old.domain || new.key != old.key)
    {
        notes.push(change_note(
            &new.domain,
            &LinkChange::Key(new.key.clone()),
            now,
        ));
    }
    notes
}

/// One note per domain saying that all of a partner's links there changed (a ban disables
/// them in the same transaction): fewer actions than a note per link.
pub fn partner_change_notes<'a>(
    domains: impl IntoIterator<Item = &'a str>,
    partner: &PartnerId,
    now: OffsetDateTime,
) -> Vec<TxOp> {
    let domains: std::collections::BTreeSet<&str> = domains.into_iter().collect();
    domains
        .into_iter()
        .map(|domain| change_note(domain, &LinkChange::Partner(partner.clone()), now))
        .collect()
}

/// A domain's change notes written at or after `since_ms` (epoch milliseconds), in order.
pub async fn changes_since(
    store: &dyn ItemStore,
    domain: &str,
    since_ms: i64,
) -> Result<Vec<LinkChange>, StoreError> {
    let mut changes = Vec::new();
    let mut cursor = None;
    loop {
        let mut query = Query::table(layout::link_changes_pk(domain));
        query.range = Some(crate::store::RangeCondition::GreaterOrEqual(format!(
            "{:015}",
            since_ms.max(0)
        )));
        query.cursor = cursor;
        let page = store.query(query).await?;
        for item in &page.items {
            if let Some(key) = get_s(item, CHANGED_KEY) {
                changes.push(LinkChange::Key(key.to_owned()));
            } else if let Some(partner) = get_s(item, CHANGED_PARTNER)
                && let Ok(partner) = PartnerId::parse(partner)
            {
                changes.push(LinkChange::Partner(partner));
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(changes),
        }
    }
}

/// Every link of a partner, oldest first (all pages).
pub async fn all_for_partner(
    store: &dyn ItemStore,
    program: &ProgramId,
    partner: &PartnerId,
) -> Result<Vec<StoredLink>, StoreError> {
    let mut links = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .query(
                Query::index(
                    schema::GSI1.name,
                    layout::partner_links_index_pk(program, partner),
                )
                .cursor(cursor),
            )
            .await?;
        links.extend(page.items.iter().filter_map(|item| readable(item, link_of)));
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(links),
        }
    }
}

/// A partner's links, oldest first (at most `limit`).
pub async fn list_for_partner(
    store: &dyn ItemStore,
    program: &ProgramId,
    partner: &PartnerId,
    limit: u32,
) -> Result<Vec<Link>, StoreError> {
    let page = store
        .query(
            Query::index(
                schema::GSI1.name,
                layout::partner_links_index_pk(program, partner),
            )
            .limit(limit),
        )
        .await?;
    Ok(page
        .items
        .iter()
        .filter_map(|item| readable(item, link_of).map(|stored| stored.link))
        .collect())
}

/// The entry that finds a link by its destination (Dub's upsert): under the program and the
/// destination's hash, sorted by creation so that the oldest link comes first. It belongs to
/// its link alone, so it is written, moved (as the link goes from `old` to `new`, either absent
/// for a create or a delete) and removed in the link's transactions without a condition.
/// Empty when the destination does not change.
pub fn destination_entries(old: Option<&Link>, new: Option<&Link>) -> Vec<TxOp> {
    if old.map(|l| &l.url) == new.map(|l| &l.url) {
        return Vec::new();
    }
    let mut ops = Vec::new();
    if let Some(old) = old {
        ops.push(TxOp::Delete(Delete {
            key: destination_entry(old),
            condition: None,
        }));
    }
    if let Some(new) = new {
        let mut item = destination_entry(new).to_item();
        item.insert(OWNER.into(), s(new.id.as_str()));
        ops.push(TxOp::Put(Put {
            item,
            condition: None,
        }));
    }
    ops
}

fn destination_entry(link: &Link) -> Key {
    Key::new(
        layout::link_destination_pk(&link.program_id, link.url.as_str()),
        layout::time_sk(link.created_at, link.id.as_str()),
    )
}

/// The program's oldest link to `url` (Dub's upsert matches the destination exactly), by its
/// destination entries, strongly read.
pub async fn find_by_url(
    store: &dyn ItemStore,
    program: &ProgramId,
    url: &crate::types::WebUrl,
) -> Result<Option<StoredLink>, StoreError> {
    let page = store
        .query(
            Query::table(layout::link_destination_pk(program, url.as_str()))
                .consistent()
                .limit(10),
        )
        .await?;
    for entry in &page.items {
        let Some(id) = get_s(entry, OWNER).and_then(|id| LinkId::parse(id).ok()) else {
            continue;
        };
        // A hash shared by two destinations would list both: the link's own URL decides.
        if let Some(found) = find(store, program, &id).await?
            && &found.link.url == url
        {
            return Ok(Some(found));
        }
    }
    Ok(None)
}
