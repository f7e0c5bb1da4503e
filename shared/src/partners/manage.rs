//! Program-setup changes to one partner: a manual move to another group, and the opt-out of
//! automatic moves.

use super::repo::{find_partner, replace_partner};
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::groups;
use crate::model::EventName;
use crate::model::Partner;
use crate::outbox;
use crate::programs;
use crate::types::{GroupId, PartnerId};

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MovePartner {
    pub group_id: GroupId,
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdatePartner {
    pub exclude_from_moves: bool,
}

async fn authorized_partner(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    partner_id: &str,
) -> Result<Partner, DomainError> {
    let program =
        programs::authorized_program(ctx, principal, program_id, Scope::PartnersWrite).await?;
    let id = PartnerId::parse(partner_id).map_err(|_| DomainError::not_found("Partner"))?;
    find_partner(ctx.store.as_ref(), &program.id, &id)
        .await?
        .ok_or_else(|| DomainError::not_found("Partner"))
}

fn changed_meanwhile() -> DomainError {
    DomainError::Conflict("The partner or group changed while this request ran; retry.".into())
}

/// Moves a partner to another group of its program (`partner.group_changed`).
pub async fn move_partner(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    partner_id: &str,
    request: MovePartner,
) -> Result<Partner, DomainError> {
    let read = authorized_partner(ctx, principal, program_id, partner_id).await?;
    let target = groups::find_group(ctx.store.as_ref(), &read.program_id, &request.group_id)
        .await?
        .ok_or_else(|| DomainError::not_found("Group"))?;
    if target.id == read.group_id {
        return Ok(read);
    }
    let partner = Partner {
        group_id: target.id.clone(),
        version: read.version + 1,
        ..read.clone()
    };
    let event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &partner.program_id,
        EventName::PartnerGroupChanged,
        principal.actor(),
        serde_json::json!({
            "partnerId": partner.id, "fromGroupId": read.group_id, "toGroupId": target.id,
        }),
    );
    let ops = vec![
        replace_partner(&partner, read.version)?,
        // The target must not be deleted meanwhile.
        groups::group_unchanged(&target),
        outbox::record(&event)?,
    ];
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(partner),
        Err(error) if error.failed_condition_index().is_some() => Err(changed_meanwhile()),
        Err(error) => Err(error.into()),
    }
}

/// Sets whether automatic move rules skip this partner (`partner.updated`).
pub async fn update_partner(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    partner_id: &str,
    request: UpdatePartner,
) -> Result<Partner, DomainError> {
    let read = authorized_partner(ctx, principal, program_id, partner_id).await?;
    if read.exclude_from_moves == request.exclude_from_moves {
        return Ok(read);
    }
    let partner = Partner {
        exclude_from_moves: request.exclude_from_moves,
        version: read.version + 1,
        ..read.clone()
    };
    let event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &partner.program_id,
        EventName::PartnerUpdated,
        principal.actor(),
        serde_json::json!({
            "partnerId": partner.id, "excludeFromMoves": partner.exclude_from_moves,
        }),
    );
    let ops = vec![
        replace_partner(&partner, read.version)?,
        outbox::record(&event)?,
    ];
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(partner),
        Err(error) if error.failed_condition_index().is_some() => Err(changed_meanwhile()),
        Err(error) => Err(error.into()),
    }
}
