use crate::types::{DiscountId, GroupId, MoveRuleId, Percentage, ProgramId, RewardId};
use time::OffsetDateTime;

/// A partner group: the rewards, discount and rules that apply to its partners.
///
/// Rewards apply to future events only: a changed reward gets a fresh id and the old one leaves
/// the group, so a commission keeps pointing at the reward it was created with.
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
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Optimistic-locking version, bumped by every change to the group or its rewards.
    pub version: u64,
}

/// The slug of the group every program starts with.
pub const DEFAULT_GROUP_SLUG: &str = "default";

/// Holding periods a group may have, in days.
pub const HOLDING_PERIODS: [u32; 6] = [0, 7, 14, 30, 60, 90];

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum RewardEvent {
    Click,
    Lead,
    Sale,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
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
    /// Alternative amounts; the highest whose conditions all match wins.
    #[serde(default)]
    pub modifiers: Vec<RewardModifier>,
}

/// An alternative amount of a reward, applied when every condition matches.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RewardModifier {
    pub conditions: Vec<RewardCondition>,
    #[serde(rename = "type")]
    pub kind: RewardType,
    #[serde(default)]
    pub amount_in_cents: Option<i64>,
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    pub amount_in_percentage: Option<Percentage>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ConditionEntity {
    Customer,
    Sale,
    Partner,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ConditionOperator {
    EqualsTo,
    NotEquals,
    StartsWith,
    EndsWith,
    In,
    NotIn,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
}

/// What a condition compares an attribute with.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum ConditionValue {
    /// Kept as written (`10000` stays an integer).
    Number(serde_json::Number),
    Text(String),
    List(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RewardCondition {
    pub entity: ConditionEntity,
    pub attribute: String,
    pub operator: ConditionOperator,
    pub value: ConditionValue,
}

/// A number, a text or a list of texts: serde's untagged shape, which the derive cannot
/// describe for `serde_json::Number`.
impl utoipa::PartialSchema for ConditionValue {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::Number))
            .item(ObjectBuilder::new().schema_type(Type::String))
            .item(ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String)))
            .into()
    }
}

impl utoipa::ToSchema for ConditionValue {}

/// A dual-sided incentive: what the referred customer gets.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Discount {
    pub id: DiscountId,
    /// Minor units for a flat discount, whole percent for a percentage one.
    pub amount: i64,
    #[serde(rename = "type")]
    pub kind: RewardType,
    pub max_duration: Option<u32>,
    pub coupon_id: Option<String>,
}

/// The partner totals a move rule can test.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum MoveRuleMetric {
    TotalLeads,
    TotalConversions,
    TotalSaleAmount,
    TotalCommissions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MoveRuleBound {
    Gte(i64),
    Between { min: i64, max: i64 },
}

/// One test of a move rule. On the wire: `{metric, operator: "gte", value}` or
/// `{metric, operator: "between", min, max}`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "ConditionWire", into = "ConditionWire")]
pub struct MoveRuleCondition {
    pub metric: MoveRuleMetric,
    pub bound: MoveRuleBound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
enum BoundOperator {
    Gte,
    Between,
}

/// The flat wire shape of a condition; the conversion checks the operator's fields.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConditionWire {
    metric: MoveRuleMetric,
    operator: BoundOperator,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<i64>,
}

impl TryFrom<ConditionWire> for MoveRuleCondition {
    type Error = String;

    fn try_from(wire: ConditionWire) -> Result<Self, Self::Error> {
        let bound = match (wire.operator, wire.value, wire.min, wire.max) {
            (BoundOperator::Gte, Some(value), None, None) => MoveRuleBound::Gte(value),
            (BoundOperator::Between, None, Some(min), Some(max)) => {
                MoveRuleBound::Between { min, max }
            }
            (BoundOperator::Gte, ..) => return Err("`gte` takes `value` only".into()),
            (BoundOperator::Between, ..) => {
                return Err("`between` takes `min` and `max` only".into());
            }
        };
        Ok(Self {
            metric: wire.metric,
            bound,
        })
    }
}

impl From<MoveRuleCondition> for ConditionWire {
    fn from(condition: MoveRuleCondition) -> Self {
        let (operator, value, min, max) = match condition.bound {
            MoveRuleBound::Gte(value) => (BoundOperator::Gte, Some(value), None, None),
            MoveRuleBound::Between { min, max } => {
                (BoundOperator::Between, None, Some(min), Some(max))
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

/// Automatic graduation: when every condition holds, the partner moves to `target_group_id`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MoveRule {
    pub id: MoveRuleId,
    pub conditions: Vec<MoveRuleCondition>,
    pub target_group_id: GroupId,
}

impl MoveRule {
    /// The conditions in a canonical order, to compare rule sets regardless of order.
    pub fn condition_set(&self) -> Vec<MoveRuleCondition> {
        let mut set = self.conditions.clone();
        set.sort();
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_round_trip_in_their_flat_shape() {
        for raw in [
            r#"{"metric":"totalLeads","operator":"gte","value":10}"#,
            r#"{"metric":"totalSaleAmount","operator":"between","min":1,"max":5}"#,
        ] {
            let condition: MoveRuleCondition = serde_json::from_str(raw).unwrap();
            assert_eq!(serde_json::to_string(&condition).unwrap(), raw);
        }
    }

    #[test]
    fn conditions_need_their_operators_fields() {
        for bad in [
            r#"{"metric":"totalLeads","operator":"gte"}"#,
            r#"{"metric":"totalLeads","operator":"gte","value":1,"min":0}"#,
            r#"{"metric":"totalLeads","operator":"between","min":1}"#,
            r#"{"metric":"totalLeads","operator":"lt","value":1}"#,
        ] {
            assert!(
                serde_json::from_str::<MoveRuleCondition>(bad).is_err(),
                "{bad}"
            );
        }
    }
}
