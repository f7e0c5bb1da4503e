//! What a partner earns for a lead or a sale: the group's reward for the event, its modifiers
//! (the highest matching amount wins) and its duration. Pure functions, no storage.
//!
//! Rounding: a percentage reward is `round(amount × pct / 100)` to a whole minor unit, half
//! away from zero (`Percentage::of`), computed exactly in basis points: 12.5 % of 1,234 is
//! 154.25 → 154; 50 % of 1 is 0.5 → 1. A flat reward is its amount × the event's quantity.

use crate::model::{
    ConditionEntity, ConditionOperator, ConditionValue, Customer, Partner, Reward, RewardCondition,
    RewardEvent, RewardType,
};
use crate::types::Percentage;
use time::OffsetDateTime;

/// The facts a modifier's conditions can test.
pub struct Facts<'a> {
    pub customer: &'a Customer,
    pub partner: &'a Partner,
    pub sale: Option<SaleFacts<'a>>,
}

pub struct SaleFacts<'a> {
    pub amount: i64,
    pub currency: &'a str,
    pub event_name: &'a str,
    pub invoice_id: Option<&'a str>,
    pub payment_processor: &'a str,
}

enum Fact {
    Number(i64),
    Text(String),
}

impl Facts<'_> {
    fn get(&self, entity: ConditionEntity, attribute: &str) -> Option<Fact> {
        let text = |value: Option<&str>| value.map(|v| Fact::Text(v.to_owned()));
        match entity {
            ConditionEntity::Customer => match attribute {
                "id" => text(Some(self.customer.id.as_str())),
                "externalId" => text(self.customer.external_id.as_deref()),
                "name" => text(self.customer.name.as_deref()),
                "email" => text(self.customer.email.as_deref()),
                "country" => text(self.customer.country.as_deref()),
                _ => None,
            },
            ConditionEntity::Partner => match attribute {
                "id" => text(Some(self.partner.id.as_str())),
                "name" => text(Some(&self.partner.name)),
                "email" => text(self.partner.email.as_ref().map(|e| e.as_str())),
                "country" => text(self.partner.country.as_deref()),
                "tenantId" => text(self.partner.tenant_id.as_deref()),
                "groupId" => text(Some(self.partner.group_id.as_str())),
                _ => None,
            },
            ConditionEntity::Sale => {
                let sale = self.sale.as_ref()?;
                match attribute {
                    "amount" => Some(Fact::Number(sale.amount)),
                    "currency" => text(Some(sale.currency)),
                    "eventName" => text(Some(sale.event_name)),
                    "invoiceId" => text(sale.invoice_id),
                    "paymentProcessor" => text(Some(sale.payment_processor)),
                    _ => None,
                }
            }
        }
    }
}

fn number_of(value: &ConditionValue) -> Option<i64> {
    match value {
        ConditionValue::Number(number) => number.as_i64(),
        ConditionValue::Text(text) => text.parse().ok(),
        ConditionValue::List(_) => None,
    }
}

fn text_of(value: &ConditionValue) -> Option<String> {
    match value {
        ConditionValue::Number(number) => Some(number.to_string()),
        ConditionValue::Text(text) => Some(text.clone()),
        ConditionValue::List(_) => None,
    }
}

/// Whether one condition holds. An attribute the event does not have never matches.
fn holds(condition: &RewardCondition, facts: &Facts) -> bool {
    use ConditionOperator::*;
    let Some(fact) = facts.get(condition.entity, &condition.attribute) else {
        return false;
    };
    let value = &condition.value;
    match (condition.operator, fact) {
        (GreaterThan | GreaterThanOrEqual | LessThan | LessThanOrEqual, Fact::Number(actual)) => {
            let Some(bound) = number_of(value) else {
                return false;
            };
            match condition.operator {
                GreaterThan => actual > bound,
                GreaterThanOrEqual => actual >= bound,
                LessThan => actual < bound,
                _ => actual <= bound,
            }
        }
        (GreaterThan | GreaterThanOrEqual | LessThan | LessThanOrEqual, Fact::Text(_)) => false,
        (operator, fact) => {
            let actual = match fact {
                Fact::Number(number) => number.to_string(),
                Fact::Text(text) => text,
            };
            match operator {
                In | NotIn => {
                    let ConditionValue::List(list) = value else {
                        return false;
                    };
                    list.contains(&actual) == (operator == In)
                }
                _ => {
                    let Some(expected) = text_of(value) else {
                        return false;
                    };
                    match operator {
                        EqualsTo => actual == expected,
                        NotEquals => actual != expected,
                        StartsWith => actual.starts_with(&expected),
                        EndsWith => actual.ends_with(&expected),
                        _ => false,
                    }
                }
            }
        }
    }
}

