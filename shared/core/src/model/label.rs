use crate::model::Link;
use crate::types::{FolderId, ProgramId, TagId};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// Dub's tag colours (`TagSchema.color`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum TagColor {
    Red,
    Yellow,
    Green,
    Blue,
    Purple,
    Brown,
    Gray,
    Pink,
}

impl TagColor {
    /// The colours a tag created without one gets, as Dub picks (pink is only chosen).
    pub const DEFAULTS: [TagColor; 7] = [
        TagColor::Red,
        TagColor::Yellow,
        TagColor::Green,
        TagColor::Blue,
        TagColor::Purple,
        TagColor::Brown,
        TagColor::Gray,
    ];
}

/// A tag that links of a program carry (Dub's link tags).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    pub id: TagId,
    pub program_id: ProgramId,
    pub name: String,
    pub color: TagColor,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A folder of a program's links (Dub's folders).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Folder {
    pub id: FolderId,
    pub program_id: ProgramId,
    pub name: String,
    pub description: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A program's tags and folders, as every link response shows them.
#[derive(Debug, Clone, Default)]
pub struct LinkLabels {
    pub tags: BTreeMap<TagId, Tag>,
    pub folders: BTreeMap<FolderId, Folder>,
}

impl LinkLabels {
    /// The link's tags that exist, in the link's order.
    pub fn tags_of<'a>(&'a self, link: &'a Link) -> impl Iterator<Item = &'a Tag> + 'a {
        link.details
            .tag_ids
            .iter()
            .filter_map(|id| self.tags.get(id))
    }

    /// The link's folder, when it exists (a deleted folder's links are in none).
    pub fn folder_of(&self, link: &Link) -> Option<&Folder> {
        let id = FolderId::parse(link.details.folder_id.as_deref()?).ok()?;
        self.folders.get(&id)
    }

    /// A tag by its name, case-insensitively.
    pub fn tag_named(&self, name: &str) -> Option<&Tag> {
        let name = name.trim().to_lowercase();
        self.tags
            .values()
            .find(|tag| tag.name.to_lowercase() == name)
    }
}
