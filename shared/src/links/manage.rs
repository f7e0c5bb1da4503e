//! Dub's link management: `POST /links`, `GET /links/info`, `PATCH /links/{id}`,
//! `DELETE /links/{id}`. Every change writes the link, its key claim (with the redirect's
//! target) and a `link.*` event in one transaction.

use super::fields;
use super::key::LinkKey;
use super::repo::{self, StoredLink};
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::EventName;
use crate::model::LinkLabels;
use crate::model::{Actor, DomainEvent, Link, Program};
use crate::outbox;
use crate::partners;
use crate::programs::caller_program;
use crate::store::{Condition, TxOp};
use crate::types::present;
use crate::types::{LinkId, PartnerId, ProgramId, WebUrl};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// Attempts at a free random key before giving up.
const RANDOM_KEY_ATTEMPTS: usize = 3;

/// `POST /links`.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateLink {
    pub url: String,
    pub domain: Option<String>,
    /// A random 7-character key when absent; `""` or `_root` for the root link.
    pub key: Option<String>,
    pub program_id: Option<String>,
    pub partner_id: Option<String>,
    pub tenant_id: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    pub expired_url: Option<String>,
    pub disabled: Option<bool>,
    pub geo: Option<BTreeMap<String, String>>,
    pub ios: Option<String>,
    pub android: Option<String>,
    #[serde(flatten)]
    pub details: fields::DetailsInput,
    /// Whatever else was sent: refused (422), as an unknown field is everywhere.
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

/// `PATCH /links/{id}`: only the fields present change; `null` clears an optional field.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateLink {
    pub url: Option<String>,
    pub key: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub partner_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub tenant_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present_time")]
    pub expires_at: Option<Option<OffsetDateTime>>,
    #[serde(default, deserialize_with = "present")]
    pub expired_url: Option<Option<String>>,
    pub disabled: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    pub geo: Option<Option<BTreeMap<String, String>>>,
    #[serde(default, deserialize_with = "present")]
    pub ios: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub android: Option<Option<String>>,
    #[serde(flatten)]
    pub details: fields::DetailsInput,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

fn present_time<'de, D>(deserializer: D) -> Result<Option<Option<OffsetDateTime>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    time::serde::rfc3339::option::deserialize(deserializer).map(Some)
}

pub(super) fn check_program_id(
    program: &Program,
    requested: Option<&str>,
) -> Result<(), DomainError> {
    match requested {
        Some(id) if id != program.id.as_str() => Err(DomainError::not_found("Program")),
        _ => Ok(()),
    }
}

pub(super) fn check_domain(
    program: &Program,
    requested: Option<&str>,
) -> Result<String, DomainError> {
    let domain = requested
        .map(|d| d.trim().trim_end_matches('.').to_ascii_lowercase())
        .unwrap_or_else(|| program.domain.clone());
    if domain != program.domain {
        return Err(DomainError::Unprocessable(format!(
            "`domain` must be the program's short-link domain `{}`.",
            program.domain
        )));
    }
    Ok(domain)
}

async fn check_partner(
    ctx: &AppContext,
    program: &ProgramId,
    raw: Option<&str>,
) -> Result<Option<PartnerId>, DomainError> {
    let Some(raw) = raw else { return Ok(None) };
    let id = PartnerId::parse(raw).map_err(|_| DomainError::not_found("Partner"))?;
    partners::find_partner(ctx.store.as_ref(), program, &id)
        .await?
        .map(|partner| Some(partner.id))
        .ok_or_else(|| DomainError::not_found("Partner"))
}

pub(super) fn key_taken(link: &Link) -> DomainError {
    DomainError::Conflict(format!(
        "The key `{}` is already in use on {}.",
        if link.key.is_empty() {
            "_root"
        } else {
            &link.key
        },
        link.domain
    ))
}

pub(super) fn external_id_taken() -> DomainError {
    DomainError::Conflict("Another link of the program has this `externalId`.".into())
}

pub(super) fn changed_meanwhile() -> DomainError {
    DomainError::Conflict("The link changed while this request ran; retry.".into())
}

pub(super) fn event(
    ctx: &AppContext,
    actor: Actor,
    name: EventName,
    link: &Link,
    labels: &LinkLabels,
) -> DomainEvent {
    let payload = crate::wire::links::LinkSchema::labelled(link, labels);
    outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &link.program_id,
        name,
        actor,
        serde_json::to_value(payload).expect("a link serialises"),
    )
}

