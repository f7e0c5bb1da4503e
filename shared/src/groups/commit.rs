use super::repo;
use crate::auth::Principal;
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::EventName;
use crate::model::PartnerGroup;
use crate::outbox;
use crate::store::{StoreError, TxOp};

/// The answer when a condition failed: someone changed the group (or another one) meanwhile.
pub fn changed_meanwhile(error: StoreError) -> DomainError {
    if error.failed_condition_index().is_some() {
        return DomainError::Conflict(
            "The group changed while this request ran; read it again and retry.".into(),
        );
    }
    error.into()
}

/// Stores a changed group (one version on from `read`) and its event, in one transaction.
pub(super) async fn save(
    ctx: &AppContext,
    principal: &Principal,
    read: &PartnerGroup,
    mut group: PartnerGroup,
    name: EventName,
    data: serde_json::Value,
) -> Result<(), DomainError> {
    group.version = read.version + 1;
    group.updated_at = ctx.clock.now();
    let mut ops = repo::replace(&group, read.version, &read.slug)?;
    ops.push(group_event(ctx, principal, &group, name, data)?);
    let written = ctx.store.transact(ops).await;
    ctx.config.forget_program(&group.program_id);
    written.map_err(changed_meanwhile)
}

/// Records a change to a group as an event of the same transaction.
pub(super) fn group_event(
    ctx: &AppContext,
    principal: &Principal,
    group: &PartnerGroup,
    name: EventName,
    data: serde_json::Value,
) -> Result<TxOp, StoreError> {
    outbox::record(&outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &group.program_id,
        name,
        principal.actor(),
        data,
    ))
}
