use crate::types::{DiscountId, GroupId, MoveRuleId, Percentage, ProgramId, RewardId};
use time::OffsetDateTime;

/// A partner group: the rewards, discount and rules that apply to its partners.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerGroup {
    pub id: GroupId,
    pub program_id: ProgramId,
    /// `default` for the group every program starts with.
    pub slug: String,
    pub name: String,
    pub rewards: Vec<Reward>,
    pub discount: Option<Discount>,
    /// One of 0, 7, 14, 30, 60, 90.
    pub holding_period_days: u32,
    pub auto_approve: bool,
    pub max_links_per_partner: u32,
    pub move_rules: Vec<MoveRule>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RewardEvent {
    Click,
    Lead,
    Sale,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RewardType {
    Flat,
    Percentage,
}

/// What a partner earns for an event. An amount of 0 with a description is a non-monetary
/// reward ("500 free credits per signup"): it creates no cash commission but travels with events.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reward {
    pub id: RewardId,
    pub event: RewardEvent,
    #[serde(rename = "type")]
    pub kind: RewardType,
    pub amount_in_cents: Option<i64>,
    pub amount_in_percentage: Option<Percentage>,
    /// Months counted from the customer's first commission: 0 = first sale only, None = lifetime.
    pub max_duration: Option<u32>,
    pub description: Option<String>,
    /// Markdown shown to partners.
    pub tooltip: Option<String>,
}

/// A dual-sided incentive: what the referred customer gets.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Discount {
    pub id: DiscountId,
    pub amount: i64,
    #[serde(rename = "type")]
    pub kind: RewardType,
    pub max_duration: Option<u32>,
    pub coupon_id: Option<String>,
}

/// The partner totals a move rule can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MoveRuleMetric {
    TotalLeads,
    TotalConversions,
    TotalSaleAmount,
    TotalCommissions,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MoveRuleBound {
    Gte(i64),
    Between { min: i64, max: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MoveRuleCondition {
    pub metric: MoveRuleMetric,
    #[serde(flatten)]
    pub bound: MoveRuleBound,
}

/// Automatic graduation: when every condition holds, the partner moves to `target_group_id`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MoveRule {
    pub id: MoveRuleId,
    pub conditions: Vec<MoveRuleCondition>,
    pub target_group_id: GroupId,
}