/// Writes a new link with its key claim and `link.created`. A taken key is 409, unless the key
/// was random, which is then drawn again.
pub(super) async fn insert_new(
    ctx: &AppContext,
    actor: Actor,
    mut link: Link,
    random_key: bool,
    labels: &LinkLabels,
) -> Result<Link, DomainError> {
    for _ in 0..RANDOM_KEY_ATTEMPTS {
        let created = event(ctx, actor.clone(), EventName::LinkCreated, &link, labels);
        let mut ops = repo::insert(&link)?.to_vec();
        ops.extend(repo::external_id_claims(None, Some(&link)));
        ops.extend(repo::destination_entries(None, Some(&link)));
        ops.push(outbox::record(&created)?);
        match ctx.store.transact(ops).await {
            Ok(()) => return Ok(link),
            Err(error) if error.failed_condition_index() == Some(1) && random_key => {
                link.key = LinkKey::random(ctx.random.as_ref()).as_str().to_owned();
            }
            Err(error) if error.failed_condition_index() == Some(1) => {
                return Err(key_taken(&link));
            }
            Err(error) if error.failed_condition_index() == Some(2) => {
                return Err(external_id_taken());
            }
            Err(error) => return Err(error.into()),
        }
    }
    Err(DomainError::Conflict(
        "No free random key was found; retry or choose a key.".into(),
    ))
}

/// `POST /links`.
pub async fn create_link(
    ctx: &AppContext,
    principal: &Principal,
    request: CreateLink,
) -> Result<Link, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksWrite).await?;
    let labels = crate::links::labels::read_labels(ctx.store.as_ref(), &program.id).await?;
    let (link, random_key) = new_link(ctx, &program, request, &labels).await?;
    insert_new(ctx, principal.actor(), link, random_key, &labels).await
}

/// The link a create request asks for, checked but not written (a bulk create checks every
/// link before it writes any), and whether its key was drawn at random.
pub(super) async fn new_link(
    ctx: &AppContext,
    program: &Program,
    request: CreateLink,
    labels: &LinkLabels,
) -> Result<(Link, bool), DomainError> {
    fields::refuse_unknown(&request.unknown)?;
    check_program_id(program, request.program_id.as_deref())?;
    let mut details = crate::model::LinkDetails::default();
    request.details.apply(&mut details, labels)?;
    let domain = check_domain(program, request.domain.as_deref())?;
    let (key, random_key) = match request.key.as_deref() {
        Some(raw) => (LinkKey::parse(raw)?, false),
        None => (LinkKey::random(ctx.random.as_ref()), true),
    };
    let url = fields::with_utm(&fields::url("url", &request.url)?, &details)?;
    let place = (domain, key.as_str().to_owned());
    let link = Link {
        partner_id: check_partner(ctx, &program.id, request.partner_id.as_deref()).await?,
        tenant_id: fields::tenant_id(request.tenant_id)?,
        expires_at: request.expires_at,
        expired_url: fields::optional_url("expiredUrl", request.expired_url.as_deref())?,
        disabled: request.disabled.unwrap_or(false),
        geo: fields::geo(request.geo.unwrap_or_default())?,
        ios: fields::optional_url("ios", request.ios.as_deref())?,
        android: fields::optional_url("android", request.android.as_deref())?,
        details,
        ..Link::new(
            LinkId::generate(ctx.ids.as_ref()),
            &program.id,
            place,
            url,
            ctx.clock.now(),
        )
    };
    Ok((link, random_key))
}

/// `GET /links/info?domain=&key=` (or `?linkId=`, or `?externalId=`).
pub async fn link_info(
    ctx: &AppContext,
    principal: &Principal,
    domain: Option<&str>,
    key: Option<&str>,
    link_id: Option<&str>,
    external_id: Option<&str>,
) -> Result<Link, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksRead).await?;
    if let Some(external) = external_id.filter(|_| link_id.is_none()) {
        return repo::find_by_external_id(ctx.store.as_ref(), &program.id, external)
            .await?
            .map(|stored| stored.link)
            .ok_or_else(|| DomainError::not_found("Link"));
    }
    let found = match (link_id, domain) {
        (Some(id), _) => {
            let id = LinkId::parse(id).map_err(|_| DomainError::not_found("Link"))?;
            repo::find(ctx.store.as_ref(), &program.id, &id).await?
        }
        (None, Some(domain)) => {
            let key = LinkKey::parse(key.unwrap_or_default())
                .map_err(|_| DomainError::not_found("Link"))?;
            let domain = domain.trim().to_ascii_lowercase();
            repo::find_by_key(ctx.store.as_ref(), &domain, key.as_str())
                .await?
                .filter(|stored| stored.link.program_id == program.id)
        }
        (None, None) => {
            return Err(DomainError::BadRequest(
                "Give `domain` and `key`, `linkId`, or `externalId`.".into(),
            ));
        }
    };
    found
        .map(|stored| stored.link)
        .ok_or_else(|| DomainError::not_found("Link"))
}

