//! Confirming, failing and canceling a payout, and settling its commissions.
//!
//! The payout's new status is written first, in one transaction with its event and an
//! "unsettled" marker; then its commissions follow in chunks (paid for a completed payout,
//! payable again for a failed or canceled one), each commission conditional on the version
//! read; then the marker goes. A request cut short leaves the marker: the next request on the
//! payout, or the scheduled run ([`settle_unsettled`]), finishes the commissions. A payout's
//! commissions are listed by gsi3 `PAYOUT#{id}`.

use super::records::CHUNK;
use super::records::{self, StoredPayout};
use super::transfers::{self, TransferError, TransferRequest};
use crate::auth::{Principal, Scope};
use crate::commissions::records::commission_of;
use crate::commissions::records::replace_commission;
use crate::context::AppContext;

use crate::error::DomainError;
use crate::layout;
use crate::model::EventName;
use crate::model::{Actor, Commission, CommissionStatus, Payout, PayoutStatus};
use crate::outbox;
use crate::partners::find_partner;
use crate::programs::caller_program_id;
use crate::store::{Query, StoreError, TxOp, schema};
use crate::types::{PayoutId, ProgramId};
use crate::wire::payouts::PayoutSchema;
use time::OffsetDateTime;

const MAX_REFERENCE: usize = 190;
const MAX_REASON: usize = 500;

/// `POST /payouts/{id}/confirm`: the business paid it.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfirmPayout {
    /// The payment's reference in the business's books (a transfer id, a batch id).
    #[serde(default)]
    pub external_reference: Option<String>,
}

/// `POST /payouts/{id}/fail`: the payment did not go through.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FailPayout {
    #[serde(default)]
    pub reason: Option<String>,
}

/// What a payout's commissions become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    Pay,
    Release,
}

fn text(name: &str, value: Option<String>, max: usize) -> Result<Option<String>, DomainError> {
    let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    match value {
        Some(value) if value.chars().count() > max => Err(DomainError::Unprocessable(format!(
            "`{name}` can have at most {max} characters."
        ))),
        value => Ok(value),
    }
}

/// The caller's payout, sealed; 404 for one of another program or still being built.
async fn caller_payout(
    ctx: &AppContext,
    principal: &Principal,
    id: &str,
) -> Result<(ProgramId, Payout), DomainError> {
    let program = caller_program_id(principal, Scope::PayoutsWrite)?;
    let id = PayoutId::parse(id).map_err(|_| DomainError::not_found("Payout"))?;
    match records::find_payout(ctx.store.as_ref(), &program, &id).await? {
        Some(StoredPayout {
            payout,
            building: None,
            ..
        }) => Ok((program, payout)),
        _ => Err(DomainError::not_found("Payout")),
    }
}

pub async fn confirm_payout(
    ctx: &AppContext,
    principal: &Principal,
    id: &str,
    request: ConfirmPayout,
) -> Result<Payout, DomainError> {
    let reference = text(
        "externalReference",
        request.external_reference,
        MAX_REFERENCE,
    )?;
    let (program, payout) = caller_payout(ctx, principal, id).await?;
    let now = ctx.clock.now();
    let next = Payout {
        status: PayoutStatus::Completed,
        paid_at: Some(now),
        external_reference: reference,
        ..payout.clone()
    };
    change(ctx, &program, &payout, next, principal.actor(), now).await
}

pub async fn fail_payout(
    ctx: &AppContext,
    principal: &Principal,
    id: &str,
    request: FailPayout,
) -> Result<Payout, DomainError> {
    let reason = text("reason", request.reason, MAX_REASON)?;
    let (program, payout) = caller_payout(ctx, principal, id).await?;
    let now = ctx.clock.now();
    let next = Payout {
        status: PayoutStatus::Failed,
        failure_reason: reason.or_else(|| Some("The payment failed.".into())),
        ..payout.clone()
    };
    change(ctx, &program, &payout, next, principal.actor(), now).await
}

