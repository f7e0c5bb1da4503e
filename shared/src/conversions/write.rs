//! The write step: a [`Decision`] becomes at most one transaction, and a canceled transaction
//! becomes an answer (a repeat) or a retry (a lost race). The same for every source of events.

use super::plan::{AfterCommit, Claim, Decision, Plan, Write};
use super::records;
use crate::commissions::records::insert_commission;
use crate::commissions::records::remove_maturing_marker;
use crate::commissions::records::replace_commission;
use crate::context::AppContext;
use crate::customers::tracked::{insert_tracked_customer, update_activity};
use crate::error::DomainError;
use crate::idempotency::{self, IdempotencyKey, Recorded};
use crate::links::stats::add_link_stats;
use crate::outbox;
use crate::partners::totals::add_partner_totals;
use crate::store::{CancelReason, StoreError, TxOp};
use crate::types::ProgramId;
use serde::Serialize;
use time::OffsetDateTime;

/// Where the request's own conditions sit in the transaction.
const KEY_INDEX: usize = 0;

/// Carries out a decision. `Ok(None)`: a race was lost; read again and decide again.
pub async fn write<R: Serialize>(
    ctx: &AppContext,
    program: &ProgramId,
    key: Option<&IdempotencyKey>,
    decision: Decision<R>,
    now: OffsetDateTime,
) -> Result<Option<Recorded<R>>, DomainError> {
    match decision {
        Decision::Replay(stored) => Ok(Some(Recorded::Stored(stored))),
        Decision::Answer(answer) => answer_alone(ctx, program, key, answer, now).await.map(Some),
        Decision::Write(plan) => commit(ctx, program, key, plan, now).await,
    }
}

/// Keeps the answer of a request that records nothing under its idempotency key, if any.
async fn answer_alone<R: Serialize>(
    ctx: &AppContext,
    program: &ProgramId,
    key: Option<&IdempotencyKey>,
    answer: Recorded<R>,
    now: OffsetDateTime,
) -> Result<Recorded<R>, DomainError> {
    match key {
        Some(key) => idempotency::record_alone(ctx.store.as_ref(), program, key, answer, now).await,
        None => Ok(answer),
    }
}

/// Runs the plan's transaction and reads a cancellation: the idempotency record failed (a
/// concurrent repeat: replay it), the claim failed (a repeat of the event), anything else
/// failed (a lost race: `None`).
async fn commit<R: Serialize>(
    ctx: &AppContext,
    program: &ProgramId,
    key: Option<&IdempotencyKey>,
    plan: Plan<R>,
    now: OffsetDateTime,
) -> Result<Option<Recorded<R>>, DomainError> {
    let (ops, claim_index) = transaction(program, key, &plan, now)?;
    let error = match ctx.store.transact(ops).await {
        Ok(()) => {
            after_commit(ctx, plan.then).await;
            return Ok(Some(Recorded::Built(plan.response)));
        }
        Err(error) => error,
    };
    if let Some(key) = key.filter(|_| failed_at(&error, Some(KEY_INDEX))) {
        let stored = idempotency::replay(ctx.store.as_ref(), program, key, now).await?;
        return Ok(stored.map(Recorded::Stored));
    }
    match plan.claim.filter(|_| failed_at(&error, claim_index)) {
        Some(Claim::Invoice { invoice_id, .. }) => {
            match records::find_invoice(ctx.store.as_ref(), program, &invoice_id).await? {
                Some(first) => {
                    answer_alone(ctx, program, key, Recorded::Stored(first.response), now)
                        .await
                        .map(Some)
                }
                None => Ok(None),
            }
        }
        Some(Claim::LeadDedupe { .. }) => {
            tracing::info!("duplicate lead inside the dedupe window: nothing recorded");
            answer_alone(ctx, program, key, Recorded::Built(plan.response), now)
                .await
                .map(Some)
        }
        None if error.is_condition_failure() => Ok(None),
        None => Err(error.into()),
    }
}

/// The plan's actions: the idempotency record first, then the claim, the writes and the
/// events. Returns the claim's index.
fn transaction<R: Serialize>(
    program: &ProgramId,
    key: Option<&IdempotencyKey>,
    plan: &Plan<R>,
    now: OffsetDateTime,
) -> Result<(Vec<TxOp>, Option<usize>), StoreError> {
    let mut ops = Vec::new();
    if let Some(key) = key {
        ops.push(idempotency::record(program, key, &plan.response, now));
    }
    let claim_index = plan.claim.as_ref().map(|claim| {
        ops.push(claim_action(program, claim, &plan.response, now));
        ops.len() - 1
    });
    for write in &plan.writes {
        ops.extend(actions(write)?);
    }
    for event in &plan.events {
        ops.push(outbox::record(event)?);
    }
    Ok((ops, claim_index))
}

fn claim_action<R: Serialize>(
    program: &ProgramId,
    claim: &Claim,
    response: &R,
    now: OffsetDateTime,
) -> TxOp {
    match claim {
        Claim::Invoice {
            invoice_id,
            sale_id,
        } => records::invoice_claim(program, invoice_id, sale_id, response),
        Claim::LeadDedupe {
            customer,
            event_name,
        } => records::lead_dedupe_claim(program, customer, event_name, now),
    }
}

/// The store actions of one write.
fn actions(write: &Write) -> Result<Vec<TxOp>, StoreError> {
    Ok(match write {
        Write::InsertCustomer(customer, change) => vec![insert_tracked_customer(customer, change)?],
        Write::UpdateActivity(customer, change) => {
            update_activity(customer, change).into_iter().collect()
        }
        Write::InsertLead(lead) => vec![records::insert_lead(lead)?],
        Write::InsertSale(sale) => vec![records::insert_sale(sale)?],
        Write::ReplaceSale(sale, read) => vec![records::replace_sale(sale, *read)?],
        Write::InsertCommission(commission) => insert_commission(commission)?,
        Write::ReplaceCommission(commission, read) => {
            vec![replace_commission(commission, *read)?]
        }
        Write::RemoveMaturingMarker(commission) => {
            vec![remove_maturing_marker(commission)]
        }
        Write::PartnerTotals(partner, delta) => {
            add_partner_totals(partner, delta).into_iter().collect()
        }
        Write::LinkStats(link, delta) => add_link_stats(link, delta).into_iter().collect(),
        Write::Analytics(counts) => counts.ops(),
    })
}

async fn after_commit(ctx: &AppContext, then: AfterCommit) {
    match then {
        AfterCommit::Nothing => {}
        AfterCommit::MoveRules {
            partner,
            totals,
            group,
        } => {
            crate::partner_moves::apply_move_rules(ctx, &partner, &totals, &group).await;
        }
        AfterCommit::MoveRulesOfStored { program, partner } => {
            crate::partner_moves::after_commission_change(ctx, &program, &partner).await;
        }
    }
}

/// Whether the action at `index` is the one whose condition failed.
fn failed_at(error: &StoreError, index: Option<usize>) -> bool {
    match (error, index) {
        (StoreError::TransactionCanceled { reasons }, Some(index)) => {
            reasons.get(index) == Some(&CancelReason::ConditionFailed)
        }
        _ => false,
    }
}