/// A link of the program by its id, or by `ext_` + its external id (Dub's rule).
pub(super) async fn stored_link(
    ctx: &AppContext,
    program: &Program,
    link_id: &str,
) -> Result<StoredLink, DomainError> {
    let found = match link_id.strip_prefix(EXTERNAL_ID_PREFIX) {
        Some(external) => {
            repo::find_by_external_id(ctx.store.as_ref(), &program.id, external).await?
        }
        None => {
            let id = LinkId::parse(link_id).map_err(|_| DomainError::not_found("Link"))?;
            repo::find(ctx.store.as_ref(), &program.id, &id).await?
        }
    };
    found.ok_or_else(|| DomainError::not_found("Link"))
}

/// Names a link by its external id where a link id is expected: `ext_campaign-42`.
pub(super) const EXTERNAL_ID_PREFIX: &str = "ext_";

/// `PATCH /links/{id}`.
pub async fn update_link(
    ctx: &AppContext,
    principal: &Principal,
    link_id: &str,
    request: UpdateLink,
) -> Result<Link, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksWrite).await?;
    let read = stored_link(ctx, &program, link_id).await?;
    let labels = crate::links::labels::read_labels(ctx.store.as_ref(), &program.id).await?;
    let link = changed_link(ctx, &program, &read.link, request, &labels).await?;
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

/// `link` as an update request changes it, checked but not written; unchanged when the
/// request changes nothing.
pub(super) async fn changed_link(
    ctx: &AppContext,
    program: &Program,
    read: &Link,
    request: UpdateLink,
    labels: &LinkLabels,
) -> Result<Link, DomainError> {
    fields::refuse_unknown(&request.unknown)?;
    let mut link = read.clone();
    request.details.apply(&mut link.details, labels)?;
    if let Some(url) = &request.url {
        link.url = fields::url("url", url)?;
    }
    link.url = fields::with_utm(&link.url, &link.details)?;
    if let Some(key) = &request.key {
        link.key = LinkKey::parse(key)?.as_str().to_owned();
    }
    if let Some(partner) = request.partner_id {
        link.partner_id = check_partner(ctx, &program.id, partner.as_deref()).await?;
    }
    if let Some(tenant) = request.tenant_id {
        link.tenant_id = fields::tenant_id(tenant)?;
    }
    if let Some(expires_at) = request.expires_at {
        link.expires_at = expires_at;
    }
    if let Some(expired_url) = request.expired_url {
        link.expired_url = fields::optional_url("expiredUrl", expired_url.as_deref())?;
    }
    if let Some(disabled) = request.disabled {
        link.disabled = disabled;
    }
    if let Some(geo) = request.geo {
        link.geo = fields::geo(geo.unwrap_or_default())?;
    }
    if let Some(ios) = request.ios {
        link.ios = fields::optional_url("ios", ios.as_deref())?;
    }
    if let Some(android) = request.android {
        link.android = fields::optional_url("android", android.as_deref())?;
    }
    if link != *read {
        link.updated_at = Some(ctx.clock.now());
    }
    Ok(link)
}

/// Which failed condition of an update's actions means what.
pub(super) struct UpdateConflicts {
    /// The new key's claim, when the key changed.
    key_claim: Option<usize>,
    /// The new external id's claim, when it changed to another id.
    external_claim: Option<usize>,
}

impl UpdateConflicts {
    /// The error for the action at `index` failing its condition.
    pub(super) fn error(&self, index: usize, link: &Link) -> DomainError {
        if Some(index) == self.key_claim {
            key_taken(link)
        } else if Some(index) == self.external_claim {
            external_id_taken()
        } else {
            changed_meanwhile()
        }
    }
}

