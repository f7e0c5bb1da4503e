//! Partner groups with their rewards, discount and move rules, as program-admin answers them.
//! Reward and discount fields keep Dub's names (`amountInCents`, `maxDuration`, `couponId`).

use super::timestamp;
use crate::model::{
    ConditionEntity, ConditionOperator, ConditionValue, Discount, MoveRule, MoveRuleBound,
    MoveRuleCondition, MoveRuleMetric, PartnerGroup, Reward, RewardCondition, RewardEvent,
    RewardModifier, RewardType,
};
use crate::types::Percentage;

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupSchema {
    pub id: String,
    pub program_id: String,
    /// `default` for the group every program starts with.
    pub slug: String,
    pub name: String,
    /// At most one per event.
    pub rewards: Vec<RewardSchema>,
    pub discount: Option<DiscountSchema>,
    /// One of 0, 7, 14, 30, 60, 90.
    pub holding_period_days: u32,
    pub auto_approve: bool,
    pub max_links_per_partner: u32,
    pub move_rules: Vec<MoveRuleSchema>,
    pub created_at: String,
    pub updated_at: String,
    /// Bumped by every change to the group or what hangs off it.
    pub version: u64,
}

impl GroupSchema {
    pub fn of(group: &PartnerGroup) -> Self {
        Self {
            id: group.id.to_string(),
            program_id: group.program_id.to_string(),
            slug: group.slug.clone(),
            name: group.name.clone(),
            rewards: group.rewards.iter().map(RewardSchema::of).collect(),
            discount: group.discount.as_ref().map(DiscountSchema::of),
            holding_period_days: group.holding_period_days,
            auto_approve: group.auto_approve,
            max_links_per_partner: group.max_links_per_partner,
            move_rules: group.move_rules.iter().map(MoveRuleSchema::of).collect(),
            created_at: timestamp(group.created_at),
            updated_at: timestamp(group.updated_at),
            version: group.version,
        }
    }
}

/// One page of a program's groups.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupPageSchema {
    pub data: Vec<GroupSchema>,
    pub next_cursor: Option<String>,
}

impl GroupPageSchema {
    pub fn of(groups: &[PartnerGroup], next_cursor: Option<String>) -> Self {
        Self {
            data: groups.iter().map(GroupSchema::of).collect(),
            next_cursor,
        }
    }
}

/// What a partner earns for an event. An amount of 0 with a description is non-monetary.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RewardSchema {
    pub id: String,
    pub event: RewardEvent,
    #[serde(rename = "type")]
    pub kind: RewardType,
    pub amount_in_cents: Option<i64>,
    /// Percent, up to two decimals.
    #[schema(value_type = Option<f64>)]
    pub amount_in_percentage: Option<Percentage>,
    /// Months from the customer's first commission: 0 = first sale only, null = lifetime.
    pub max_duration: Option<u32>,
    pub description: Option<String>,
    /// Markdown shown to partners.
    pub tooltip: Option<String>,
    pub modifiers: Vec<RewardModifierSchema>,
}

impl RewardSchema {
    pub fn of(reward: &Reward) -> Self {
        Self {
            id: reward.id.to_string(),
            event: reward.event,
            kind: reward.kind,
            amount_in_cents: reward.amount_in_cents,
            amount_in_percentage: reward.amount_in_percentage,
            max_duration: reward.max_duration,
            description: reward.description.clone(),
            tooltip: reward.tooltip.clone(),
            modifiers: reward
                .modifiers
                .iter()
                .map(RewardModifierSchema::of)
                .collect(),
        }
    }
}

/// An alternative amount, applied when every condition matches; the highest match wins.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RewardModifierSchema {
    pub conditions: Vec<RewardConditionSchema>,
    #[serde(rename = "type")]
    pub kind: RewardType,
    pub amount_in_cents: Option<i64>,
    #[schema(value_type = Option<f64>)]
    pub amount_in_percentage: Option<Percentage>,
}

