//! Creating, reading, changing and deleting partner groups.

use super::commit::{changed_meanwhile, group_event};
use super::{fields, repo};
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::EventName;
use crate::model::{DEFAULT_GROUP_SLUG, HOLDING_PERIODS, PartnerGroup, Program};
use crate::programs::authorized_program;
use crate::types::GroupId;
use crate::wire::event_data;
use crate::wire::groups::{GroupDeletedEventSchema, GroupSchema};
use time::OffsetDateTime;

/// Most groups a program may have: rules spanning groups check them all in one transaction.
pub const MAX_GROUPS: usize = 50;
const DEFAULT_MAX_LINKS: u32 = 10;

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateGroup {
    pub name: String,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub holding_period_days: Option<u32>,
    #[serde(default)]
    pub auto_approve: Option<bool>,
    #[serde(default)]
    pub max_links_per_partner: Option<u32>,
}

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateGroup {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub holding_period_days: Option<u32>,
    #[serde(default)]
    pub auto_approve: Option<bool>,
    #[serde(default)]
    pub max_links_per_partner: Option<u32>,
}

/// The group a program starts with; created in the program's own transaction.
pub fn default_group(
    program: &Program,
    ids: &dyn crate::ports::IdSource,
    now: OffsetDateTime,
) -> PartnerGroup {
    let holding = program.settings.holding_period_days;
    PartnerGroup {
        id: GroupId::generate(ids),
        program_id: program.id.clone(),
        slug: DEFAULT_GROUP_SLUG.into(),
        name: "Default".into(),
        rewards: Vec::new(),
        discount: None,
        holding_period_days: if HOLDING_PERIODS.contains(&holding) {
            holding
        } else {
            30
        },
        auto_approve: false,
        max_links_per_partner: DEFAULT_MAX_LINKS,
        move_rules: Vec::new(),
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

fn slug_taken(slug: &str) -> DomainError {
    DomainError::Conflict(format!(
        "The slug `{slug}` is already used by another group."
    ))
}

/// Loads a group of a program the caller may act on with `scope`.
pub(super) async fn authorized_group(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    group_id: &str,
    scope: Scope,
) -> Result<(Program, PartnerGroup), DomainError> {
    let program = authorized_program(ctx, principal, program_id, scope).await?;
    let id = GroupId::parse(group_id).map_err(|_| DomainError::not_found("Group"))?;
    let group = repo::find(ctx.store.as_ref(), &program.id, &id)
        .await?
        .ok_or_else(|| DomainError::not_found("Group"))?;
    Ok((program, group))
}

pub async fn create_group(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    request: CreateGroup,
) -> Result<PartnerGroup, DomainError> {
    let program = authorized_program(ctx, principal, program_id, Scope::ProgramsWrite).await?;
    let name = fields::name(&request.name)?;
    let slug = match &request.slug {
        Some(slug) => fields::slug(slug)?,
        None => fields::slug_from_name(&name)?,
    };
    let now = ctx.clock.now();
    let mut group = default_group(&program, ctx.ids.as_ref(), now);
    group.name = name;
    group.slug = slug;
    if let Some(days) = request.holding_period_days {
        group.holding_period_days = fields::holding_period(days)?;
    }
    group.auto_approve = request.auto_approve.unwrap_or(false);
    if let Some(links) = request.max_links_per_partner {
        group.max_links_per_partner = fields::max_links(links)?;
    }
    // Checked before writing; a race past the cap only adds a group or two.
    if repo::all(ctx.store.as_ref(), &program.id).await?.len() >= MAX_GROUPS {
        return Err(DomainError::Unprocessable(format!(
            "A program can have at most {MAX_GROUPS} groups."
        )));
    }
    let mut ops = repo::insert(&group)?;
    ops.push(group_event(
        ctx,
        principal,
        &group,
        EventName::GroupCreated,
        group_data(&group),
    )?);
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(group),
        Err(error) if error.failed_condition_index() == Some(1) => Err(slug_taken(&group.slug)),
        Err(error) => Err(error.into()),
    }
}

pub async fn list_groups(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    cursor: Option<String>,
    limit: u32,
) -> Result<(Vec<PartnerGroup>, Option<String>), DomainError> {
    let program = authorized_program(ctx, principal, program_id, Scope::ProgramsRead).await?;
    Ok(repo::list(ctx.store.as_ref(), &program.id, cursor, limit).await?)
}

pub async fn get_group(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    group_id: &str,
) -> Result<PartnerGroup, DomainError> {
    let (_, group) =
        authorized_group(ctx, principal, program_id, group_id, Scope::ProgramsRead).await?;
    Ok(group)
}

pub async fn update_group(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    group_id: &str,
    request: UpdateGroup,
) -> Result<PartnerGroup, DomainError> {
    let (_, read) =
        authorized_group(ctx, principal, program_id, group_id, Scope::ProgramsWrite).await?;
    let mut group = read.clone();
    if let Some(name) = &request.name {
        group.name = fields::name(name)?;
    }
    if let Some(slug) = &request.slug {
        let slug = fields::slug(slug)?;
        if slug != group.slug && group.slug == DEFAULT_GROUP_SLUG {
            return Err(DomainError::Unprocessable(
                "The default group keeps the slug `default`.".into(),
            ));
        }
        group.slug = slug;
    }
    if let Some(days) = request.holding_period_days {
        group.holding_period_days = fields::holding_period(days)?;
    }
    if let Some(auto_approve) = request.auto_approve {
        group.auto_approve = auto_approve;
    }
    if let Some(links) = request.max_links_per_partner {
        group.max_links_per_partner = fields::max_links(links)?;
    }
    if group == read {
        return Ok(group);
    }
    group.version += 1;
    group.updated_at = ctx.clock.now();
    let mut ops = repo::replace(&group, read.version, &read.slug)?;
    ops.push(group_event(
        ctx,
        principal,
        &group,
        EventName::GroupUpdated,
        group_data(&group),
    )?);
    let written = ctx.store.transact(ops).await;
    ctx.config.forget_program(&group.program_id);
    match written {
        Ok(()) => Ok(group),
        Err(error) if group.slug != read.slug && error.failed_condition_index() == Some(1) => {
            Err(slug_taken(&group.slug))
        }
        Err(error) => Err(changed_meanwhile(error)),
    }
}

/// Deletes a group. The default group stays, and so does a group another group's move rule
/// leads to. Every other group's version is checked in the same transaction, so a rule added
/// meanwhile cannot end up pointing at a deleted group.
pub async fn delete_group(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    group_id: &str,
) -> Result<(), DomainError> {
    let (program, group) =
        authorized_group(ctx, principal, program_id, group_id, Scope::ProgramsWrite).await?;
    if group.slug == DEFAULT_GROUP_SLUG {
        return Err(DomainError::Unprocessable(
            "The default group cannot be deleted.".into(),
        ));
    }
    let others: Vec<PartnerGroup> = repo::all(ctx.store.as_ref(), &program.id)
        .await?
        .into_iter()
        .filter(|other| other.id != group.id)
        .collect();
    if let Some(source) = others.iter().find(|other| {
        other
            .move_rules
            .iter()
            .any(|rule| rule.target_group_id == group.id)
    }) {
        return Err(DomainError::Conflict(format!(
            "The group `{}` moves partners to this group; change its rules first.",
            source.slug
        )));
    }
    let mut ops = repo::delete(&group);
    ops.extend(others.iter().map(repo::unchanged));
    ops.push(group_event(
        ctx,
        principal,
        &group,
        EventName::GroupDeleted,
        event_data(&GroupDeletedEventSchema {
            id: group.id.to_string(),
            slug: group.slug.clone(),
        }),
    )?);
    let written = ctx.store.transact(ops).await;
    ctx.config.forget_program(&program.id);
    written.map_err(changed_meanwhile)
}

/// A group as its events carry it: the API's group schema.
pub fn group_data(group: &PartnerGroup) -> serde_json::Value {
    event_data(&GroupSchema::of(group))
}
