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
use crate::idempotency::Recorded;
use crate::idempotency::{self, IdempotencyKey};
use crate::model::{Commission, CommissionStatus, CommissionType, LinkStats, PartnerTotals, Sale};
use crate::outbox;
use crate::partners::totals::{add_link_stats, add_partner_totals};
use crate::store::TxOp;
use crate::types::{CommissionId, ProgramId, amount_in_range, proportional};
use crate::wire::tracking::TrackRefundResponse;
use serde_json::json;

pub async fn track_refund(
    ctx: &AppContext,
    principal: &Principal,
    request: TrackRefundRequest,
    key: Option<IdempotencyKey>,
) -> Result<Recorded<TrackRefundResponse>, DomainError> {
    let program = principal
        .own_program(Scope::ConversionsWrite)
        .map_err(|denied| DomainError::denied(denied, "Program"))?;
    let input = request.check()?;
    if let Some(key) = &key
        && let Some(stored) =
            idempotency::replay(ctx.store.as_ref(), &program, key, ctx.clock.now()).await?
    {
        return Ok(Recorded::Stored(stored));
    }
    for _ in 0..ATTEMPTS {
        if let Some(body) = attempt_refund(ctx, principal, &program, &input, key.as_ref()).await? {
            return Ok(body);
        }
    }
    Err(contention())
}

/// The refunded share of an unpaid commission: `round(earnings × refund / remaining)`, half
/// away from zero, so the shares of successive partial refunds add up to the earnings exactly.
fn unpaid_share(earnings: i64, refund: i64, remaining: i64) -> i64 {
    // refund <= remaining, so the share is at most the earnings and always fits.
    proportional(earnings, refund, remaining).unwrap_or(earnings)
}

/// What a refund of `refund` takes back from a paid commission, when `remaining` of the sale
/// was still unrefunded before it.
///
/// The commission was paid on `paid.amount` (the sale's unrefunded amount when it was paid),
/// and refunds since then cover `paid.amount - remaining`. The clawbacks so far are the rounded
/// share of that part; this refund takes the growth of the rounded share:
/// `round(E × after / A) − round(E × before / A)`. The clawbacks of every refund of the sale
/// therefore add up to at most the earnings paid, and to exactly them once all is refunded,
/// whatever the order and sizes of the refunds.
fn clawback_share(paid: &Commission, remaining: i64, refund: i64) -> i64 {
    let base = paid.amount;
    if base <= 0 {
        // No amount to apportion by (a corrected zero amount): all goes back with the last refund.
        return if refund >= remaining {
            paid.earnings
        } else {
            0
        };
    }
    let before = base.saturating_sub(remaining).clamp(0, base);
    let after = before.saturating_add(refund).min(base);
    let cumulative = |refunded: i64| proportional(paid.earnings, refunded, base).unwrap_or(0);
    cumulative(after).saturating_sub(cumulative(before))
}

