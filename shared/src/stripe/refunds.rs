//! Refunds from Stripe, counted once whatever the order and repeats of its events.
//!
//! Stripe reports one refund in up to three events: `refund.created`, `refund.updated` (each
//! with one refund's amount) and `charge.refunded` (with the charge's running total
//! `amount_refunded`, and its list of refunds only in old API versions). Adding each event's
//! amount would count a refund two or three times. Instead each charge keeps what Stripe said
//! (every refund id seen, and the largest running total; `records::ChargeRefunds`), whose
//! larger figure is what Stripe has refunded at least. The sale is then brought up to that
//! figure: the refund recorded is the figure less what the sale already has refunded. Replays,
//! reorderings and a manual `/track/refund` of the same refund add nothing.
//!
//! The sale is the one Stripe's invoice recorded: the charge's invoice (old API versions), or
//! the invoice a payment intent or charge paid (remembered when the sale was recorded), or a
//! sale recorded under the payment intent itself (a checkout without an invoice).

use super::mapping::RefundStep;
use super::records::{self, ChargeRefunds, PAYMENT, charge_key, charge_refunds_of};
use crate::context::AppContext;
use crate::conversions::pipeline;
use crate::conversions::plan::{Decision, Stamp};
use crate::conversions::read::{RefundRead, read_refund};
use crate::conversions::{RefundInput, decide_refund};
use crate::error::DomainError;
use crate::idempotency::Recorded;
use crate::model::Actor;
use crate::model::StepOutcome;
use crate::store::{Consistency, StoreError};
use crate::types::ProgramId;
use crate::wire::tracking::TrackRefundResponse;

const REASON: &str = "Refunded in Stripe";

pub async fn refund(
    ctx: &AppContext,
    program: &ProgramId,
    step: &RefundStep,
) -> Result<StepOutcome, DomainError> {
    merge_reported(ctx, program, step).await?;
    let Some(invoice_id) = sale_invoice(ctx, program, &step.sale_refs).await? else {
        return Ok(StepOutcome::Unattributed(
            "no sale was recorded for this charge".into(),
        ));
    };
    let input = &RefundInput {
        invoice_id,
        amount: None,
        reason: Some(REASON.into()),
    };
    let key = &charge_key(program, &step.payment);
    let currency = step.currency.as_deref();
    let outcome = pipeline::run(
        ctx,
        program,
        None,
        Actor::System,
        |request| async move {
            let read = read_refund(ctx, &request, input).await?;
            let item = ctx.store.get(key, Consistency::Strong).await?;
            Ok((read, charge_refunds_of(item.as_ref())?.0))
        },
        |(read, charge), stamp| decide_stripe_refund(input, currency, read, &charge, stamp),
    )
    .await?;
    Ok(match outcome {
        Recorded::Built(response) if response.amount > 0 => StepOutcome::Recorded,
        _ => StepOutcome::AlreadyRecorded,
    })
}

/// Adds what the event reports to the charge's refunds (a compare-and-set, retried on a race).
async fn merge_reported(
    ctx: &AppContext,
    program: &ProgramId,
    step: &RefundStep,
) -> Result<(), DomainError> {
    let key = charge_key(program, &step.payment);
    for _ in 0..pipeline::ATTEMPTS {
        let item = ctx.store.get(&key, Consistency::Strong).await?;
        let (current, version) = charge_refunds_of(item.as_ref())?;
        let Some(next) = current.merged(&step.refunds, step.amount_refunded) else {
            return Ok(());
        };
        if records::store_charge_refunds(ctx.store.as_ref(), &key, &next, version).await? {
            return Ok(());
        }
    }
    Err(DomainError::Conflict(
        "Too many concurrent refund events for one charge; Stripe retries the event.".into(),
    ))
}

/// The invoice id of the sale that the charge paid, if one was recorded.
async fn sale_invoice(
    ctx: &AppContext,
    program: &ProgramId,
    refs: &[String],
) -> Result<Option<String>, StoreError> {
    let store = ctx.store.as_ref();
    for reference in refs {
        let invoice = records::recall(store, program, PAYMENT, reference).await?;
        for candidate in invoice.iter().chain([reference]) {
            if crate::conversions::records::find_invoice(store, program, candidate)
                .await?
                .is_some()
            {
                return Ok(Some(candidate.clone()));
            }
        }
    }
    Ok(None)
}

/// The refund that brings the sale up to what Stripe has refunded on the charge (never past
/// the sale's amount), or nothing when the sale already has it.
pub fn decide_stripe_refund(
    input: &RefundInput,
    currency: Option<&str>,
    read: RefundRead,
    charge: &ChargeRefunds,
    stamp: &Stamp,
) -> Result<Decision<TrackRefundResponse>, DomainError> {
    if let Some(stored) = read.replay {
        return Ok(Decision::Replay(stored));
    }
    let sale = read
        .sale
        .as_ref()
        .ok_or_else(|| DomainError::NotFound("No sale was tracked with this invoice id.".into()))?;
    if let Some(currency) = currency.filter(|c| !c.eq_ignore_ascii_case(sale.currency.code())) {
        return Err(DomainError::Unprocessable(format!(
            "the refund is in {currency} and its sale in {}",
            sale.currency.code()
        )));
    }
    let top_up = charge.total().min(sale.amount) - sale.refunded_amount;
    if top_up <= 0 {
        return Ok(Decision::Answer(Recorded::Built(TrackRefundResponse {
            sale_id: sale.id.to_string(),
            invoice_id: sale.invoice_id.clone(),
            amount: 0,
            refunded_amount: sale.refunded_amount,
            currency: sale.currency,
            commission: None,
            clawback: None,
        })));
    }
    let input = RefundInput {
        amount: Some(top_up),
        ..input.clone()
    };
    decide_refund(&input, read, stamp)
}
