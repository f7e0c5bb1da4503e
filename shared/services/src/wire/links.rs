//! Dub's `LinkSchema`: every link response and `link.*` webhook payload (the SDKs'
//! `links.create`, `links.get`, `links.update`, `partners.create_link`, ...).

use super::timestamp;
use crate::error::DomainError;
use crate::model::{Link, LinkDetails, LinkLabels, ROOT_KEY_ALIAS, Tag, TagColor, short_link};
use crate::types::LinkId;
use std::collections::BTreeMap;

/// Dub's `TagSchema`: a tag, alone (`/tags`) or on a link.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct LinkTagSchema {
    pub id: String,
    pub name: String,
    pub color: TagColor,
}

impl LinkTagSchema {
    pub fn of(tag: &Tag) -> Self {
        Self {
            id: tag.id.to_string(),
            name: tag.name.clone(),
            color: tag.color,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkSchema {
    pub id: String,
    pub domain: String,
    /// `_root` for the domain's root link.
    pub key: String,
    pub url: String,
    pub external_id: Option<String>,
    pub tenant_id: Option<String>,
    pub program_id: Option<String>,
    pub partner_id: Option<String>,
    pub expires_at: Option<String>,
    pub expired_url: Option<String>,
    /// When the link was disabled; we keep only that it is (shown as its last change).
    pub disabled_at: Option<String>,
    /// Ours (requests set it): whether the redirect answers 404 for the link.
    pub disabled: bool,
    /// Password-protected links are not offered, so always null.
    pub password: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub image: Option<String>,
    pub video: Option<String>,
    pub ios: Option<String>,
    pub android: Option<String>,
    pub geo: Option<BTreeMap<String, String>>,
    pub tags: Vec<LinkTagSchema>,
    pub folder_id: Option<String>,
    pub comments: Option<String>,
    pub short_link: String,
    /// The QR code of the short link, from this API's `GET /qr`.
    pub qr_code: String,
    #[serde(rename = "utm_source")]
    pub utm_source: Option<String>,
    #[serde(rename = "utm_medium")]
    pub utm_medium: Option<String>,
    #[serde(rename = "utm_campaign")]
    pub utm_campaign: Option<String>,
    #[serde(rename = "utm_term")]
    pub utm_term: Option<String>,
    #[serde(rename = "utm_content")]
    pub utm_content: Option<String>,
    /// Links are made with keys, not by users: always null.
    pub user_id: Option<String>,
    /// Dub's workspace is our program.
    pub workspace_id: String,
    /// Deprecated by Dub; the program, as `workspaceId`.
    pub project_id: String,
    /// Clicks are counted, not stored one by one: the last one's time is not known.
    pub last_clicked: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Deprecated by Dub: always null.
    pub tag_id: Option<String>,
    pub webhook_ids: Vec<String>,
    pub track_conversion: bool,
    pub archived: bool,
    pub proxy: bool,
    pub rewrite: bool,
    pub do_index: bool,
    pub public_stats: bool,
    pub test_variants: Option<Vec<serde_json::Value>>,
    pub test_started_at: Option<String>,
    pub test_completed_at: Option<String>,
    pub clicks: i64,
    pub leads: i64,
    pub conversions: i64,
    pub sales: i64,
    pub sale_amount: i64,
}

impl LinkSchema {
    /// The link with its tags and folder as they are now: tags that exist, by their current
    /// names, and the folder only if it exists.
    pub fn labelled(link: &Link, labels: &LinkLabels) -> Self {
        Self {
            tags: labels.tags_of(link).map(LinkTagSchema::of).collect(),
            folder_id: labels.folder_of(link).map(|folder| folder.id.to_string()),
            ..Self::of(link)
        }
    }

    /// The link without its labels (no tags; its folder id as stored): [`Self::labelled`] is
    /// what responses show.
    pub fn of(link: &Link) -> Self {
        let short = short_link(&link.domain, &link.key);
        let updated_at = link.updated_at.unwrap_or(link.created_at);
        let LinkDetails {
            external_id,
            title,
            description,
            image,
            video,
            comments,
            utm_source,
            utm_medium,
            utm_campaign,
            utm_term,
            utm_content,
            folder_id,
            tag_ids: _,
            track_conversion,
            archived,
            proxy,
            rewrite,
            do_index,
            public_stats,
        } = link.details.clone();
        let url_of = |url: &Option<crate::types::WebUrl>| url.as_ref().map(ToString::to_string);
        Self {
            id: link.id.to_string(),
            domain: link.domain.clone(),
            key: match link.key.as_str() {
                "" => ROOT_KEY_ALIAS.to_owned(),
                key => key.to_owned(),
            },
            url: link.url.to_string(),
            external_id,
            tenant_id: link.tenant_id.clone(),
            program_id: Some(link.program_id.to_string()),
            partner_id: link.partner_id.as_ref().map(ToString::to_string),
            expires_at: link.expires_at.map(timestamp),
            expired_url: url_of(&link.expired_url),
            disabled_at: link.disabled.then(|| timestamp(updated_at)),
            disabled: link.disabled,
            password: None,
            title,
            description,
            image,
            video,
            ios: url_of(&link.ios),
            android: url_of(&link.android),
            geo: (!link.geo.is_empty()).then(|| {
                link.geo
                    .iter()
                    .map(|(country, url)| (country.clone(), url.to_string()))
                    .collect()
            }),
            tags: Vec::new(),
            folder_id,
            comments,
            qr_code: format!(
                "/qr?url={}",
                url::form_urlencoded::byte_serialize(format!("{short}?qr=1").as_bytes())
                    .collect::<String>()
            ),
            short_link: short,
            utm_source,
            utm_medium,
            utm_campaign,
            utm_term,
            utm_content,
            user_id: None,
            workspace_id: link.program_id.to_string(),
            project_id: link.program_id.to_string(),
            last_clicked: None,
            created_at: timestamp(link.created_at),
            updated_at: timestamp(updated_at),
            tag_id: None,
            webhook_ids: Vec::new(),
            track_conversion,
            archived,
            proxy,
            rewrite,
            do_index,
            public_stats,
            test_variants: None,
            test_started_at: None,
            test_completed_at: None,
            clicks: link.stats.clicks,
            leads: link.stats.leads,
            conversions: link.stats.conversions,
            sales: link.stats.sales,
            sale_amount: link.stats.sale_amount,
        }
    }
}

/// Dub's answer to `DELETE /links/{linkId}`: the deleted link's id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct DeletedLinkSchema {
    pub id: LinkId,
}

/// Dub's answer to `GET /links/count`: a number, or one entry per group with `groupBy`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum LinkCountSchema {
    Total(u64),
    Grouped(Vec<LinkCountGroupSchema>),
}

/// One group of `GET /links/count?groupBy=…`: the value and how many links have it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct LinkCountGroupSchema {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(rename = "folderId", skip_serializing_if = "Option::is_none")]
    pub folder_id: Option<Option<String>>,
    #[serde(rename = "tagId", skip_serializing_if = "Option::is_none")]
    pub tag_id: Option<String>,
    #[serde(rename = "_count")]
    pub count: u64,
}

