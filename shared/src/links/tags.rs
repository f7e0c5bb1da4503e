//! Dub's tags: `POST /tags`, `GET /tags`, `PATCH /tags/{id}`, `DELETE /tags/{id}`, scoped to
//! the caller's program. Links carry tags by id (`tagIds`, or `tagNames`); see `labels`.

use super::labels::{self, LabelKind};
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::{Tag, TagColor};
use crate::programs::caller_program;
use crate::types::{ProgramId, TagId};

/// `POST /tags` and `PATCH /tags/{id}`.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TagInput {
    /// 1 to 50 characters, unique per program (ignoring case).
    pub name: Option<String>,
    /// A colour picked at random when a tag is created without one.
    pub color: Option<TagColor>,
    /// Dub's deprecated spelling of `name`.
    pub tag: Option<String>,
}

impl TagInput {
    fn name(&self) -> Option<&str> {
        self.name.as_deref().or(self.tag.as_deref())
    }
}

/// How `GET /tags` orders (Dub's `sortBy`, `sortOrder`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TagOrder {
    #[default]
    NameAscending,
    NameDescending,
    OldestFirst,
    NewestFirst,
}

/// `GET /tags`' filters and page.
#[derive(Debug, Clone, Default)]
pub struct TagQuery {
    /// Part of the name, ignoring case.
    pub search: Option<String>,
    /// Only these tags.
    pub ids: Vec<String>,
    pub order: TagOrder,
    pub page: u32,
    pub page_size: u32,
}

fn not_found() -> DomainError {
    DomainError::not_found("Tag")
}

async fn stored_tag(
    ctx: &AppContext,
    program: &ProgramId,
    id: &str,
) -> Result<(Tag, u64), DomainError> {
    let id = TagId::parse(id).map_err(|_| not_found())?;
    labels::find(ctx.store.as_ref(), LabelKind::Tag, program, id.as_str())
        .await?
        .ok_or_else(not_found)
}

/// `POST /tags`.
pub async fn create_tag(
    ctx: &AppContext,
    principal: &Principal,
    request: TagInput,
) -> Result<Tag, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksWrite).await?;
    let raw = request
        .name()
        .ok_or_else(|| DomainError::Unprocessable("`name` is required.".into()))?;
    let name = labels::name(LabelKind::Tag, raw)?;
    let color = request.color.unwrap_or_else(|| {
        let mut byte = [0u8];
        ctx.random.fill(&mut byte);
        TagColor::DEFAULTS[byte[0] as usize % TagColor::DEFAULTS.len()]
    });
    let tag = Tag {
        id: TagId::generate(ctx.ids.as_ref()),
        program_id: program.id.clone(),
        name,
        color,
        created_at: ctx.clock.now(),
    };
    let ops = labels::insert(
        LabelKind::Tag,
        &program.id,
        tag.id.as_str(),
        &tag.name,
        &tag,
    )?;
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(tag),
        Err(error) => match error.failed_condition_index() {
            Some(0) => Err(labels::limit_reached(LabelKind::Tag)),
            Some(index) => Err(labels::refusal(LabelKind::Tag, Some(index), 2)),
            None => Err(error.into()),
        },
    }
}

/// `GET /tags`: the program's tags, filtered, ordered and paged in memory (a program has at most
/// 100).
pub async fn list_tags(
    ctx: &AppContext,
    principal: &Principal,
    query: TagQuery,
) -> Result<Vec<Tag>, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksRead).await?;
    let labels = crate::links::labels::read_labels(ctx.store.as_ref(), &program.id).await?;
    let search = query.search.map(|s| s.trim().to_lowercase());
    let mut tags: Vec<Tag> = labels
        .tags
        .into_values()
        .filter(|tag| query.ids.is_empty() || query.ids.iter().any(|id| id == tag.id.as_str()))
        .filter(|tag| {
            search
                .as_ref()
                .is_none_or(|s| tag.name.to_lowercase().contains(s.as_str()))
        })
        .collect();
    match query.order {
        TagOrder::NameAscending | TagOrder::NameDescending => {
            tags.sort_by_key(|tag| (tag.name.to_lowercase(), tag.id.clone()))
        }
        TagOrder::OldestFirst | TagOrder::NewestFirst => {
            tags.sort_by_key(|tag| (tag.created_at, tag.id.clone()))
        }
    }
    if matches!(
        query.order,
        TagOrder::NameDescending | TagOrder::NewestFirst
    ) {
        tags.reverse();
    }
    let size = query.page_size.max(1) as usize;
    let skip = (query.page.max(1) as usize - 1) * size;
    Ok(tags.into_iter().skip(skip).take(size).collect())
}

/// `PATCH /tags/{id}`: a new name or colour; the links that carry it show the change at once.
pub async fn update_tag(
    ctx: &AppContext,
    principal: &Principal,
    id: &str,
    request: TagInput,
) -> Result<Tag, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksWrite).await?;
    let (read, version) = stored_tag(ctx, &program.id, id).await?;
    let mut tag = read.clone();
    if let Some(raw) = request.name() {
        tag.name = labels::name(LabelKind::Tag, raw)?;
    }
    if let Some(color) = request.color {
        tag.color = color;
    }
    if tag == read {
        return Ok(tag);
    }
    let ops = labels::replace(
        LabelKind::Tag,
        &program.id,
        tag.id.as_str(),
        (&read.name, &tag.name),
        &tag,
        version,
    )?;
    let name_index = labels::new_name_index(&ops);
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(tag),
        Err(error) => match error.failed_condition_index() {
            Some(index) => Err(labels::refusal(LabelKind::Tag, Some(index), name_index)),
            None => Err(error.into()),
        },
    }
}

/// `DELETE /tags/{id}`: the tag's id. Links keep the id in their record, but no link shows or
/// matches a deleted tag (ids are never reused), and a link's next change drops it.
pub async fn delete_tag(
    ctx: &AppContext,
    principal: &Principal,
    id: &str,
) -> Result<TagId, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksWrite).await?;
    let (tag, version) = stored_tag(ctx, &program.id, id).await?;
    let ops = labels::remove(
        LabelKind::Tag,
        &program.id,
        tag.id.as_str(),
        &tag.name,
        version,
    );
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(tag.id),
        Err(error) if error.failed_condition_index().is_some() => {
            Err(labels::refusal(LabelKind::Tag, None, usize::MAX))
        }
        Err(error) => Err(error.into()),
    }
}
