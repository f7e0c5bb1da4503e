//! Group move rules, evaluated right after each lead, sale and commission change on the
//! partner's totals after it. The move is one transaction conditional on the partner's version
//! and on the rule's conditions holding for the stored counters, so a move never happens on
//! totals that a concurrent event changed; a move that loses such a race is left to the next
//! event.

use crate::context::AppContext;
use crate::layout;
use crate::model::EventName;
use crate::model::{
    Actor, MoveRule, MoveRuleBound, MoveRuleCondition, MoveRuleMetric, Partner, PartnerGroup,
    PartnerTotals,
};
use crate::outbox;
use crate::partners::replace_partner;
use crate::partners::totals::{
    TOTAL_COMMISSIONS, TOTAL_CONVERSIONS, TOTAL_LEADS, TOTAL_SALE_AMOUNT,
};
use crate::store::{Condition, StoreError, TxOp, n};
use crate::types::GroupId;

fn metric(totals: &PartnerTotals, metric: MoveRuleMetric) -> (&'static str, i64) {
    match metric {
        MoveRuleMetric::TotalLeads => (TOTAL_LEADS, totals.total_leads),
        MoveRuleMetric::TotalConversions => (TOTAL_CONVERSIONS, totals.total_conversions),
        MoveRuleMetric::TotalSaleAmount => (TOTAL_SALE_AMOUNT, totals.total_sale_amount),
        MoveRuleMetric::TotalCommissions => (TOTAL_COMMISSIONS, totals.total_commissions),
    }
}

fn holds(condition: &MoveRuleCondition, totals: &PartnerTotals) -> bool {
    let (_, value) = metric(totals, condition.metric);
    match condition.bound {
        MoveRuleBound::Gte(min) => value >= min,
        MoveRuleBound::Between { min, max } => (min..=max).contains(&value),
    }
}

/// The first rule of the group whose conditions all hold (rules are ANDs of conditions).
pub fn matching_rule<'a>(group: &'a PartnerGroup, totals: &PartnerTotals) -> Option<&'a MoveRule> {
    group
        .move_rules
        .iter()
        .find(|rule| rule.conditions.iter().all(|c| holds(c, totals)))
}

/// The same test as a store condition on the counters (an absent counter is 0).
fn stored_condition(condition: &MoveRuleCondition) -> Condition {
    let (name, _) = metric(&PartnerTotals::default(), condition.metric);
    let at_least = |min: i64| {
        if min <= 0 {
            None
        } else {
            Some(Condition::GreaterOrEqual(name.into(), n(min)))
        }
    };
    match condition.bound {
        MoveRuleBound::Gte(min) => at_least(min).unwrap_or(Condition::Exists),
        MoveRuleBound::Between { min, max } => {
            let at_most = Condition::Or(vec![
                Condition::AttributeNotExists(name.into()),
                Condition::LessOrEqual(name.into(), n(max)),
            ]);
            match at_least(min) {
                Some(lower) => lower.and(at_most),
                None => at_most,
            }
        }
    }
}

/// Moves the partner when a rule of its group matches `totals` (the totals after the event),
/// unless it opted out. Returns the new group. A failed move is logged, never an error of the
/// event that triggered it.
pub async fn apply_move_rules(
    ctx: &AppContext,
    partner: &Partner,
    totals: &PartnerTotals,
    group: &PartnerGroup,
) -> Option<GroupId> {
    if partner.exclude_from_moves || partner.group_id != group.id {
        return None;
    }
    let rule = matching_rule(group, totals)?;
    match move_partner(ctx, partner, totals, rule).await {
        Ok(true) => Some(rule.target_group_id.clone()),
        Ok(false) => None,
        Err(error) => {
            tracing::warn!(partner = %partner.id, %error, "automatic group move failed");
            None
        }
    }
}

async fn move_partner(
    ctx: &AppContext,
    partner: &Partner,
    totals: &PartnerTotals,
    rule: &MoveRule,
) -> Result<bool, StoreError> {
    let moved = Partner {
        group_id: rule.target_group_id.clone(),
        version: partner.version + 1,
        ..partner.clone()
    };
    let mut replace = replace_partner(&moved, partner.version)?;
    if let TxOp::Update(update) = &mut replace {
        let mut condition = update.condition.take().unwrap_or(Condition::Exists);
        for test in &rule.conditions {
            condition = condition.and(stored_condition(test));
        }
        update.condition = Some(condition);
    }
    let event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &partner.program_id,
        EventName::PartnerGroupMoved,
        Actor::System,
        serde_json::json!({
            "partnerId": partner.id,
            "tenantId": partner.tenant_id,
            "fromGroupId": partner.group_id,
            "toGroupId": rule.target_group_id,
            "moveRuleId": rule.id,
            "totals": totals,
        }),
    );
    let ops = vec![
        replace,
        TxOp::Check {
            key: layout::group(&partner.program_id, &rule.target_group_id),
            condition: Condition::Exists,
        },
        outbox::record(&event)?,
    ];
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(true),
        Err(error) if error.is_condition_failure() => Ok(false),
        Err(error) => Err(error),
    }
}

/// Evaluates the partner's move rules on its stored totals after a commission changed
/// outside a lead or sale (a refund, a manual change): two reads, then [`apply_move_rules`].
pub async fn after_commission_change(
    ctx: &AppContext,
    program: &crate::types::ProgramId,
    partner: &crate::types::PartnerId,
) {
    let store = ctx.store.as_ref();
    let partner = match crate::partners::find_partner(store, program, partner).await {
        Ok(Some(partner)) => partner,
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(%error, "cannot read the partner for its move rules");
            return;
        }
    };
    match crate::groups::find_group(store, program, &partner.group_id).await {
        Ok(Some(group)) => {
            apply_move_rules(ctx, &partner, &partner.totals, &group).await;
        }
        Ok(None) => {}
        Err(error) => tracing::warn!(%error, "cannot read the group for its move rules"),
    }
}
