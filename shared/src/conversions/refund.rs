//! `POST /track/refund`: a full or partial refund of a sale, found by its invoice id.
//!
//! The sale's commission follows the refund: unpaid (pending, processed, on hold) it loses the
//! refunded share of its earnings, and a full refund marks it `refunded`; already paid, a
//! negative clawback commission (type `custom`) takes the share back from the next payout.
//! The share of a partial refund is `round(earnings × refund / remaining amount)`, half away
//! from zero, so the shares of successive partial refunds add up to the earnings exactly.

use super::input::{RefundInput, TrackRefundRequest};
use super::pipeline;
use super::plan::{AfterCommit, Decision, Plan, Stamp, Write};
use super::read::{RefundRead, read_refund};
use crate::auth::{Principal, Scope};
use crate::commissions::records::commission_payload;
use crate::context::AppContext;
use crate::customers::tracked::ActivityChange;
use crate::error::DomainError;
use crate::idempotency::{IdempotencyKey, Recorded};
use crate::model::EventName;
use crate::model::{
    Commission, CommissionStatus, CommissionType, DomainEvent, LinkStats, PartnerTotals, Sale,
};
use crate::programs::caller_program_id;
use crate::types::{CommissionId, amount_in_range, proportional};
use crate::wire::tracking::TrackRefundResponse;
use serde_json::json;

pub async fn track_refund(
    ctx: &AppContext,
    principal: &Principal,
    request: TrackRefundRequest,
    key: Option<IdempotencyKey>,
) -> Result<Recorded<TrackRefundResponse>, DomainError> {
    let program = caller_program_id(principal, Scope::ConversionsWrite)?;
    let input = &request.check()?;
    pipeline::run(
        ctx,
        &program,
        key.as_ref(),
        principal.actor(),
        |request| async move { read_refund(ctx, &request, input).await },
        |read, stamp| decide_refund(input, read, stamp),
    )
    .await
}

/// The refund's plan: the sale's refunded amount, its commission's share (reduced, refunded,
/// or clawed back once paid), the counters and the events.
pub fn decide_refund(
    input: &RefundInput,
    read: RefundRead,
    stamp: &Stamp,
) -> Result<Decision<TrackRefundResponse>, DomainError> {
    if let Some(stored) = read.replay {
        return Ok(Decision::Replay(stored));
    }
    let sale = read
        .sale
        .ok_or_else(|| DomainError::NotFound("No sale was tracked with this invoice id.".into()))?;
    let (amount, remaining) = refund_amount(input, &sale)?;
    let refunded = Sale {
        refunded_amount: sale.refunded_amount + amount,
        version: sale.version + 1,
        ..sale.clone()
    };
    let change = match &read.commission {
        Some(current) => commission_change(current, input, amount, remaining, stamp),
        None => CommissionChange::default(),
    };
    let response = refund_response(&refunded, amount, &change);
    let mut writes = change.writes.clone();
    writes.push(Write::ReplaceSale(Box::new(refunded.clone()), sale.version));
    writes.extend(refund_counters(&refunded, amount, change.delta));
    let events = refund_events(stamp, input, &refunded, &response, change.clawback.as_ref());
    Ok(Decision::Write(Plan {
        response,
        claim: None,
        writes,
        events,
        then: match &refunded.partner_id {
            Some(partner) => AfterCommit::MoveRulesOfStored {
                program: refunded.program_id.clone(),
                partner: partner.clone(),
            },
            None => AfterCommit::Nothing,
        },
    }))
}

/// The amount refunded (the whole unrefunded amount when the request names none) and the
/// unrefunded amount before it: 422 past it, 409 when nothing is left.
fn refund_amount(input: &RefundInput, sale: &Sale) -> Result<(i64, i64), DomainError> {
    if !amount_in_range(sale.amount) || !amount_in_range(sale.refunded_amount) {
        // Recorded by an earlier version without bounds, and left out of every total.
        return Err(DomainError::Unprocessable(format!(
            "This sale's amount is out of range ({}); it counts towards no total and cannot \
             be refunded.",
            sale.amount
        )));
    }
    let remaining = sale.amount - sale.refunded_amount;
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
    Ok((amount, remaining))
}

/// What a refund does to the sale's commission.
#[derive(Debug, Clone, Default)]
struct CommissionChange {
    writes: Vec<Write>,
    /// The change of the partner's total commissions.
    delta: i64,
    /// The unpaid commission after the refund.
    changed: Option<Commission>,
    /// The clawback of a paid one.
    clawback: Option<Commission>,
}

