//! `POST /track/refund`: a full or partial refund of a sale, found by its invoice id.
//!
//! The sale's commission follows the refund: unpaid (pending, processed, on hold) it loses the
//! refunded share of its earnings, and a full refund marks it `refunded`; already paid, a
//! negative clawback commission (type `custom`) takes the share back from the next payout.
//! The share of a partial refund is `round(earnings × refund / remaining amount)`, half away
//! from zero, so the shares of successive partial refunds add up to the earnings exactly.

use super::commit::{ATTEMPTS, contention, failed_at};
use super::input::{RefundInput, TrackRefundRequest};
use super::{payloads, records};
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::customers::tracked::{ActivityChange, update_activity};
use crate::error::DomainError;
use crate::idempotency::{self, IdempotencyKey};
use crate::model::{Commission, CommissionStatus, CommissionType, LinkStats, PartnerTotals, Sale};
use crate::outbox;
use crate::partners::totals::{add_link_stats, add_partner_totals};
use crate::store::TxOp;
use crate::types::{CommissionId, ProgramId};
use serde_json::{Value, json};

pub async fn track_refund(
    ctx: &AppContext,
    principal: &Principal,
    request: TrackRefundRequest,
    key: Option<IdempotencyKey>,
) -> Result<Value, DomainError> {
    let program = principal
        .own_program(Scope::ConversionsWrite)
        .map_err(|denied| DomainError::denied(denied, "Program"))?;
    let input = request.check()?;
    if let Some(key) = &key
        && let Some(stored) =
            idempotency::replay(ctx.store.as_ref(), &program, key, ctx.clock.now()).await?
    {
        return Ok(stored);
    }
    for _ in 0..ATTEMPTS {
        if let Some(body) = attempt_refund(ctx, principal, &program, &input, key.as_ref()).await? {
            return Ok(body);
        }
    }
    Err(contention())
}

/// `value × numerator / denominator`, rounded half away from zero.
fn share(value: i64, numerator: i64, denominator: i64) -> i64 {
    if denominator == 0 {
        return 0;
    }
    let product = value as i128 * numerator as i128;
    let half = denominator as i128 / 2;
    let rounded = if product >= 0 {
        (product + half) / denominator as i128
    } else {
        (product - half) / denominator as i128
    };
    rounded as i64
}