/// `POST /payouts/{id}/send`: pays a Connect payout by a Stripe transfer, then confirms it (or
/// marks it failed when Stripe refuses). A send without an answer leaves it `processing`; sending
/// again asks Stripe with the same idempotency key, so the transfer is made once.
pub async fn send_payout(
    ctx: &AppContext,
    principal: &Principal,
    id: &str,
) -> Result<Payout, DomainError> {
    let (program, payout) = caller_payout(ctx, principal, id).await?;
    if payout.rail == crate::model::PayoutRail::Connect && !payout.status.is_open() {
        return Err(DomainError::Conflict(format!(
            "This payout is already {}.",
            payout.status.as_str()
        )));
    }
    transfers::sendable(&payout).map_err(DomainError::Unprocessable)?;
    let sender = ctx.transfers.clone().ok_or_else(|| {
        DomainError::Unprocessable(
            "Stripe Connect is not set up here (no Stripe secret key).".into(),
        )
    })?;
    let partner = find_partner(ctx.store.as_ref(), &program, &payout.partner_id)
        .await?
        .ok_or_else(|| DomainError::not_found("Partner"))?;
    let destination = partner.profile.stripe_connect_id.clone().ok_or_else(|| {
        DomainError::Unprocessable(
            "The partner has no Stripe connected account (`stripeConnectId`).".into(),
        )
    })?;
    let now = ctx.clock.now();
    let payout = initiated(ctx, payout, now).await?;
    let actor = principal.actor();
    match sender
        .transfer(&TransferRequest::of(&payout, &destination))
        .await
    {
        Ok(transfer) => {
            let paid = Payout {
                status: PayoutStatus::Completed,
                paid_at: Some(now),
                external_reference: Some(transfer.id),
                ..payout.clone()
            };
            change(ctx, &program, &payout, paid, actor, now).await
        }
        Err(TransferError::Refused { message, .. }) => {
            let failed = Payout {
                status: PayoutStatus::Failed,
                failure_reason: Some(message),
                ..payout.clone()
            };
            change(ctx, &program, &payout, failed, actor, now).await
        }
        Err(TransferError::Unreachable(reason)) => Err(DomainError::Conflict(format!(
            "{reason}. The payout stays processing: send it again (Stripe makes the transfer once)."
        ))),
    }
}

/// A pending payout becomes `processing` before its transfer is asked for (a processing one is
/// being sent again).
async fn initiated(
    ctx: &AppContext,
    payout: Payout,
    now: OffsetDateTime,
) -> Result<Payout, DomainError> {
    if payout.status == PayoutStatus::Processing {
        return Ok(payout);
    }
    let next = Payout {
        status: PayoutStatus::Processing,
        initiated_at: Some(now),
        updated_at: now,
        version: payout.version + 1,
        ..payout.clone()
    };
    match ctx
        .store
        .transact(vec![records::replace_payout(&next, payout.version)?])
        .await
    {
        Ok(()) => Ok(next),
        Err(error) if error.is_condition_failure() => Err(DomainError::Conflict(
            "The payout changed while this request ran; read it again.".into(),
        )),
        Err(error) => Err(error.into()),
    }
}

/// Cancels a payout nobody started to pay (`pending` only).
pub async fn cancel_payout(
    ctx: &AppContext,
    principal: &Principal,
    id: &str,
) -> Result<Payout, DomainError> {
    let (program, payout) = caller_payout(ctx, principal, id).await?;
    if payout.status == PayoutStatus::Processing {
        return Err(DomainError::Conflict(
            "A payout being paid cannot be canceled; mark it failed if the payment failed.".into(),
        ));
    }
    let now = ctx.clock.now();
    let next = Payout {
        status: PayoutStatus::Canceled,
        ..payout.clone()
    };
    change(ctx, &program, &payout, next, principal.actor(), now).await
}

/// Moves an open payout to its final status, with its event and the unsettled marker, then
/// settles its commissions. A payout already final is 409, once its commissions are settled.
async fn change(
    ctx: &AppContext,
    program: &ProgramId,
    payout: &Payout,
    next: Payout,
    actor: Actor,
    now: OffsetDateTime,
) -> Result<Payout, DomainError> {
    if !payout.status.is_open() {
        if !payout.settled {
            settle(ctx, payout, settlement_of(payout.status)).await?;
        }
        return Err(DomainError::Conflict(format!(
            "This payout is already {}.",
            payout.status.as_str()
        )));
    }
    let next = Payout {
        settled: false,
        updated_at: now,
        version: payout.version + 1,
        ..next
    };
    let mut ops = vec![
        records::replace_payout(&next, payout.version)?,
        records::unsettled_marker(&next),
    ];
    if let Some(name) = event_name(next.status) {
        let partner = find_partner(ctx.store.as_ref(), program, &next.partner_id).await?;
        let data = serde_json::to_value(PayoutSchema::of(&next, partner.as_ref()))
            .map_err(StoreError::engine)?;
        let event = outbox::new_event(
            ctx.ids.as_ref(),
            ctx.clock.as_ref(),
            program,
            name,
            actor,
            data,
        );
        ops.push(outbox::record(&event)?);
    }
    match ctx.store.transact(ops).await {
        Ok(()) => {}
        Err(error) if error.is_condition_failure() => {
            return Err(DomainError::Conflict(
                "The payout changed while this request ran; read it again.".into(),
            ));
        }
        Err(error) => return Err(error.into()),
    }
    settle(ctx, &next, settlement_of(next.status)).await
}

/// Dub's event names: `payout.confirmed`; ours for a failure. A cancel is in the audit trail
/// (`payout.canceled`), not a webhook event.
fn event_name(status: PayoutStatus) -> Option<EventName> {
    match status {
        PayoutStatus::Completed => Some(EventName::PayoutConfirmed),
        PayoutStatus::Failed => Some(EventName::PayoutFailed),
        PayoutStatus::Canceled => Some(EventName::PayoutCanceled),
        PayoutStatus::Pending | PayoutStatus::Processing => None,
    }
}

