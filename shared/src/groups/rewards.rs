//! A group's rewards: at most one per event. A change gives the reward a fresh id (see
//! `PartnerGroup`), so commissions made earlier keep the reward they were made with.

use super::commit::save;
use super::crud::authorized_group;
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::EventName;
use crate::model::{Reward, RewardEvent, RewardModifier, RewardType};
use crate::types::{MAX_AMOUNT, Percentage, RewardId};
use crate::wire::event_data;
use crate::wire::groups::{GroupPartRemovedEventSchema, RewardChangedEventSchema, RewardSchema};

const MAX_TOOLTIP_CHARS: usize = 2_000;
const MAX_DESCRIPTION_CHARS: usize = 190;
const MAX_MODIFIERS: usize = 20;
const MAX_CONDITIONS: usize = 20;

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateReward {
    pub event: RewardEvent,
    #[serde(rename = "type")]
    pub kind: RewardType,
    #[serde(default)]
    pub amount_in_cents: Option<i64>,
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    pub amount_in_percentage: Option<Percentage>,
    #[serde(default)]
    pub max_duration: Option<u32>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tooltip: Option<String>,
    #[serde(default)]
    pub modifiers: Vec<RewardModifier>,
}

/// Only the given fields change; `null` clears a nullable field. The event is fixed.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateReward {
    #[serde(default, rename = "type")]
    pub kind: Option<RewardType>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub amount_in_cents: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>)]
    pub amount_in_percentage: Option<Option<Percentage>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u32>)]
    pub max_duration: Option<Option<u32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub tooltip: Option<Option<String>>,
    #[serde(default)]
    pub modifiers: Option<Vec<RewardModifier>>,
}

/// Tells a given `null` (Some(None)) from an absent field (None).
fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

fn unprocessable(message: &str) -> DomainError {
    DomainError::Unprocessable(message.into())
}

/// Checks one amount: the field that matches the type, not both, never negative, and no
/// percentage of a click (a click has no revenue). Returns whether the amount is zero.
fn check_amount(
    event: RewardEvent,
    kind: RewardType,
    cents: Option<i64>,
    percentage: Option<Percentage>,
) -> Result<bool, DomainError> {
    if cents.is_some() && percentage.is_some() {
        return Err(unprocessable(
            "Give either `amountInCents` or `amountInPercentage`, not both.",
        ));
    }
    match kind {
        RewardType::Flat => {
            let cents =
                cents.ok_or_else(|| unprocessable("A flat reward needs `amountInCents`."))?;
            if cents < 0 {
                return Err(unprocessable("`amountInCents` cannot be negative."));
            }
            if cents > MAX_AMOUNT {
                return Err(DomainError::Unprocessable(format!(
                    "`amountInCents` can be at most {MAX_AMOUNT}."
                )));
            }
            Ok(cents == 0)
        }
        RewardType::Percentage => {
            if event == RewardEvent::Click {
                return Err(unprocessable("A click reward cannot be a percentage."));
            }
            let percentage = percentage
                .ok_or_else(|| unprocessable("A percentage reward needs `amountInPercentage`."))?;
            Ok(percentage.basis_points() == 0)
        }
    }
}

fn check_modifier(event: RewardEvent, modifier: &RewardModifier) -> Result<(), DomainError> {
    if modifier.conditions.is_empty() || modifier.conditions.len() > MAX_CONDITIONS {
        return Err(unprocessable("A modifier needs 1 to 20 `conditions`."));
    }
    if modifier
        .conditions
        .iter()
        .any(|c| c.attribute.trim().is_empty() || c.attribute.len() > 100)
    {
        return Err(unprocessable(
            "A condition's `attribute` must have 1 to 100 characters.",
        ));
    }
    check_amount(
        event,
        modifier.kind,
        modifier.amount_in_cents,
        modifier.amount_in_percentage,
    )?;
    Ok(())
}

/// The rules every stored reward meets.
fn check_reward(reward: &Reward) -> Result<(), DomainError> {
    let zero = check_amount(
        reward.event,
        reward.kind,
        reward.amount_in_cents,
        reward.amount_in_percentage,
    )?;
    if reward.event == RewardEvent::Click && reward.max_duration.is_some() {
        return Err(unprocessable("A click reward has no `maxDuration`."));
    }
    let description = reward.description.as_deref().map(str::trim).unwrap_or("");
    if zero && description.is_empty() {
        return Err(unprocessable(
            "A reward of 0 is non-monetary and needs a `description` of what partners get.",
        ));
    }
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(unprocessable(
            "`description` can have at most 190 characters.",
        ));
    }
    if reward
        .tooltip
        .as_deref()
        .is_some_and(|tip| tip.chars().count() > MAX_TOOLTIP_CHARS)
    {
        return Err(unprocessable("`tooltip` can have at most 2000 characters."));
    }
    if reward.modifiers.len() > MAX_MODIFIERS {
        return Err(unprocessable("A reward can have at most 20 `modifiers`."));
    }
    for modifier in &reward.modifiers {
        check_modifier(reward.event, modifier)?;
    }
    Ok(())
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