fn amount(
    kind: RewardType,
    cents: Option<i64>,
    percentage: Option<Percentage>,
    base: i64,
    quantity: i64,
) -> i64 {
    match kind {
        RewardType::Flat => cents.unwrap_or(0).saturating_mul(quantity),
        RewardType::Percentage => percentage.map_or(0, |pct| pct.of(base)),
    }
}

/// The reward applied to one event and what it earns.
#[derive(Debug, Clone, PartialEq)]
pub struct Earning {
    /// `None` when the program's default commission rate applied (a group without a sale
    /// reward).
    pub reward: Option<Reward>,
    pub earnings: i64,
}

impl Earning {
    /// The applied reward as events carry it, so that a non-monetary reward's description
    /// reaches the business's webhook.
    pub fn reward_json(&self, fallback_rate: Percentage) -> serde_json::Value {
        match &self.reward {
            Some(reward) => serde_json::json!({
                "id": reward.id,
                "event": reward.event,
                "type": reward.kind,
                "amountInCents": reward.amount_in_cents,
                "amountInPercentage": reward.amount_in_percentage,
                "maxDuration": reward.max_duration,
                "description": reward.description,
                "earnings": self.earnings,
            }),
            None => serde_json::json!({
                "id": null,
                "event": "sale",
                "type": "percentage",
                "amountInPercentage": fallback_rate,
                "description": "The program's default commission rate",
                "earnings": self.earnings,
            }),
        }
    }
}

/// Adds `months` calendar months, keeping the day where the month has it (Jan 31 + 1 month is
/// the last day of February).
pub fn add_months(at: OffsetDateTime, months: u32) -> OffsetDateTime {
    let total = at.year() as i64 * 12 + (at.month() as i64 - 1) + months as i64;
    let year = (total / 12) as i32;
    let month = time::Month::try_from((total % 12 + 1) as u8).expect("1 to 12");
    let day = at.day().min(month.length(year));
    let date = time::Date::from_calendar_date(year, month, day).expect("a clamped day exists");
    at.replace_date(date)
}

