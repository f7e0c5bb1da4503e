//! A group's move rules: when a partner's totals meet every condition of a rule, the partner
//! graduates to the rule's target group. Only stored and checked here; evaluation comes later.

use super::commit::{changed_meanwhile, group_event};
use super::crud::authorized_group;
use super::repo;
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::EventName;
use crate::model::{MoveRule, MoveRuleBound, MoveRuleCondition, PartnerGroup};
use crate::types::{GroupId, MoveRuleId};
use crate::wire::event_data;
use crate::wire::groups::MoveRulesChangedEventSchema;
use std::collections::HashSet;

const MAX_RULES: usize = 20;

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetMoveRules {
    pub rules: Vec<MoveRuleInput>,
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MoveRuleInput {
    #[schema(value_type = Vec<crate::wire::groups::MoveRuleConditionSchema>)]
    pub conditions: Vec<MoveRuleCondition>,
    #[schema(value_type = String)]
    pub target_group_id: GroupId,
}

fn unprocessable(message: impl Into<String>) -> DomainError {
    DomainError::Unprocessable(message.into())
}

fn check_conditions(conditions: &[MoveRuleCondition]) -> Result<(), DomainError> {
    if conditions.is_empty() {
        return Err(unprocessable("A rule needs at least one condition."));
    }
    let mut metrics = HashSet::new();
    for condition in conditions {
        if !metrics.insert(condition.metric) {
            return Err(unprocessable("A rule can test each metric once."));
        }
        match condition.bound {
            MoveRuleBound::Gte(value) if value < 0 => {
                return Err(unprocessable("Condition values cannot be negative."));
            }
            MoveRuleBound::Between { min, max } if min < 0 || max < 0 => {
                return Err(unprocessable("Condition values cannot be negative."));
            }
            MoveRuleBound::Between { min, max } if min > max => {
                return Err(unprocessable("`min` cannot be over `max`."));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Replaces the group's rules. Every other group's version is checked in the same
/// transaction, so a target deleted or a duplicate rule set added meanwhile fails the write.
pub async fn set_move_rules(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    group_id: &str,
    request: SetMoveRules,
) -> Result<PartnerGroup, DomainError> {
    let (program, read) =
        authorized_group(ctx, principal, program_id, group_id, Scope::ProgramsWrite).await?;
    if request.rules.len() > MAX_RULES {
        return Err(unprocessable(format!(
            "A group can have at most {MAX_RULES} rules."
        )));
    }
    let others: Vec<PartnerGroup> = repo::all(ctx.store.as_ref(), &program.id)
        .await?
        .into_iter()
        .filter(|group| group.id != read.id)
        .collect();
    let mut rules = Vec::with_capacity(request.rules.len());
    for input in request.rules {
        check_conditions(&input.conditions)?;
        if input.target_group_id == read.id {
            return Err(unprocessable(
                "A rule cannot move partners to their own group.",
            ));
        }
        if !others.iter().any(|group| group.id == input.target_group_id) {
            return Err(unprocessable(format!(
                "The target group `{}` does not exist in this program.",
                input.target_group_id
            )));
        }
        rules.push(MoveRule {
            id: MoveRuleId::generate(ctx.ids.as_ref()),
            conditions: input.conditions,
            target_group_id: input.target_group_id,
        });
    }
    let mut sets = HashSet::new();
    for rule in &rules {
        let set = rule.condition_set();
        if !sets.insert(set.clone()) {
            return Err(unprocessable(
                "Two rules of a group cannot have the same conditions.",
            ));
        }
        if let Some(holder) = others.iter().find(|group| {
            group
                .move_rules
                .iter()
                .any(|theirs| theirs.condition_set() == set)
        }) {
            return Err(DomainError::Conflict(format!(
                "The group `{}` already has a rule with these conditions.",
                holder.slug
            )));
        }
    }
    let mut group = read.clone();
    group.move_rules = rules;
    group.version += 1;
    group.updated_at = ctx.clock.now();
    let mut ops = repo::replace(&group, read.version, &read.slug)?;
    ops.extend(others.iter().map(repo::unchanged));
    ops.push(group_event(
        ctx,
        principal,
        &group,
        EventName::GroupMoveRulesUpdated,
        event_data(&MoveRulesChangedEventSchema::of(&group)),
    )?);
    let written = ctx.store.transact(ops).await;
    ctx.config.forget_program(&group.program_id);
    written.map_err(changed_meanwhile)?;
    Ok(group)
}