pub async fn create_reward(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    group_id: &str,
    request: CreateReward,
) -> Result<Reward, DomainError> {
    let (_, read) =
        authorized_group(ctx, principal, program_id, group_id, Scope::ProgramsWrite).await?;
    let reward = Reward {
        id: RewardId::generate(ctx.ids.as_ref()),
        event: request.event,
        kind: request.kind,
        amount_in_cents: request.amount_in_cents,
        amount_in_percentage: request.amount_in_percentage,
        max_duration: request.max_duration,
        description: non_empty(request.description),
        tooltip: non_empty(request.tooltip),
        modifiers: request.modifiers,
    };
    check_reward(&reward)?;
    if read.rewards.iter().any(|r| r.event == reward.event) {
        return Err(DomainError::Conflict(
            "The group already has a reward for this event; change that one instead.".into(),
        ));
    }
    let mut group = read.clone();
    group.rewards.push(reward.clone());
    let data = event_data(&RewardChangedEventSchema {
        group_id: group.id.to_string(),
        previous_reward_id: None,
        reward: RewardSchema::of(&reward),
    });
    save(ctx, principal, &read, group, EventName::RewardCreated, data).await?;
    Ok(reward)
}

pub async fn update_reward(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    group_id: &str,
    reward_id: &str,
    request: UpdateReward,
) -> Result<Reward, DomainError> {
    let (_, read) =
        authorized_group(ctx, principal, program_id, group_id, Scope::ProgramsWrite).await?;
    let position = read
        .rewards
        .iter()
        .position(|r| r.id.as_str() == reward_id)
        .ok_or_else(|| DomainError::not_found("Reward"))?;
    let old = &read.rewards[position];
    let mut reward = old.clone();
    if let Some(kind) = request.kind {
        reward.kind = kind;
    }
    if let Some(cents) = request.amount_in_cents {
        reward.amount_in_cents = cents;
    }
    if let Some(percentage) = request.amount_in_percentage {
        reward.amount_in_percentage = percentage;
    }
    // Switching type without naming the new amount drops the old type's amount.
    if request.kind.is_some_and(|kind| kind != old.kind) {
        match reward.kind {
            RewardType::Flat if request.amount_in_percentage.is_none() => {
                reward.amount_in_percentage = None
            }
            RewardType::Percentage if request.amount_in_cents.is_none() => {
                reward.amount_in_cents = None
            }
            _ => {}
        }
    }
    if let Some(duration) = request.max_duration {
        reward.max_duration = duration;
    }
    if let Some(description) = request.description {
        reward.description = non_empty(description);
    }
    if let Some(tooltip) = request.tooltip {
        reward.tooltip = non_empty(tooltip);
    }
    if let Some(modifiers) = request.modifiers {
        reward.modifiers = modifiers;
    }
    check_reward(&reward)?;
    if &reward == old {
        return Ok(reward);
    }
    // A fresh id: the old reward stays what earlier commissions were computed with.
    reward.id = RewardId::generate(ctx.ids.as_ref());
    let mut group = read.clone();
    group.rewards[position] = reward.clone();
    let data = event_data(&RewardChangedEventSchema {
        group_id: group.id.to_string(),
        previous_reward_id: Some(old.id.to_string()),
        reward: RewardSchema::of(&reward),
    });
    save(ctx, principal, &read, group, EventName::RewardUpdated, data).await?;
    Ok(reward)
}

pub async fn delete_reward(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    group_id: &str,
    reward_id: &str,
) -> Result<(), DomainError> {
    let (_, read) =
        authorized_group(ctx, principal, program_id, group_id, Scope::ProgramsWrite).await?;
    let mut group = read.clone();
    let before = group.rewards.len();
    group.rewards.retain(|r| r.id.as_str() != reward_id);
    if group.rewards.len() == before {
        return Err(DomainError::not_found("Reward"));
    }
    let data = event_data(&GroupPartRemovedEventSchema {
        group_id: group.id.to_string(),
        id: reward_id.to_owned(),
    });
    save(ctx, principal, &read, group, EventName::RewardDeleted, data).await
}