impl LinkCountGroupSchema {
    pub fn by_domain(domain: Option<String>, count: u64) -> Self {
        Self {
            domain: Some(domain.unwrap_or_default()),
            folder_id: None,
            tag_id: None,
            count,
        }
    }

    pub fn by_folder(folder_id: Option<String>, count: u64) -> Self {
        Self {
            domain: None,
            folder_id: Some(folder_id),
            tag_id: None,
            count,
        }
    }

    /// A tag's links (a link with two tags is in two groups).
    pub fn by_tag(tag_id: Option<String>, count: u64) -> Self {
        Self {
            domain: None,
            folder_id: None,
            tag_id: Some(tag_id.unwrap_or_default()),
            count,
        }
    }
}

/// Dub's `LinkErrorSchema`: an item of a bulk create that was not created.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct LinkErrorSchema {
    /// The item as it was sent.
    pub link: serde_json::Value,
    pub error: String,
    /// Dub's error code (`unprocessable_entity`, `conflict`, `not_found`, ...).
    pub code: String,
}

/// One item of `POST /links/bulk`'s answer, in the order sent.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum BulkLinkSchema {
    Link(Box<LinkSchema>),
    Error(LinkErrorSchema),
}

impl BulkLinkSchema {
    pub fn link(link: &Link) -> Self {
        Self::Link(Box::new(LinkSchema::of(link)))
    }

    /// An item as sent, with the error (in the API's terms) that refused it.
    pub fn refused(item: serde_json::Value, error: DomainError) -> Self {
        let error = crate::web::ApiError::from(error);
        Self::Error(LinkErrorSchema {
            link: item,
            error: error.message,
            code: serde_json::to_value(error.code)
                .ok()
                .and_then(|code| code.as_str().map(str::to_owned))
                .unwrap_or_default(),
        })
    }
}

/// `DELETE /links/bulk`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BulkDeletedLinksSchema {
    pub deleted_count: u64,
}
