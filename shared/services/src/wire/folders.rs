//! Dub's `FolderSchema` (the SDKs' `folders.*`), and the `{id}` that deletes answer.

use super::timestamp;
use crate::model::Folder;

/// Dub's folder kinds; every folder here is a plain one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FolderType {
    Default,
}

/// Dub's access levels; every key of the program may write to every folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FolderAccessLevel {
    Write,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FolderSchema {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub kind: FolderType,
    pub access_level: FolderAccessLevel,
    pub created_at: String,
    pub updated_at: String,
}

impl FolderSchema {
    pub fn of(folder: &Folder) -> Self {
        Self {
            id: folder.id.to_string(),
            name: folder.name.clone(),
            description: folder.description.clone(),
            kind: FolderType::Default,
            access_level: FolderAccessLevel::Write,
            created_at: timestamp(folder.created_at),
            updated_at: timestamp(folder.updated_at),
        }
    }
}

/// What Dub's deletes of tags, folders and discount codes answer: the deleted record's id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct DeletedIdSchema {
    pub id: String,
}