async fn attempt_refund(
    ctx: &AppContext,
    principal: &Principal,
    program: &ProgramId,
    input: &RefundInput,
    key: Option<&IdempotencyKey>,
) -> Result<Option<Value>, DomainError> {
    let store = ctx.store.as_ref();
    let now = ctx.clock.now();
    let not_found = || DomainError::NotFound("No sale was tracked with this invoice id.".into());
    let claim = records::find_invoice(store, program, &input.invoice_id)
        .await?
        .ok_or_else(not_found)?;
    let read = records::find_sale(store, &claim.sale_id)
        .await?
        .filter(|sale| &sale.program_id == program)
        .ok_or_else(not_found)?;
    let remaining = read.amount - read.refunded_amount;
    if remaining <= 0 {
        return Err(DomainError::Conflict(
            "This sale is already fully refunded.".into(),
        ));
    }
    let amount = input.amount.unwrap_or(remaining);
    if amount > remaining {
        return Err(DomainError::Unprocessable(format!(
            "`amount` cannot be over the sale's unrefunded amount ({remaining})."
        )));
    }
    let commission = match &read.commission_id {
        Some(id) => records::find_commission(store, program, id).await?,
        None => None,
    };
    let sale = Sale {
        refunded_amount: read.refunded_amount + amount,
        version: read.version + 1,
        ..read.clone()
    };

    let mut ops: Vec<TxOp> = Vec::new();
    let mut commission_delta = 0;
    let mut changed: Option<Commission> = None;
    let mut clawback: Option<Commission> = None;
    if let Some(current) = &commission {
        let taken = share(current.earnings, amount, remaining);
        if current.status.is_unpaid() {
            let full = amount == remaining;
            let mut next = current.clone();
            next.version += 1;
            next.updated_at = now;
            if full {
                next.status = CommissionStatus::Refunded;
                if current.status.counts_towards_totals() {
                    commission_delta = -current.earnings;
                }
            } else {
                next.earnings -= taken;
                next.amount -= amount;
                if current.status.counts_towards_totals() {
                    commission_delta = -taken;
                }
            }
            ops.push(records::replace_commission(&next, current.version)?);
            if full && current.status == CommissionStatus::Pending {
                ops.push(records::remove_maturing_marker(current));
            }
            changed = Some(next);
        } else if current.status == CommissionStatus::Paid && taken != 0 {
            let reversal = Commission {
                id: CommissionId::generate(ctx.ids.as_ref()),
                kind: CommissionType::Custom,
                amount: -amount,
                earnings: -taken,
                quantity: 1,
                status: CommissionStatus::Pending,
                reward_id: None,
                description: Some(format!(
                    "Clawback: refund of invoice {}{}",
                    input.invoice_id,
                    input
                        .reason
                        .as_ref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default()
                )),
                clawback_of: Some(current.id.clone()),
                note: None,
                holds_until: now,
                paid_at: None,
                created_at: now,
                updated_at: now,
                version: 1,
                ..current.clone()
            };
            commission_delta = reversal.earnings;
            ops.extend(records::insert_commission(&reversal)?);
            clawback = Some(reversal);
        }
    }
    let body = json!({
        "saleId": sale.id,
        "invoiceId": sale.invoice_id,
        "amount": amount,
        "refundedAmount": sale.refunded_amount,
        "currency": sale.currency,
        "commission": changed.as_ref().map(|c| payloads::commission(c, sale.metadata.as_ref())),
        "clawback": clawback.as_ref().map(|c| payloads::commission(c, sale.metadata.as_ref())),
    });
    let key_index = key.map(|key| {
        ops.insert(0, idempotency::record(program, key, &body, now));
        0
    });
    ops.push(records::replace_sale(&sale, read.version)?);
    ops.extend(update_activity(
        &sale.customer_id,
        &ActivityChange {
            sale_amount: -amount,
            ..Default::default()
        },
    ));
    if let Some(partner) = &sale.partner_id {
        ops.extend(add_partner_totals(
            partner,
            &PartnerTotals {
                total_sale_amount: -amount,
                total_commissions: commission_delta,
                ..Default::default()
            },
        ));
    }
    if let Some(link) = &sale.link_id {
        ops.extend(add_link_stats(
            link,
            &LinkStats {
                sale_amount: -amount,
                ..Default::default()
            },
        ));
    }
    let actor = principal.actor();
    let refunded = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        program,
        "sale.refunded",
        actor.clone(),
        json!({ "refund": body, "reason": input.reason }),
    );
    ops.push(outbox::record(&refunded)?);
    if let Some(clawback) = &clawback {
        let event = outbox::new_event(
            ctx.ids.as_ref(),
            ctx.clock.as_ref(),
            program,
            "commission.created",
            actor,
            payloads::commission(clawback, sale.metadata.as_ref()),
        );
        ops.push(outbox::record(&event)?);
    }
    match store.transact(ops).await {
        Ok(()) => {
            after_commission_change(ctx, &sale).await;
            Ok(Some(body))
        }
        Err(error) if failed_at(&error, key_index) => {
            let key = key.expect("an index means a key");
            Ok(idempotency::replay(store, program, key, now).await?)
        }
        Err(error) if error.is_condition_failure() => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Move rules after a commission changed: on the partner's stored totals.
async fn after_commission_change(ctx: &AppContext, sale: &Sale) {
    let Some(partner_id) = &sale.partner_id else {
        return;
    };
    super::moves::after_commission_change(ctx, &sale.program_id, partner_id).await;
}

#[cfg(test)]
mod tests {
    use super::share;

    #[test]
    fn successive_partial_shares_add_up_to_the_earnings() {
        let (mut earnings, mut remaining) = (333, 1_000);
        let mut taken = 0;
        for refund in [100, 250, 650] {
            let part = share(earnings, refund, remaining);
            taken += part;
            earnings -= part;
            remaining -= refund;
        }
        assert_eq!((taken, earnings, remaining), (333, 0, 0));
        assert_eq!(share(5, 1, 2), 3); // 2.5 → 3
        assert_eq!(share(-5, 1, 2), -3);
    }
}