/// Whether a reward with `max_duration` still pays for a customer whose first commission was
/// at `first` (none yet: this is the first).
pub fn within_duration(
    max_duration: Option<u32>,
    first: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> bool {
    match (max_duration, first) {
        (None, _) | (_, None) => true,
        (Some(0), Some(_)) => false,
        (Some(months), Some(first)) => now < add_months(first, months),
    }
}

/// The lead reward's earning for `quantity` leads, if the group has a lead reward.
pub fn lead_earning(rewards: &[Reward], facts: &Facts, quantity: i64) -> Option<Earning> {
    let reward = rewards.iter().find(|r| r.event == RewardEvent::Lead)?;
    Some(best(reward, facts, 0, quantity))
}

/// The sale reward's earning on `amount`; without a sale reward, the program's default rate.
/// `None` when the reward's duration is over for this customer.
pub fn sale_earning(
    rewards: &[Reward],
    facts: &Facts,
    amount: i64,
    default_rate: Percentage,
    first_commission_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Option<Earning> {
    match rewards.iter().find(|r| r.event == RewardEvent::Sale) {
        Some(reward) => within_duration(reward.max_duration, first_commission_at, now)
            .then(|| best(reward, facts, amount, 1)),
        None => Some(Earning {
            reward: None,
            earnings: default_rate.of(amount),
        }),
    }
}

/// The base amount or the highest matching modifier, whichever earns more.
fn best(reward: &Reward, facts: &Facts, base: i64, quantity: i64) -> Earning {
    let mut earnings = amount(
        reward.kind,
        reward.amount_in_cents,
        reward.amount_in_percentage,
        base,
        quantity,
    );
    for modifier in &reward.modifiers {
        if modifier.conditions.iter().all(|c| holds(c, facts)) {
            earnings = earnings.max(amount(
                modifier.kind,
                modifier.amount_in_cents,
                modifier.amount_in_percentage,
                base,
                quantity,
            ));
        }
    }
    Earning {
        reward: Some(reward.clone()),
        earnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RewardModifier;
    use crate::types::{CustomerId, GroupId, PartnerId, ProgramId, RewardId};
    use time::macros::datetime;

    fn customer(country: &str) -> Customer {
        Customer {
            id: CustomerId::parse("cus_1").unwrap(),
            program_id: ProgramId::parse("prog_1").unwrap(),
            external_id: Some("u1".into()),
            name: None,
            email: None,
            avatar: None,
            country: Some(country.into()),
            click_id: None,
            link_id: None,
            partner_id: None,
            stripe_customer_id: None,
            subscription_canceled_at: None,
            created_at: datetime!(2026-01-01 0:00 UTC),
        }
    }

    fn partner() -> Partner {
        Partner {
            tenant_id: Some("t1".into()),
            ..Partner::approved(
                PartnerId::parse("pn_1").unwrap(),
                (
                    &ProgramId::parse("prog_1").unwrap(),
                    &GroupId::parse("grp_1").unwrap(),
                ),
                "Jane".into(),
                datetime!(2026-01-01 0:00 UTC),
            )
        }
    }

    fn pct(value: f64) -> Percentage {
        Percentage::from_number(value).unwrap()
    }

    fn sale_reward(modifiers: Vec<RewardModifier>, max_duration: Option<u32>) -> Reward {
        Reward {
            id: RewardId::parse("rw_1").unwrap(),
            event: RewardEvent::Sale,
            kind: RewardType::Percentage,
            amount_in_cents: None,
            amount_in_percentage: Some(pct(20.0)),
            max_duration,
            description: None,
            tooltip: None,
            modifiers,
        }
    }

    fn condition(
        entity: ConditionEntity,
        attribute: &str,
        operator: ConditionOperator,
        value: serde_json::Value,
    ) -> RewardCondition {
        RewardCondition {
            entity,
            attribute: attribute.into(),
            operator,
            value: serde_json::from_value(value).unwrap(),
        }
    }

    fn facts<'a>(customer: &'a Customer, partner: &'a Partner, amount: i64) -> Facts<'a> {
        Facts {
            customer,
            partner,
            sale: Some(SaleFacts {
                amount,
                currency: "usd",
                event_name: "Purchase",
                invoice_id: None,
                payment_processor: "stripe",
            }),
        }
    }

    #[test]
    fn percentage_rounds_half_away_from_zero() {
        let (c, p) = (customer("US"), partner());
        let rewards = vec![sale_reward(vec![], None)];
        let now = datetime!(2026-02-01 0:00 UTC);
        let earned = |amount| {
            sale_earning(
                &rewards,
                &facts(&c, &p, amount),
                amount,
                pct(20.0),
                None,
                now,
            )
            .unwrap()
            .earnings
        };
        assert_eq!(earned(999), 200); // 199.8
        assert_eq!(earned(1_002), 200); // 200.4
        assert_eq!(earned(1_003), 201); // 200.6
        assert_eq!(earned(0), 0);
    }

    #[test]
    fn the_highest_matching_modifier_wins() {
        let (us, de, p) = (customer("US"), customer("DE"), partner());
        let big_sale = RewardModifier {
            conditions: vec![condition(
                ConditionEntity::Sale,
                "amount",
                ConditionOperator::GreaterThan,
                serde_json::json!(10_000),
            )],
            kind: RewardType::Percentage,
            amount_in_cents: None,
            amount_in_percentage: Some(pct(40.0)),
        };
        let german = RewardModifier {
            conditions: vec![condition(
                ConditionEntity::Customer,
                "country",
                ConditionOperator::In,
                serde_json::json!(["DE", "AT"]),
            )],
            kind: RewardType::Flat,
            amount_in_cents: Some(5_000),
            amount_in_percentage: None,
        };
        let rewards = vec![sale_reward(vec![big_sale, german], None)];
        let now = datetime!(2026-02-01 0:00 UTC);
        let earned = |c: &Customer, amount| {
            sale_earning(
                &rewards,
                &facts(c, &p, amount),
                amount,
                pct(20.0),
                None,
                now,
            )
            .unwrap()
            .earnings
        };
        assert_eq!(earned(&us, 10_000), 2_000); // no modifier: 20 %
        assert_eq!(earned(&us, 20_000), 8_000); // 40 %
        assert_eq!(earned(&de, 20_000), 8_000); // 40 % beats $50 flat
        assert_eq!(earned(&de, 11_000), 5_000); // $50 flat beats 40 % ($44)
    }

    #[test]
    fn max_duration_counts_months_from_the_first_commission() {
        let first = datetime!(2026-01-31 12:00 UTC);
        assert!(within_duration(
            None,
            Some(first),
            datetime!(2030-01-01 0:00 UTC)
        ));
        assert!(within_duration(Some(0), None, first));
        assert!(!within_duration(Some(0), Some(first), first));
        assert!(within_duration(
            Some(1),
            Some(first),
            datetime!(2026-02-28 11:59 UTC)
        ));
        assert!(!within_duration(
            Some(1),
            Some(first),
            datetime!(2026-02-28 12:00 UTC)
        ));
        assert!(within_duration(
            Some(12),
            Some(first),
            datetime!(2027-01-30 0:00 UTC)
        ));
        assert!(!within_duration(
            Some(12),
            Some(first),
            datetime!(2027-01-31 12:00 UTC)
        ));
    }

    #[test]
    fn without_a_sale_reward_the_default_rate_applies_and_flat_multiplies_quantity() {
        let (c, p) = (customer("US"), partner());
        let now = datetime!(2026-02-01 0:00 UTC);
        let default =
            sale_earning(&[], &facts(&c, &p, 1_000), 1_000, pct(12.5), None, now).unwrap();
        assert_eq!((default.reward, default.earnings), (None, 125));
        let lead = Reward {
            event: RewardEvent::Lead,
            kind: RewardType::Flat,
            amount_in_cents: Some(300),
            amount_in_percentage: None,
            ..sale_reward(vec![], None)
        };
        let earned = lead_earning(&[lead], &facts(&c, &p, 0), 3).unwrap();
        assert_eq!(earned.earnings, 900);
        assert!(lead_earning(&[], &facts(&c, &p, 0), 1).is_none());
    }

    mod properties {
        use super::*;
        use crate::conversions::input::MAX_QUANTITY;
        use crate::types::MAX_AMOUNT;
        use proptest::prelude::*;

        fn flat_lead_reward(cents: i64) -> Reward {
            Reward {
                event: RewardEvent::Lead,
                kind: RewardType::Flat,
                amount_in_cents: Some(cents),
                amount_in_percentage: None,
                ..sale_reward(vec![], None)
            }
        }

        proptest! {
            #[test]
            fn a_percentage_of_a_sale_is_between_zero_and_the_sale(
                amount in 0..=MAX_AMOUNT,
                basis_points in 0..=10_000u32,
                modifier_points in 0..=10_000u32,
            ) {
                let (c, p) = (customer("US"), partner());
                let modifier = RewardModifier {
                    conditions: vec![],
                    kind: RewardType::Percentage,
                    amount_in_cents: None,
                    amount_in_percentage: Some(Percentage::from_basis_points(modifier_points).unwrap()),
                };
                let mut reward = sale_reward(vec![modifier], None);
                reward.amount_in_percentage = Some(Percentage::from_basis_points(basis_points).unwrap());
                let now = datetime!(2026-02-01 0:00 UTC);
                let earned = sale_earning(&[reward], &facts(&c, &p, amount), amount, pct(20.0), None, now)
                    .unwrap()
                    .earnings;
                prop_assert!((0..=amount).contains(&earned));
            }

            #[test]
            fn a_flat_reward_times_any_quantity_never_wraps(
                cents in 0..=MAX_AMOUNT,
                quantity in 1..=MAX_QUANTITY,
            ) {
                let (c, p) = (customer("US"), partner());
                let facts = Facts { customer: &c, partner: &p, sale: None };
                let earned = lead_earning(&[flat_lead_reward(cents)], &facts, quantity).unwrap().earnings;
                prop_assert_eq!(earned as i128, cents as i128 * quantity as i128);
            }

            #[test]
            fn legacy_rewards_of_any_size_saturate_instead_of_wrapping(
                cents in any::<i64>().prop_filter("not negative", |c| *c >= 0),
                quantity in 1..=MAX_QUANTITY,
            ) {
                let (c, p) = (customer("US"), partner());
                let facts = Facts { customer: &c, partner: &p, sale: None };
                let earned = lead_earning(&[flat_lead_reward(cents)], &facts, quantity).unwrap().earnings;
                prop_assert!(earned >= cents);
            }
        }
    }
}