/// The actions of an update of `read` to `link` (the link, its claims, `link.updated`),
/// numbered from 0, and what each failed condition would mean.
pub(super) fn update_ops(
    ctx: &AppContext,
    actor: Actor,
    link: &Link,
    read: &StoredLink,
    labels: &LinkLabels,
) -> Result<(Vec<TxOp>, UpdateConflicts), DomainError> {
    let updated = event(ctx, actor, EventName::LinkUpdated, link, labels);
    let mut ops = repo::replace(link, read)?;
    let key_claim = (ops.len() == 3).then_some(2);
    let external_claims = repo::external_id_claims(Some(&read.link), Some(link));
    // The new external id's claim is the last of these: its failure means the id is taken.
    let external_claim = (!external_claims.is_empty())
        .then(|| ops.len() + external_claims.len() - 1)
        .filter(|_| link.details.external_id.is_some());
    ops.extend(external_claims);
    ops.extend(repo::destination_entries(Some(&read.link), Some(link)));
    ops.extend(repo::change_notes(
        Some(&read.link),
        Some(link),
        ctx.clock.now(),
    ));
    ops.push(outbox::record(&updated)?);
    Ok((
        ops,
        UpdateConflicts {
            key_claim,
            external_claim,
        },
    ))
}

/// `DELETE /links/{id}`: the deleted link's id. A partner's default referral link stays
/// (disable it instead), so that its partner always has a link.
pub async fn delete_link(
    ctx: &AppContext,
    principal: &Principal,
    link_id: &str,
) -> Result<LinkId, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksWrite).await?;
    let read = stored_link(ctx, &program, link_id).await?;
    refuse_default_link(ctx, &program, &read.link).await?;
    let labels = crate::links::labels::read_labels(ctx.store.as_ref(), &program.id).await?;
    let (ops, code_index) = delete_ops(ctx, principal.actor(), &read, &labels)?;
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(read.link.id),
        Err(error) if error.failed_condition_index() == Some(code_index) => {
            Err(has_discount_code())
        }
        Err(error) if error.failed_condition_index().is_some() => Err(changed_meanwhile()),
        Err(error) => Err(error.into()),
    }
}

/// 409 for a partner's default referral link: it stays so that its partner always has one.
pub(super) async fn refuse_default_link(
    ctx: &AppContext,
    program: &Program,
    link: &Link,
) -> Result<(), DomainError> {
    let Some(partner) = &link.partner_id else {
        return Ok(());
    };
    let owner = partners::find_partner(ctx.store.as_ref(), &program.id, partner).await?;
    if owner.is_some_and(|p| p.default_link_id.as_ref() == Some(&link.id)) {
        return Err(DomainError::Conflict(format!(
            "`{}` is its partner's default referral link; disable it instead.",
            link.id
        )));
    }
    Ok(())
}

/// The actions deleting a link read at `read`: the link, its claims, `link.deleted`.
/// The actions of a link's delete, and the index of the check that it has no discount code: a
/// sale paid with a link's code is attributed through the link, so the code goes first (checked
/// in the same transaction, so a code made meanwhile is seen).
pub(super) fn delete_ops(
    ctx: &AppContext,
    actor: Actor,
    read: &StoredLink,
    labels: &LinkLabels,
) -> Result<(Vec<TxOp>, usize), DomainError> {
    let deleted = event(ctx, actor, EventName::LinkDeleted, &read.link, labels);
    let mut ops = repo::remove(read).to_vec();
    ops.extend(repo::external_id_claims(Some(&read.link), None));
    ops.extend(repo::destination_entries(Some(&read.link), None));
    ops.extend(repo::change_notes(Some(&read.link), None, ctx.clock.now()));
    let code_index = ops.len();
    ops.push(TxOp::Check {
        key: crate::layout::link_discount_code_claim(&read.link.id),
        condition: Condition::NotExists,
    });
    ops.push(outbox::record(&deleted)?);
    Ok((ops, code_index))
}

/// 409 for a link with a discount code, before a bulk delete writes anything (the delete's own
/// check stays, for a code made meanwhile).
pub(super) async fn refuse_discount_coded(
    ctx: &AppContext,
    link: &Link,
) -> Result<(), DomainError> {
    let claim = crate::layout::link_discount_code_claim(&link.id);
    match ctx
        .store
        .get(&claim, crate::store::Consistency::Strong)
        .await?
    {
        Some(_) => Err(has_discount_code()),
        None => Ok(()),
    }
}

pub(super) fn has_discount_code() -> DomainError {
    DomainError::Conflict("This link has a discount code; delete the code first.".into())
}

/// The destination URL a partner link gets when the request names none: the partner's default
/// link's destination.
pub(super) fn default_destination(default_link: Option<&Link>) -> Option<WebUrl> {
    default_link.map(|link| link.url.clone())
}