fn commission_change(
    current: &Commission,
    input: &RefundInput,
    amount: i64,
    remaining: i64,
    stamp: &Stamp,
) -> CommissionChange {
    // A commission in a payout is paid by it: a refund claws it back like a paid one.
    let paying = current.status == CommissionStatus::Paid || current.payout_id.is_some();
    if current.status.is_unpaid() && !paying {
        return unpaid_change(current, amount, remaining, stamp);
    }
    if !paying {
        return CommissionChange::default();
    }
    let taken = clawback_share(current, remaining, amount);
    if taken == 0 {
        return CommissionChange::default();
    }
    let clawback = clawback_of(current, input, amount, taken, stamp);
    CommissionChange {
        writes: vec![Write::InsertCommission(Box::new(clawback.clone()))],
        delta: clawback.earnings,
        changed: None,
        clawback: Some(clawback),
    }
}

/// An unpaid commission loses the refunded share of its earnings; a full refund marks it
/// `refunded` (and a pending one leaves the maturing queue).
fn unpaid_change(
    current: &Commission,
    amount: i64,
    remaining: i64,
    stamp: &Stamp,
) -> CommissionChange {
    let full = amount == remaining;
    let taken = if full {
        current.earnings
    } else {
        unpaid_share(current.earnings, amount, remaining)
    };
    let mut next = current.clone();
    next.version += 1;
    next.updated_at = stamp.now;
    if full {
        next.status = CommissionStatus::Refunded;
    } else {
        next.earnings -= taken;
        next.amount -= amount;
    }
    let mut writes = vec![Write::ReplaceCommission(
        Box::new(next.clone()),
        current.version,
    )];
    if full && current.status == CommissionStatus::Pending {
        writes.push(Write::RemoveMaturingMarker(Box::new(current.clone())));
    }
    CommissionChange {
        writes,
        delta: if current.status.counts_towards_totals() {
            -taken
        } else {
            0
        },
        changed: Some(next),
        clawback: None,
    }
}

/// A negative commission (type `custom`) taking `taken` back from the next payout.
fn clawback_of(
    paid: &Commission,
    input: &RefundInput,
    amount: i64,
    taken: i64,
    stamp: &Stamp,
) -> Commission {
    let reason = input
        .reason
        .as_ref()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    Commission {
        id: CommissionId::generate(stamp.ids),
        kind: CommissionType::Custom,
        amount: -amount,
        earnings: -taken,
        quantity: 1,
        status: CommissionStatus::Pending,
        reward_id: None,
        description: Some(format!(
            "Clawback: refund of invoice {}{reason}",
            input.invoice_id
        )),
        clawback_of: Some(paid.id.clone()),
        note: None,
        payout_id: None,
        holds_until: stamp.now,
        paid_at: None,
        created_at: stamp.now,
        updated_at: stamp.now,
        version: 1,
        ..paid.clone()
    }
}

fn refund_response(sale: &Sale, amount: i64, change: &CommissionChange) -> TrackRefundResponse {
    let commission = |c: &Commission| commission_payload(c, sale.metadata.as_ref());
    TrackRefundResponse {
        sale_id: sale.id.to_string(),
        invoice_id: sale.invoice_id.clone(),
        amount,
        refunded_amount: sale.refunded_amount,
        currency: sale.currency,
        commission: change.changed.as_ref().map(commission),
        clawback: change.clawback.as_ref().map(commission),
    }
}

/// The refund comes off the customer's, the partner's and the link's sale amounts.
fn refund_counters(sale: &Sale, amount: i64, commission_delta: i64) -> Vec<Write> {
    let mut writes = vec![Write::UpdateActivity(
        sale.customer_id.clone(),
        ActivityChange {
            sale_amount: -amount,
            ..Default::default()
        },
    )];
    if let Some(partner) = &sale.partner_id {
        let delta = PartnerTotals {
            total_sale_amount: -amount,
            total_commissions: commission_delta,
            ..Default::default()
        };
        writes.push(Write::PartnerTotals(partner.clone(), delta));
    }
    if let Some(link) = &sale.link_id {
        let delta = LinkStats {
            sale_amount: -amount,
            ..Default::default()
        };
        writes.push(Write::LinkStats(link.clone(), delta));
    }
    writes
}

/// `sale.refunded` and, for a clawback, its `commission.created`.
fn refund_events(
    stamp: &Stamp,
    input: &RefundInput,
    sale: &Sale,
    response: &TrackRefundResponse,
    clawback: Option<&Commission>,
) -> Vec<DomainEvent> {
    let mut events = vec![stamp.event(
        EventName::SaleRefunded,
        json!({ "refund": response, "reason": input.reason }),
    )];
    events.extend(clawback.map(|clawback| {
        stamp.event(
            EventName::CommissionCreated,
            commission_payload(clawback, sale.metadata.as_ref()),
        )
    }));
    events
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CommissionStatus, CommissionType};
    use crate::types::{Currency, GroupId, PartnerId, ProgramId};
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
            payout_id: None,
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