async fn attempt_refund(
    ctx: &AppContext,
    principal: &Principal,
    program: &ProgramId,
    input: &RefundInput,
    key: Option<&IdempotencyKey>,
) -> Result<Option<Recorded<TrackRefundResponse>>, DomainError> {
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
    if !amount_in_range(read.amount) || !amount_in_range(read.refunded_amount) {
        // Recorded by an earlier version without bounds, and left out of every total.
        return Err(DomainError::Unprocessable(format!(
            "This sale's amount is out of range ({}); it counts towards no total and cannot \
             be refunded.",
            read.amount
        )));
    }
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
        if current.status.is_unpaid() {
            let taken = unpaid_share(current.earnings, amount, remaining);
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
        } else if current.status == CommissionStatus::Paid
            && let taken = clawback_share(current, remaining, amount)
            && taken != 0
        {
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
    let body = TrackRefundResponse {
        sale_id: sale.id.to_string(),
        invoice_id: sale.invoice_id.clone(),
        amount,
        refunded_amount: sale.refunded_amount,
        currency: sale.currency,
        commission: changed
            .as_ref()
            .map(|c| payloads::commission(c, sale.metadata.as_ref())),
        clawback: clawback
            .as_ref()
            .map(|c| payloads::commission(c, sale.metadata.as_ref())),
    };
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
            Ok(Some(Recorded::Built(body)))
        }
        Err(error) if failed_at(&error, key_index) => {
            let key = key.expect("an index means a key");
            let stored = idempotency::replay(store, program, key, now).await?;
            Ok(stored.map(Recorded::Stored))
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
    use super::*;
    use crate::model::{CommissionStatus, CommissionType};
    use crate::types::{Currency, GroupId, PartnerId};
    use time::macros::datetime;

    pub(super) fn paid(amount: i64, earnings: i64) -> Commission {
        let at = datetime!(2026-12-01 0:00 UTC);
        Commission {
            id: CommissionId::parse("cm_1").unwrap(),
            program_id: ProgramId::parse("prog_1").unwrap(),
            partner_id: PartnerId::parse("pn_1").unwrap(),
            group_id: GroupId::parse("grp_1").unwrap(),
            customer_id: None,
            kind: CommissionType::Sale,
            amount,
            earnings,
            currency: Currency::USD,
            quantity: 1,
            status: CommissionStatus::Paid,
            reward_id: None,
            invoice_id: None,
            description: None,
            lead_id: None,
            sale_id: None,
            link_id: None,
            clawback_of: None,
            note: None,
            holds_until: at,
            paid_at: Some(at),
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }

    /// The clawbacks of `refunds`, applied in order to a sale of `sale` whose commission was
    /// paid on all of it.
    fn clawbacks(sale: i64, earnings: i64, refunds: &[i64]) -> Vec<i64> {
        let commission = paid(sale, earnings);
        let mut remaining = sale;
        refunds
            .iter()
            .map(|refund| {
                let taken = clawback_share(&commission, remaining, *refund);
                remaining -= refund;
                taken
            })
            .collect()
    }

    #[test]
    fn successive_partial_shares_add_up_to_the_earnings() {
        let (mut earnings, mut remaining) = (333, 1_000);
        let mut taken = 0;
        for refund in [100, 250, 650] {
            let part = unpaid_share(earnings, refund, remaining);
            taken += part;
            earnings -= part;
            remaining -= refund;
        }
        assert_eq!((taken, earnings, remaining), (333, 0, 0));
    }

    #[test]
    fn a_paid_commission_refunded_in_halves_is_clawed_back_once() {
        assert_eq!(clawbacks(10_000, 2_000, &[5_000, 5_000]), [1_000, 1_000]);
        assert_eq!(
            clawbacks(2_321_954, 406_342, &[1_160_977, 1_160_977]),
            [203_171, 203_171]
        );
    }

    #[test]
    fn clawbacks_in_any_order_add_up_to_the_earnings_paid() {
        for refunds in [
            vec![1, 2, 997],
            vec![997, 2, 1],
            vec![333, 333, 334],
            vec![500, 499, 1],
            vec![1_000],
        ] {
            let taken = clawbacks(1_000, 333, &refunds);
            assert_eq!(taken.iter().sum::<i64>(), 333, "{refunds:?}");
            assert!(taken.iter().all(|t| *t >= 0), "{refunds:?}");
        }
        let partial = clawbacks(1_000, 333, &[100, 200]);
        assert_eq!(partial, [33, 67]);
    }

    #[test]
    fn a_commission_paid_after_an_earlier_refund_apportions_what_was_left() {
        // Sale of 1,000; 400 refunded while unpaid (commission now 600 → earnings 120), paid,
        // then the remaining 600 refunded in two parts.
        let commission = paid(600, 120);
        let first = clawback_share(&commission, 600, 300);
        let second = clawback_share(&commission, 300, 300);
        assert_eq!((first, second), (60, 60));
    }
}

/// The ledger identities of refunds, on extreme and random values: a refund never takes back
/// more than was earned, and all refunds of a sale take back exactly the earnings.
#[cfg(test)]
mod properties {
    use super::tests::paid;
    use super::{clawback_share, unpaid_share};
    use crate::types::{MAX_AMOUNT, Percentage};
    use proptest::prelude::*;

    /// A sale amount, a reward rate and the sale cut into 1 to 6 refunds.
    fn refunded_sale() -> impl Strategy<Value = (i64, i64, Vec<i64>)> {
        (
            1..=MAX_AMOUNT,
            0..=10_000u32,
            prop::collection::vec(1..=1_000i64, 1..6),
        )
            .prop_map(|(amount, basis_points, weights)| {
                let earnings = Percentage::from_basis_points(basis_points)
                    .unwrap()
                    .of(amount);
                let total: i64 = weights.iter().sum();
                let mut refunds: Vec<i64> = weights
                    .iter()
                    .map(|w| (amount as i128 * *w as i128 / total as i128) as i64)
                    .collect();
                let rest = amount - refunds.iter().sum::<i64>();
                *refunds.last_mut().unwrap() += rest;
                refunds.retain(|r| *r > 0);
                (amount, earnings, refunds)
            })
    }

    proptest! {
        #[test]
        fn clawbacks_never_exceed_and_finally_equal_the_earnings_paid(
            (amount, earnings, refunds) in refunded_sale()
        ) {
            let commission = paid(amount, earnings);
            let (mut remaining, mut taken) = (amount, 0i64);
            for refund in &refunds {
                let share = clawback_share(&commission, remaining, *refund);
                prop_assert!(share >= 0);
                taken += share;
                prop_assert!(taken <= earnings);
                remaining -= refund;
            }
            prop_assert_eq!(remaining, 0);
            prop_assert_eq!(taken, earnings);
        }

        #[test]
        fn unpaid_shares_take_the_earnings_down_to_zero(
            (amount, earnings, refunds) in refunded_sale()
        ) {
            let (mut remaining, mut left) = (amount, earnings);
            for refund in &refunds {
                let share = unpaid_share(left, *refund, remaining);
                prop_assert!((0..=left).contains(&share));
                left -= share;
                remaining -= refund;
            }
            prop_assert_eq!(left, 0);
        }

        #[test]
        fn shares_of_any_values_never_panic(
            base in any::<i64>(),
            earnings in any::<i64>(),
            remaining in any::<i64>(),
            refund in any::<i64>(),
        ) {
            let commission = paid(base, earnings);
            let _ = clawback_share(&commission, remaining, refund);
            if remaining > 0 && (0..=remaining).contains(&refund) {
                let _ = unpaid_share(earnings, refund, remaining);
            }
        }
    }
}