impl RewardModifierSchema {
    fn of(modifier: &RewardModifier) -> Self {
        Self {
            conditions: modifier
                .conditions
                .iter()
                .map(RewardConditionSchema::of)
                .collect(),
            kind: modifier.kind,
            amount_in_cents: modifier.amount_in_cents,
            amount_in_percentage: modifier.amount_in_percentage,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RewardConditionSchema {
    pub entity: ConditionEntity,
    pub attribute: String,
    pub operator: ConditionOperator,
    /// A number, a text, or a list of texts, as written.
    pub value: ConditionValue,
}

impl RewardConditionSchema {
    fn of(condition: &RewardCondition) -> Self {
        Self {
            entity: condition.entity,
            attribute: condition.attribute.clone(),
            operator: condition.operator,
            value: condition.value.clone(),
        }
    }
}

/// A dual-sided incentive: what the customers a group's partners refer get.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DiscountSchema {
    pub id: String,
    /// Minor units for a flat discount, whole percent for a percentage one.
    pub amount: i64,
    #[serde(rename = "type")]
    pub kind: RewardType,
    pub max_duration: Option<u32>,
    pub coupon_id: Option<String>,
}

impl DiscountSchema {
    pub fn of(discount: &Discount) -> Self {
        Self {
            id: discount.id.to_string(),
            amount: discount.amount,
            kind: discount.kind,
            max_duration: discount.max_duration,
            coupon_id: discount.coupon_id.clone(),
        }
    }
}

/// Automatic graduation: when every condition holds, the partner moves to the target group.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MoveRuleSchema {
    pub id: String,
    pub conditions: Vec<MoveRuleConditionSchema>,
    pub target_group_id: String,
}

impl MoveRuleSchema {
    pub fn of(rule: &MoveRule) -> Self {
        Self {
            id: rule.id.to_string(),
            conditions: rule
                .conditions
                .iter()
                .map(MoveRuleConditionSchema::of)
                .collect(),
            target_group_id: rule.target_group_id.to_string(),
        }
    }
}

/// One test of a move rule: `{metric, operator: "gte", value}` or
/// `{metric, operator: "between", min, max}` (also the shape requests send).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MoveRuleConditionSchema {
    pub metric: MoveRuleMetric,
    pub operator: MoveRuleOperator,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MoveRuleOperator {
    Gte,
    Between,
}

impl MoveRuleConditionSchema {
    pub fn of(condition: &MoveRuleCondition) -> Self {
        let (operator, value, min, max) = match condition.bound {
            MoveRuleBound::Gte(value) => (MoveRuleOperator::Gte, Some(value), None, None),
            MoveRuleBound::Between { min, max } => {
                (MoveRuleOperator::Between, None, Some(min), Some(max))
            }
        };
        Self {
            metric: condition.metric,
            operator,
            value,
            min,
            max,
        }
    }
}

/// The data of `reward.created` and `reward.updated`; an update names the reward it replaced.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RewardChangedEventSchema {
    pub group_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_reward_id: Option<String>,
    pub reward: RewardSchema,
}

/// The data of `discount.updated`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DiscountChangedEventSchema {
    pub group_id: String,
    pub discount: DiscountSchema,
}

/// The data of `reward.deleted` and `discount.deleted`: the group and the removed part's id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupPartRemovedEventSchema {
    pub group_id: String,
    pub id: String,
}

/// The data of `group.move_rules_updated`: the group's rules as they now are.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MoveRulesChangedEventSchema {
    pub group_id: String,
    pub move_rules: Vec<MoveRuleSchema>,
}

impl MoveRulesChangedEventSchema {
    pub fn of(group: &PartnerGroup) -> Self {
        Self {
            group_id: group.id.to_string(),
            move_rules: group.move_rules.iter().map(MoveRuleSchema::of).collect(),
        }
    }
}

/// The data of `group.deleted`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct GroupDeletedEventSchema {
    pub id: String,
    pub slug: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_group_reads_as_its_record_did() {
        let record = json!({
            "id": "grp_1", "programId": "prog_1", "slug": "vip", "name": "VIP",
            "rewards": [{
                "id": "rw_1", "event": "sale", "type": "percentage", "amountInCents": null,
                "amountInPercentage": 12.5, "maxDuration": 12, "description": null,
                "tooltip": "**Terms**",
                "modifiers": [{
                    "conditions": [
                        {"entity": "sale", "attribute": "amount", "operator": "greater_than", "value": 10000},
                        {"entity": "customer", "attribute": "country", "operator": "in", "value": ["FR", "DE"]}
                    ],
                    "type": "flat", "amountInCents": 500, "amountInPercentage": null
                }]
            }],
            "discount": {"id": "disc_1", "amount": 25, "type": "percentage", "maxDuration": 3, "couponId": "SAVE25"},
            "holdingPeriodDays": 30, "autoApprove": true, "maxLinksPerPartner": 10,
            "moveRules": [{
                "id": "gmr_1",
                "conditions": [
                    {"metric": "totalLeads", "operator": "gte", "value": 10},
                    {"metric": "totalSaleAmount", "operator": "between", "min": 1, "max": 5}
                ],
                "targetGroupId": "grp_2"
            }],
            "createdAt": "2026-01-02T03:04:05Z", "updatedAt": "2026-01-03T03:04:05Z", "version": 4
        });
        let group: PartnerGroup = serde_json::from_value(record).unwrap();
        assert_eq!(
            serde_json::to_string(&GroupSchema::of(&group)).unwrap(),
            serde_json::to_string(&group).unwrap()
        );
        let empty = PartnerGroup {
            rewards: Vec::new(),
            discount: None,
            move_rules: Vec::new(),
            ..group
        };
        assert_eq!(
            serde_json::to_string(&GroupSchema::of(&empty)).unwrap(),
            serde_json::to_string(&empty).unwrap()
        );
    }

    #[test]
    fn a_reward_event_names_the_replaced_reward_only_on_update() {
        let reward: Reward = serde_json::from_value(json!({
            "id": "rw_2", "event": "lead", "type": "flat", "amountInCents": 500,
            "amountInPercentage": null, "maxDuration": null, "description": null, "tooltip": null
        }))
        .unwrap();
        let created = crate::wire::event_data(&RewardChangedEventSchema {
            group_id: "grp_1".into(),
            previous_reward_id: None,
            reward: RewardSchema::of(&reward),
        });
        assert_eq!(
            created,
            json!({"groupId": "grp_1", "reward": serde_json::to_value(&reward).unwrap()})
        );
        let updated = crate::wire::event_data(&RewardChangedEventSchema {
            group_id: "grp_1".into(),
            previous_reward_id: Some("rw_1".into()),
            reward: RewardSchema::of(&reward),
        });
        assert_eq!(updated["previousRewardId"], "rw_1");
    }
}