fn settlement_of(status: PayoutStatus) -> Settlement {
    if status == PayoutStatus::Completed {
        Settlement::Pay
    } else {
        Settlement::Release
    }
}

/// Passes over a payout's commissions before a request leaves the rest to the scheduled run.
const SETTLE_PASSES: usize = 5;

/// Makes the payout's commissions follow its status, chunk by chunk, then marks it settled once
/// every one of them did (counted in the chunks' transactions, so an index that lags behind
/// never marks a payout settled early). Returns the payout as stored after.
pub async fn settle(
    ctx: &AppContext,
    payout: &Payout,
    settlement: Settlement,
) -> Result<Payout, DomainError> {
    for _ in 0..SETTLE_PASSES {
        let waiting = unsettled_commissions(ctx, &payout.id).await?;
        for chunk in waiting.chunks(CHUNK) {
            settle_chunk(ctx, payout, chunk, settlement).await?;
        }
        let stored = records::find_payout(ctx.store.as_ref(), &payout.program_id, &payout.id)
            .await?
            .ok_or_else(|| DomainError::not_found("Payout"))?;
        if stored.payout.settled {
            return Ok(stored.payout);
        }
        if stored.settled_count >= stored.payout.commission_count {
            return mark_settled(ctx, &stored.payout).await;
        }
    }
    tracing::warn!(payout = %payout.id, "payout commissions not all settled yet; the scheduled run continues");
    Ok(payout.clone())
}

async fn mark_settled(ctx: &AppContext, payout: &Payout) -> Result<Payout, DomainError> {
    let settled = Payout {
        settled: true,
        version: payout.version + 1,
        ..payout.clone()
    };
    let ops = vec![
        records::replace_payout(&settled, payout.version)?,
        records::remove_unsettled_marker(&payout.id),
    ];
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(settled),
        // Settled by a concurrent request.
        Err(error) if error.is_condition_failure() => Ok(payout.clone()),
        Err(error) => Err(error.into()),
    }
}

/// The payout's commissions still processed (neither paid nor released yet).
async fn unsettled_commissions(
    ctx: &AppContext,
    payout: &PayoutId,
) -> Result<Vec<Commission>, StoreError> {
    let mut found = Vec::new();
    let mut cursor = None;
    loop {
        let query = Query::index(
            schema::GSI3.name,
            layout::payout_commissions_index_pk(payout),
        );
        let page = ctx.store.query(query.cursor(cursor)).await?;
        for item in &page.items {
            let commission = commission_of(item)?;
            if commission.status == CommissionStatus::Processed
                && commission.payout_id.as_ref() == Some(payout)
            {
                found.push(commission);
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(found),
        }
    }
}

/// One chunk: each commission paid (at the payout's time) or released, if unchanged since read;
/// a changed one is left for the next pass.
async fn settle_chunk(
    ctx: &AppContext,
    payout: &Payout,
    chunk: &[Commission],
    settlement: Settlement,
) -> Result<(), DomainError> {
    let now = ctx.clock.now();
    let ops = chunk
        .iter()
        .map(|commission| {
            let next = match settlement {
                Settlement::Pay => Commission {
                    status: CommissionStatus::Paid,
                    paid_at: payout.paid_at.or(Some(now)),
                    ..commission.clone()
                },
                Settlement::Release => Commission {
                    payout_id: None,
                    ..commission.clone()
                },
            };
            let next = Commission {
                version: commission.version + 1,
                updated_at: now,
                ..next
            };
            replace_commission(&next, commission.version)
        })
        .collect::<Result<Vec<TxOp>, StoreError>>()?;
    let mut ops = ops;
    ops.push(records::add_settled(&payout.id, chunk.len() as i64));
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(()),
        Err(error) if error.is_condition_failure() => Ok(()),
        Err(error) => Err(error.into()),
    }
}

/// Finishes the payouts whose commissions a request left unsettled (the scheduled run).
pub async fn settle_unsettled(ctx: &AppContext, limit: usize) -> Result<usize, DomainError> {
    let query = Query::table(layout::unsettled_payouts_pk()).limit(limit as u32);
    let page = ctx.store.query(query).await?;
    let mut settled = 0;
    for (program, id) in page.items.iter().filter_map(records::unsettled_of) {
        let Some(stored) = records::find_payout(ctx.store.as_ref(), &program, &id).await? else {
            ctx.store
                .transact(vec![records::remove_unsettled_marker(&id)])
                .await?;
            continue;
        };
        if !stored.payout.settled {
            settle(ctx, &stored.payout, settlement_of(stored.payout.status)).await?;
            settled += 1;
        }
    }
    Ok(settled)
}
