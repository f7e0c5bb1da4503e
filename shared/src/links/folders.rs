//! Dub's folders: `POST /folders`, `GET /folders`, `PATCH /folders/{id}`,
//! `DELETE /folders/{id}`, scoped to the caller's program. A link's `folderId` must name a
//! folder of its program; deleting a folder leaves its links working, in no folder (Dub's rule),
//! as links show only folders that exist (see `labels`).

use super::labels::{self, LabelKind};
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::Folder;
use crate::programs::caller_program;
use crate::types::present;
use crate::types::{FolderId, ProgramId};

/// The longest folder description, in characters.
const MAX_DESCRIPTION: usize = 500;

/// Dub's folder access levels; every folder is writable by every key of the program here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FolderAccess {
    Write,
    Read,
}

/// `POST /folders`.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateFolder {
    /// 1 to 100 characters, unique per program (ignoring case).
    pub name: String,
    pub description: Option<String>,
    /// Only `write` (the default) is offered: folders have no per-member access here.
    pub access_level: Option<FolderAccess>,
}

/// `PATCH /folders/{id}`: present fields change; a `null` description clears it.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateFolder {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub access_level: Option<FolderAccess>,
}

fn not_found() -> DomainError {
    DomainError::not_found("Folder")
}

fn description(raw: Option<String>) -> Result<Option<String>, DomainError> {
    let text = raw.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty());
    if text
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION)
    {
        return Err(DomainError::Unprocessable(format!(
            "`description` can have at most {MAX_DESCRIPTION} characters."
        )));
    }
    Ok(text)
}

fn check_access(access: Option<FolderAccess>) -> Result<(), DomainError> {
    match access {
        Some(FolderAccess::Read) => Err(DomainError::Unprocessable(
            "`accessLevel`: read-only folders are not offered; every key of the program may \
             write to every folder."
                .into(),
        )),
        _ => Ok(()),
    }
}

async fn stored_folder(
    ctx: &AppContext,
    program: &ProgramId,
    id: &str,
) -> Result<(Folder, u64), DomainError> {
    let id = FolderId::parse(id).map_err(|_| not_found())?;
    labels::find(ctx.store.as_ref(), LabelKind::Folder, program, id.as_str())
        .await?
        .ok_or_else(not_found)
}

/// `POST /folders`.
pub async fn create_folder(
    ctx: &AppContext,
    principal: &Principal,
    request: CreateFolder,
) -> Result<Folder, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksWrite).await?;
    check_access(request.access_level)?;
    let now = ctx.clock.now();
    let folder = Folder {
        id: FolderId::generate(ctx.ids.as_ref()),
        program_id: program.id.clone(),
        name: labels::name(LabelKind::Folder, &request.name)?,
        description: description(request.description)?,
        created_at: now,
        updated_at: now,
    };
    let kind = LabelKind::Folder;
    let ops = labels::insert(kind, &program.id, folder.id.as_str(), &folder.name, &folder)?;
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(folder),
        Err(error) => match error.failed_condition_index() {
            Some(0) => Err(labels::limit_reached(kind)),
            Some(index) => Err(labels::refusal(kind, Some(index), 2)),
            None => Err(error.into()),
        },
    }
}

/// `GET /folders`: the program's folders by name, `search` in the name (ignoring case), paged.
pub async fn list_folders(
    ctx: &AppContext,
    principal: &Principal,
    search: Option<&str>,
    page: u32,
    page_size: u32,
) -> Result<Vec<Folder>, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksRead).await?;
    let labels = crate::links::labels::read_labels(ctx.store.as_ref(), &program.id).await?;
    let search = search.map(|s| s.trim().to_lowercase());
    let mut folders: Vec<Folder> = labels
        .folders
        .into_values()
        .filter(|folder| {
            search
                .as_ref()
                .is_none_or(|s| folder.name.to_lowercase().contains(s.as_str()))
        })
        .collect();
    folders.sort_by_key(|folder| (folder.name.to_lowercase(), folder.id.clone()));
    let size = page_size.max(1) as usize;
    let skip = (page.max(1) as usize - 1) * size;
    Ok(folders.into_iter().skip(skip).take(size).collect())
}

/// `PATCH /folders/{id}`.
pub async fn update_folder(
    ctx: &AppContext,
    principal: &Principal,
    id: &str,
    request: UpdateFolder,
) -> Result<Folder, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksWrite).await?;
    check_access(request.access_level)?;
    let (read, version) = stored_folder(ctx, &program.id, id).await?;
    let mut folder = read.clone();
    if let Some(raw) = &request.name {
        folder.name = labels::name(LabelKind::Folder, raw)?;
    }
    if let Some(text) = request.description {
        folder.description = description(text)?;
    }
    if folder == read {
        return Ok(folder);
    }
    folder.updated_at = ctx.clock.now();
    let kind = LabelKind::Folder;
    let names = (read.name.as_str(), folder.name.as_str());
    let ops = labels::replace(
        kind,
        &program.id,
        folder.id.as_str(),
        names,
        &folder,
        version,
    )?;
    let name_index = labels::new_name_index(&ops);
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(folder),
        Err(error) => match error.failed_condition_index() {
            Some(index) => Err(labels::refusal(kind, Some(index), name_index)),
            None => Err(error.into()),
        },
    }
}

/// `DELETE /folders/{id}`: the folder's id. Its links keep working and show no folder from now
/// on (the id stays in their record until their next change drops it; ids are never reused).
pub async fn delete_folder(
    ctx: &AppContext,
    principal: &Principal,
    id: &str,
) -> Result<FolderId, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksWrite).await?;
    let (folder, version) = stored_folder(ctx, &program.id, id).await?;
    let kind = LabelKind::Folder;
    let ops = labels::remove(kind, &program.id, folder.id.as_str(), &folder.name, version);
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(folder.id),
        Err(error) if error.failed_condition_index().is_some() => {
            Err(labels::refusal(kind, None, usize::MAX))
        }
        Err(error) => Err(error.into()),
    }
}
