//! `PATCH /commissions/{id}`: Dub's status changes (`refunded`, `duplicate`, `canceled`,
//! `fraud`, back to `pending`) and amount corrections, with a note; plus two of ours:
//! `hold`, and `paid` (from `processed`), which is how a payout run marks what it paid.
//! Paid commissions cannot change (a refund after payout is a clawback, see `/track/refund`).

use super::list::enrich;
use crate::auth::{Principal, Scope};
use crate::commissions::records::find_commission;
use crate::commissions::records::replace_commission;
use crate::context::AppContext;
use crate::partner_moves::after_commission_change;

use crate::error::DomainError;
use crate::layout;
use crate::model::CommissionWithParties;
use crate::model::EventName;
use crate::model::{Actor, Commission, CommissionStatus, CommissionType, PartnerTotals};
use crate::outbox;
use crate::partners::totals::add_partner_totals;
use crate::programs::caller_program_id;
use crate::store::{Put, TxOp, s};
use crate::types::{CommissionId, Currency, MAX_AMOUNT, ProgramId, amount_in_range, proportional};
use time::OffsetDateTime;

const MAX_NOTE_CHARS: usize = 500;

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateCommission {
    #[serde(default)]
    pub status: Option<CommissionStatus>,
    /// New earnings, minor units.
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub earnings: Option<serde_json::Number>,
    /// New sale amount (`saleAmount` in newer SDKs); earnings follow proportionally.
    #[serde(default, alias = "saleAmount")]
    #[schema(value_type = Option<i64>)]
    pub amount: Option<serde_json::Number>,
    /// Change of the sale amount (`modifySaleAmount` in newer SDKs), may be negative.
    #[serde(default, alias = "modifySaleAmount")]
    #[schema(value_type = Option<i64>)]
    pub modify_amount: Option<serde_json::Number>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

fn unprocessable(message: impl Into<String>) -> DomainError {
    DomainError::Unprocessable(message.into())
}

/// A whole number of minor units within ±[`MAX_AMOUNT`] (only `modifyAmount` may be negative;
/// the results are checked by the caller).
fn whole(number: &serde_json::Number, field: &str) -> Result<i64, DomainError> {
    number
        .as_i64()
        .filter(|value| value.unsigned_abs() <= MAX_AMOUNT as u64)
        .ok_or_else(|| {
            unprocessable(format!(
                "`{field}` must be a whole number of minor units, at most {MAX_AMOUNT}."
            ))
        })
}

pub(super) fn allowed(from: CommissionStatus, to: CommissionStatus) -> bool {
    use CommissionStatus::*;
    match to {
        Refunded | Duplicate | Canceled | Fraud | Hold => from.is_unpaid(),
        Pending => from != Paid,
        Paid => from == Processed,
        Processed => false,
    }
}

/// Changes a commission: read it, decide its next state (pure), write it with its counters and
/// `commission.updated` in one transaction conditional on the version read.
pub async fn update_commission(
    ctx: &AppContext,
    principal: &Principal,
    id: &str,
    request: UpdateCommission,
) -> Result<CommissionWithParties, DomainError> {
    let program = caller_program_id(principal, Scope::CommissionsWrite)?;
    let note = checked_note(&request)?;
    let id = CommissionId::parse(id).map_err(|_| DomainError::not_found("Commission"))?;
    let read = find_commission(ctx.store.as_ref(), &program, &id)
        .await?
        .ok_or_else(|| DomainError::not_found("Commission"))?;
    let Some(next) = decide_update(&read, &request, note, ctx.clock.now())? else {
        return Ok(enrich(ctx, &[read]).await?.remove(0));
    };
    write_update(ctx, &program, principal.actor(), &read, &next).await?;
    if next.counted_earnings() != read.counted_earnings() {
        after_commission_change(ctx, &program, &next.partner_id).await;
    }
    Ok(enrich(ctx, &[next]).await?.remove(0))
}

/// The request's note (trimmed, at most [`MAX_NOTE_CHARS`]); a request changes either the
/// status or the amounts.
fn checked_note(request: &UpdateCommission) -> Result<Option<String>, DomainError> {
    let note = request
        .note
        .as_ref()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
    {
        return Err(unprocessable(format!(
            "`note` can have at most {MAX_NOTE_CHARS} characters."
        )));
    }
    if request.status.is_some() && changes_amounts(request) {
        return Err(unprocessable(
            "Change either the `status` or the amounts, not both.",
        ));
    }
    Ok(note)
}

fn changes_amounts(request: &UpdateCommission) -> bool {
    [&request.earnings, &request.amount, &request.modify_amount]
        .iter()
        .any(|a| a.is_some())
}

/// The commission after the request, or `None` when nothing changes. Pure.
pub fn decide_update(
    read: &Commission,
    request: &UpdateCommission,
    note: Option<String>,
    now: OffsetDateTime,
) -> Result<Option<Commission>, DomainError> {
    if let Some(currency) = &request.currency
        && Currency::parse(currency)? != read.currency
    {
        return Err(unprocessable(format!(
            "The commission is in `{}`.",
            read.currency
        )));
    }
    if read.status == CommissionStatus::Paid {
        return Err(DomainError::Conflict(
            "Paid commissions cannot be updated; refund the sale for a clawback.".into(),
        ));
    }
    if let Some(payout) = &read.payout_id {
        return Err(DomainError::Conflict(format!(
            "This commission is in payout {payout}: confirm, fail or cancel the payout instead."
        )));
    }
    let mut next = match request.status {
        Some(status) => with_status(read, status, now)?,
        None if changes_amounts(request) => with_amounts(read, request)?,
        None => read.clone(),
    };
    next.note = note.or(read.note.clone());
    if next == *read {
        return Ok(None);
    }
    next.version = read.version + 1;
    next.updated_at = now;
    Ok(Some(next))
}

fn with_status(
    read: &Commission,
    status: CommissionStatus,
    now: OffsetDateTime,
) -> Result<Commission, DomainError> {
    if status != read.status && !allowed(read.status, status) {
        return Err(unprocessable(format!(
            "A `{}` commission cannot become `{}`.",
            read.status.as_str(),
            status.as_str()
        )));
    }
    let mut next = read.clone();
    next.status = status;
    if status == CommissionStatus::Paid {
        next.paid_at = Some(now);
    }
    Ok(next)
}

/// A corrected amount (`amount`, or `modifyAmount` added to it); the earnings as given, or
/// following the amount proportionally.
fn with_amounts(read: &Commission, request: &UpdateCommission) -> Result<Commission, DomainError> {
    if read.kind == CommissionType::Custom {
        return Err(unprocessable(
            "A custom commission's amounts cannot change.",
        ));
    }
    let amount = match (&request.modify_amount, &request.amount) {
        (Some(delta), _) => read.amount.saturating_add(whole(delta, "modifyAmount")?),
        (None, Some(amount)) => whole(amount, "amount")?,
        (None, None) => read.amount,
    };
    if !amount_in_range(amount) {
        return Err(unprocessable(format!(
            "The sale amount must be from 0 to {MAX_AMOUNT}."
        )));
    }
    let earnings = match &request.earnings {
        Some(earnings) => whole(earnings, "earnings")?,
        // Earnings follow the amount proportionally, rounded half up (both are >= 0).
        None if read.amount > 0 => proportional(read.earnings, amount, read.amount)
            .filter(|earnings| amount_in_range(*earnings))
            .ok_or_else(|| {
                unprocessable(format!(
                    "The earnings that follow this amount would be over {MAX_AMOUNT}."
                ))
            })?,
        None => read.earnings,
    };
    if earnings < 0 {
        return Err(unprocessable("`earnings` cannot be negative."));
    }
    Ok(Commission {
        amount,
        earnings,
        ..read.clone()
    })
}

/// The changed commission (conditional on the version read), its maturing marker when it is
/// pending again, the partner's total and `commission.updated`: one transaction.
async fn write_update(
    ctx: &AppContext,
    program: &ProgramId,
    actor: Actor,
    read: &Commission,
    next: &Commission,
) -> Result<(), DomainError> {
    let mut ops = vec![replace_commission(next, read.version)?];
    if next.status == CommissionStatus::Pending && read.status != CommissionStatus::Pending {
        // Back to pending: it matures again after its holding period.
        let mut marker = layout::maturing_marker(&next.id, next.holds_until).to_item();
        marker.insert("commissionId".into(), s(next.id.as_str()));
        ops.push(TxOp::Put(Put {
            item: marker,
            condition: None,
        }));
    }
    let delta = PartnerTotals {
        total_commissions: next.counted_earnings() - read.counted_earnings(),
        ..Default::default()
    };
    ops.extend(add_partner_totals(&next.partner_id, &delta));
    let data = serde_json::json!({
        "commission": crate::commissions::records::commission_payload(next, None),
        "previousStatus": read.status,
        "previousEarnings": read.earnings,
    });
    let event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        program,
        EventName::CommissionUpdated,
        actor,
        data,
    );
    ops.push(outbox::record(&event)?);
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(()),
        Err(error) if error.is_condition_failure() => Err(DomainError::Conflict(
            "The commission changed while this request ran; read it again and retry.".into(),
        )),
        Err(error) => Err(error.into()),
    }
}
