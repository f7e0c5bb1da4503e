//! Partner management with Dub's bodies `{partnerId | tenantId, ...}`: ban, deactivate, archive,
//! a move to another group, and tags. Each is one transaction with its outbox event.
//!
//! Ban and deactivate disable the partner's links, so the redirect stops serving them and
//! attribution (which refuses disabled links, and pays only approved partners) stops earning
//! on them. A ban also cancels the partner's pending commissions (Dub); a deactivation keeps
//! them (Dub: "their commissions and payouts will remain intact"). The ban's transaction
//! writes the cancel job, then the request runs a bounded first pass of it
//! (`commissions::cancel_pending_commissions`); the scheduled maturation finishes it.

use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::EventName;
use crate::model::{BanReason, Partner, PartnerStatus, PartnerTag, Program};
use crate::outbox;
use crate::partners::{find_named, replace_partner};
use crate::programs::caller_program;
use crate::store::{MAX_TRANSACTION_OPS, TxOp};
use crate::types::{GroupId, PartnerTagId};

/// Pages of commissions (100 each) the ban request cancels itself; the job does the rest.
const BAN_REQUEST_PAGES: usize = 2;

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BanPartner {
    pub partner_id: Option<String>,
    pub tenant_id: Option<String>,
    pub reason: BanReason,
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamePartner {
    pub partner_id: Option<String>,
    pub tenant_id: Option<String>,
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MoveToGroup {
    pub partner_id: Option<String>,
    pub tenant_id: Option<String>,
    pub group_id: GroupId,
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetTags {
    pub partner_id: Option<String>,
    pub tenant_id: Option<String>,
    /// The partner's tags after the change (names, 1-50 characters, at most 20).
    pub tags: Vec<String>,
}

const MAX_TAGS: usize = 20;
const MAX_TAG_NAME: usize = 50;

/// The named partner of the caller's program (404 for another program's).
async fn named_partner(
    ctx: &AppContext,
    principal: &Principal,
    partner_id: Option<&str>,
    tenant_id: Option<&str>,
) -> Result<(Program, Partner), DomainError> {
    let program = caller_program(ctx, principal, Scope::PartnersWrite).await?;
    let partner = find_named(ctx.store.as_ref(), &program.id, partner_id, tenant_id).await?;
    Ok((program, partner))
}

fn changed_meanwhile() -> DomainError {
    DomainError::Conflict("The partner changed while this request ran; retry.".into())
}

/// Commits a partner change with its event (and link writes), conditioned on the version read.
async fn commit(
    ctx: &AppContext,
    read: &Partner,
    changed: &Partner,
    mut extra: Vec<TxOp>,
    event: crate::model::DomainEvent,
) -> Result<(), DomainError> {
    let mut ops = vec![replace_partner(changed, read.version)?];
    ops.append(&mut extra);
    ops.push(outbox::record(&event)?);
    if ops.len() > MAX_TRANSACTION_OPS {
        return Err(DomainError::Unprocessable(
            "The partner has too many links to change in one step.".into(),
        ));
    }
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(()),
        Err(error) if error.failed_condition_index() == Some(0) => Err(changed_meanwhile()),
        Err(error) => Err(error.into()),
    }
}

/// A status change and what comes with it.
struct StatusChange {
    status: PartnerStatus,
    event_name: EventName,
    /// The partner's links stop: the redirect and attribution refuse them.
    disables_links: bool,
    /// Refused (409) for a banned partner, with this message.
    refused_when_banned: Option<&'static str>,
}

const BAN: StatusChange = StatusChange {
    status: PartnerStatus::Banned,
    event_name: EventName::PartnerBanned,
    disables_links: true,
    refused_when_banned: None,
};

const DEACTIVATE: StatusChange = StatusChange {
    status: PartnerStatus::Deactivated,
    event_name: EventName::PartnerDeactivated,
    disables_links: true,
    refused_when_banned: Some("A banned partner cannot be deactivated."),
};

const ARCHIVE: StatusChange = StatusChange {
    status: PartnerStatus::Archived,
    event_name: EventName::PartnerArchived,
    disables_links: false,
    refused_when_banned: Some("A banned partner cannot be archived."),
};

/// Puts the named partner in `change.status`. Already in that status: unchanged.
async fn change_status(
    ctx: &AppContext,
    principal: &Principal,
    partner_id: Option<&str>,
    tenant_id: Option<&str>,
    change: &StatusChange,
    ban_reason: Option<BanReason>,
) -> Result<Partner, DomainError> {
    let (_, read) = named_partner(ctx, principal, partner_id, tenant_id).await?;
    if let Some(refusal) = change.refused_when_banned
        && read.status == PartnerStatus::Banned
    {
        return Err(DomainError::Conflict(refusal.into()));
    }
    if read.status == change.status {
        return Ok(read);
    }
    let now = ctx.clock.now();
    let changed = Partner {
        status: change.status,
        banned_at: ban_reason.map(|_| now).or(read.banned_at),
        banned_reason: ban_reason.or(read.banned_reason),
        version: read.version + 1,
        ..read.clone()
    };
    let mut link_ops = Vec::new();
    let mut disabled_links = Vec::new();
    let mut domains = Vec::new();
    if change.disables_links {
        let links =
            crate::links::repo::all_for_partner(ctx.store.as_ref(), &read.program_id, &read.id)
                .await?;
        for stored in links {
            if !stored.link.disabled {
                let mut link = stored.link.clone();
                link.disabled = true;
                disabled_links.push(link.id.to_string());
                // The link and its key claim (the redirect's target) together.
                link_ops.extend(crate::links::repo::replace(&link, &stored)?);
                domains.push(link.domain);
            }
        }
        // Redirect instances drop the partner's cached links within seconds.
        link_ops.extend(crate::links::repo::partner_change_notes(
            domains.iter().map(String::as_str),
            &read.id,
            now,
        ));
    }
    // Dub cancels a banned partner's pending commissions, not a deactivated one's.
    let cancel_commissions = change.status == PartnerStatus::Banned;
    if cancel_commissions {
        link_ops.push(crate::commissions::cancel_job(
            &read.program_id,
            &read.id,
            now,
        ));
    }
    let event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &read.program_id,
        change.event_name,
        principal.actor(),
        serde_json::json!({
            "partnerId": changed.id,
            "tenantId": changed.tenant_id,
            "status": changed.status,
            "previousStatus": read.status,
            "bannedReason": ban_reason,
            "disabledLinkIds": disabled_links,
            "cancelPendingCommissions": cancel_commissions,
        }),
    );
    commit(ctx, &read, &changed, link_ops, event).await?;
    if cancel_commissions {
        // The ban stands whatever happens here: the job written with it finishes the rest.
        match crate::commissions::cancel_pending_commissions(
            ctx,
            &read.program_id,
            &read.id,
            BAN_REQUEST_PAGES,
        )
        .await
        {
            Ok(report) => tracing::info!(
                partner = %read.id,
                canceled = report.canceled,
                complete = report.complete,
                "banned partner's pending commissions canceled"
            ),
            Err(error) => tracing::warn!(
                partner = %read.id,
                %error,
                "cancelling a banned partner's commissions failed; its job will retry"
            ),
        }
    }
    Ok(changed)
}

/// Bans a partner: `banned` with the reason and time, links disabled, `partner.banned`.
pub async fn ban_partner(
    ctx: &AppContext,
    principal: &Principal,
    request: BanPartner,
) -> Result<Partner, DomainError> {
    let (partner_id, tenant_id) = (request.partner_id.as_deref(), request.tenant_id.as_deref());
    change_status(
        ctx,
        principal,
        partner_id,
        tenant_id,
        &BAN,
        Some(request.reason),
    )
    .await
}

/// Deactivates a partner: links disabled, no further earnings (`partner.deactivated`).
pub async fn deactivate_partner(
    ctx: &AppContext,
    principal: &Principal,
    request: NamePartner,
) -> Result<Partner, DomainError> {
    let (partner_id, tenant_id) = (request.partner_id.as_deref(), request.tenant_id.as_deref());
    change_status(ctx, principal, partner_id, tenant_id, &DEACTIVATE, None).await
}

/// Archives a partner: hidden from the default views of a dashboard; links keep working
/// (`partner.archived`).
pub async fn archive_partner(
    ctx: &AppContext,
    principal: &Principal,
    request: NamePartner,
) -> Result<Partner, DomainError> {
    let (partner_id, tenant_id) = (request.partner_id.as_deref(), request.tenant_id.as_deref());
    change_status(ctx, principal, partner_id, tenant_id, &ARCHIVE, None).await
}

/// Moves a partner to another group of its program (the same use case as program setup's).
pub async fn move_to_group(
    ctx: &AppContext,
    principal: &Principal,
    request: MoveToGroup,
) -> Result<Partner, DomainError> {
    let (program, read) = named_partner(
        ctx,
        principal,
        request.partner_id.as_deref(),
        request.tenant_id.as_deref(),
    )
    .await?;
    crate::partners::move_partner(
        ctx,
        principal,
        program.id.as_str(),
        read.id.as_str(),
        crate::partners::MovePartner {
            group_id: request.group_id,
        },
    )
    .await
}

/// Replaces a partner's tags; a name kept keeps its tag id (`partner.tags_updated`).
pub async fn set_tags(
    ctx: &AppContext,
    principal: &Principal,
    request: SetTags,
) -> Result<Partner, DomainError> {
    let mut names: Vec<String> = Vec::new();
    for name in &request.tags {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_TAG_NAME {
            return Err(DomainError::Unprocessable(format!(
                "Tag names are 1 to {MAX_TAG_NAME} characters."
            )));
        }
        if !names.iter().any(|seen| seen.eq_ignore_ascii_case(name)) {
            names.push(name.to_owned());
        }
    }
    if names.len() > MAX_TAGS {
        return Err(DomainError::Unprocessable(format!(
            "At most {MAX_TAGS} tags."
        )));
    }
    let (_, read) = named_partner(
        ctx,
        principal,
        request.partner_id.as_deref(),
        request.tenant_id.as_deref(),
    )
    .await?;
    let tags: Vec<PartnerTag> = names
        .into_iter()
        .map(|name| {
            let kept = read
                .tags
                .iter()
                .find(|tag| tag.name.eq_ignore_ascii_case(&name));
            PartnerTag {
                id: kept.map_or_else(
                    || PartnerTagId::generate(ctx.ids.as_ref()).to_string(),
                    |tag| tag.id.clone(),
                ),
                name,
            }
        })
        .collect();
    if tags == read.tags {
        return Ok(read);
    }
    let changed = Partner {
        tags,
        version: read.version + 1,
        ..read.clone()
    };
    let event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &read.program_id,
        EventName::PartnerTagsUpdated,
        principal.actor(),
        serde_json::json!({"partnerId": changed.id, "tags": changed.tags}),
    );
    commit(ctx, &read, &changed, Vec::new(), event).await?;
    Ok(changed)
}
