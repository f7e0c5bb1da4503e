//! Checks of the link fields a request may set, shared by create and update.

use crate::error::DomainError;
use crate::model::LinkLabels;
use crate::types::{FolderId, TagId, WebUrl, present};
use std::collections::BTreeMap;

/// The most tags a link carries.
pub const MAX_TAGS_PER_LINK: usize = 20;

pub fn url(field: &str, raw: &str) -> Result<WebUrl, DomainError> {
    WebUrl::parse(raw).map_err(|e| DomainError::Unprocessable(format!("`{field}`: {e}.")))
}

pub fn optional_url(field: &str, raw: Option<&str>) -> Result<Option<WebUrl>, DomainError> {
    raw.map(|raw| url(field, raw)).transpose()
}

/// Destinations per country: upper-cased ISO 3166-1 alpha-2 codes to http(s) URLs.
pub fn geo(raw: BTreeMap<String, String>) -> Result<BTreeMap<String, WebUrl>, DomainError> {
    if raw.len() > 250 {
        return Err(DomainError::Unprocessable(
            "`geo` has more countries than exist.".into(),
        ));
    }
    raw.into_iter()
        .map(|(country, destination)| {
            let code = country.trim().to_ascii_uppercase();
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(DomainError::Unprocessable(format!(
                    "`geo`: `{country}` is not a two-letter country code."
                )));
            }
            let destination = url(&format!("geo.{code}"), &destination)?;
            Ok((code, destination))
        })
        .collect()
}

pub fn tenant_id(raw: Option<String>) -> Result<Option<String>, DomainError> {
    match raw.map(|t| t.trim().to_owned()) {
        Some(t) if t.is_empty() || t.chars().count() > 190 => Err(DomainError::Unprocessable(
            "`tenantId` must have 1 to 190 characters.".into(),
        )),
        other => Ok(other),
    }
}

/// Dub's descriptive link fields in a create, update or partner-link request. Present fields
/// change; `null` clears. Tags (`tagIds`, `tagNames`, the deprecated `tagId`) and `folderId`
/// must name labels of the program. Fields that ask for behaviour we do not offer (a password,
/// per-link webhooks, A/B tests) are accepted empty and refused with 422 otherwise, rather
/// than stored and silently ignored.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DetailsInput {
    #[serde(default, deserialize_with = "present")]
    pub external_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub image: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub video: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub comments: Option<Option<String>>,
    #[serde(default, deserialize_with = "present", rename = "utm_source")]
    pub utm_source: Option<Option<String>>,
    #[serde(default, deserialize_with = "present", rename = "utm_medium")]
    pub utm_medium: Option<Option<String>>,
    #[serde(default, deserialize_with = "present", rename = "utm_campaign")]
    pub utm_campaign: Option<Option<String>>,
    #[serde(default, deserialize_with = "present", rename = "utm_term")]
    pub utm_term: Option<Option<String>>,
    #[serde(default, deserialize_with = "present", rename = "utm_content")]
    pub utm_content: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub folder_id: Option<Option<String>>,
    pub track_conversion: Option<bool>,
    pub archived: Option<bool>,
    pub proxy: Option<bool>,
    pub rewrite: Option<bool>,
    pub do_index: Option<bool>,
    pub public_stats: Option<bool>,
    /// Accepted for Dub's SDKs; keys are 7 characters and have no prefix here.
    pub key_length: Option<u32>,
    pub prefix: Option<String>,
    #[serde(rename = "ref")]
    pub referral: Option<String>,
    pub password: Option<String>,
    pub tag_id: Option<String>,
    pub tag_ids: Option<Vec<String>>,
    pub tag_names: Option<Vec<String>>,
    pub webhook_ids: Option<Vec<String>>,
    pub test_variants: Option<serde_json::Value>,
    pub test_started_at: Option<String>,
    pub test_completed_at: Option<String>,
}

/// Free text of a link: trimmed, empty as none, at most `max` characters.
fn text(field: &str, value: Option<String>, max: usize) -> Result<Option<String>, DomainError> {
    let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    if value.as_ref().is_some_and(|v| v.chars().count() > max) {
        return Err(DomainError::Unprocessable(format!(
            "`{field}` can have at most {max} characters."
        )));
    }
    Ok(value)
}

fn not_offered(field: &str, what: &str) -> DomainError {
    DomainError::Unprocessable(format!("`{field}`: {what} are not offered."))
}

impl DetailsInput {
    /// Refuses what asks for behaviour we do not offer.
    fn check_offered(&self) -> Result<(), DomainError> {
        if self.password.as_deref().is_some_and(|p| !p.is_empty()) {
            return Err(not_offered("password", "password-protected links"));
        }
        let non_empty = |list: &Option<Vec<String>>| list.as_ref().is_some_and(|l| !l.is_empty());
        if non_empty(&self.webhook_ids) {
            return Err(not_offered("webhookIds", "per-link webhooks"));
        }
        let variants = self.test_variants.as_ref().is_some_and(|v| !v.is_null());
        if variants || self.test_started_at.is_some() || self.test_completed_at.is_some() {
            return Err(not_offered("testVariants", "A/B tests"));
        }
        Ok(())
    }

    /// The tags the request gives the link (`tagId`, `tagIds` and `tagNames` together), or
    /// `None` when it names none of them. Unknown ids and names are 422.
    fn tags(&self, labels: &LinkLabels) -> Result<Option<Vec<TagId>>, DomainError> {
        if self.tag_id.is_none() && self.tag_ids.is_none() && self.tag_names.is_none() {
            return Ok(None);
        }
        let mut tags: Vec<TagId> = Vec::new();
        let ids = self.tag_id.iter().chain(self.tag_ids.iter().flatten());
        for raw in ids {
            let tag = TagId::parse(raw.trim())
                .ok()
                .filter(|id| labels.tags.contains_key(id))
                .ok_or_else(|| {
                    DomainError::Unprocessable(format!(
                        "`tagIds`: no tag of the program has the id `{raw}`."
                    ))
                })?;
            tags.push(tag);
        }
        for name in self.tag_names.iter().flatten() {
            let tag = labels.tag_named(name).ok_or_else(|| {
                DomainError::Unprocessable(format!(
                    "`tagNames`: no tag of the program is named `{name}`."
                ))
            })?;
            tags.push(tag.id.clone());
        }
        let mut seen = std::collections::BTreeSet::new();
        tags.retain(|id| seen.insert(id.clone()));
        if tags.len() > MAX_TAGS_PER_LINK {
            return Err(DomainError::Unprocessable(format!(
                "A link can have at most {MAX_TAGS_PER_LINK} tags."
            )));
        }
        Ok(Some(tags))
    }

    /// 422 unless a `folderId` given names a folder of the program.
    fn check_folder(&self, labels: &LinkLabels) -> Result<(), DomainError> {
        let Some(Some(folder)) = &self.folder_id else {
            return Ok(());
        };
        let folder = folder.trim();
        let known = FolderId::parse(folder).is_ok_and(|id| labels.folders.contains_key(&id));
        if folder.is_empty() || known {
            return Ok(());
        }
        Err(DomainError::Unprocessable(format!(
            "`folderId`: no folder of the program has the id `{folder}`."
        )))
    }

    /// Applies the present fields to `details`, whose tags and folder must be `labels`' (the
    /// ids of deleted ones are dropped here).
    pub fn apply(
        self,
        details: &mut crate::model::LinkDetails,
        labels: &LinkLabels,
    ) -> Result<(), DomainError> {
        self.check_offered()?;
        if let Some(tags) = self.tags(labels)? {
            details.tag_ids = tags;
        }
        details.tag_ids.retain(|id| labels.tags.contains_key(id));
        self.check_folder(labels)?;
        let texts = [
            (
                self.external_id,
                &mut details.external_id,
                "externalId",
                190,
            ),
            (self.title, &mut details.title, "title", 500),
            (
                self.description,
                &mut details.description,
                "description",
                2_000,
            ),
            (self.image, &mut details.image, "image", 2_048),
            (self.video, &mut details.video, "video", 2_048),
            (self.comments, &mut details.comments, "comments", 2_000),
            (self.utm_source, &mut details.utm_source, "utm_source", 190),
            (self.utm_medium, &mut details.utm_medium, "utm_medium", 190),
            (
                self.utm_campaign,
                &mut details.utm_campaign,
                "utm_campaign",
                190,
            ),
            (self.utm_term, &mut details.utm_term, "utm_term", 190),
            (
                self.utm_content,
                &mut details.utm_content,
                "utm_content",
                190,
            ),
            (self.folder_id, &mut details.folder_id, "folderId", 190),
        ];
        for (given, stored, field, max) in texts {
            if let Some(value) = given {
                *stored = text(field, value, max)?;
            }
        }
        let flags = [
            (self.track_conversion, &mut details.track_conversion),
            (self.archived, &mut details.archived),
            (self.proxy, &mut details.proxy),
            (self.rewrite, &mut details.rewrite),
            (self.do_index, &mut details.do_index),
            (self.public_stats, &mut details.public_stats),
        ];
        for (given, stored) in flags {
            if let Some(value) = given {
                *stored = value;
            }
        }
        // A deleted folder's id leaves the link at its next change.
        let known =
            |raw: &str| FolderId::parse(raw).is_ok_and(|id| labels.folders.contains_key(&id));
        if details.folder_id.as_deref().is_some_and(|raw| !known(raw)) {
            details.folder_id = None;
        }
        Ok(())
    }
}

/// The destination with the link's UTM tags written into its query (set ones replace the
/// URL's own, as Dub does); other parameters are kept.
pub fn with_utm(
    destination: &WebUrl,
    details: &crate::model::LinkDetails,
) -> Result<WebUrl, DomainError> {
    let tags = [
        ("utm_source", &details.utm_source),
        ("utm_medium", &details.utm_medium),
        ("utm_campaign", &details.utm_campaign),
        ("utm_term", &details.utm_term),
        ("utm_content", &details.utm_content),
    ];
    if tags.iter().all(|(_, value)| value.is_none()) {
        return Ok(destination.clone());
    }
    let mut parsed = url::Url::parse(destination.as_str())
        .map_err(|e| DomainError::Unprocessable(format!("`url`: {e}.")))?;
    let kept: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(name, _)| {
            !tags
                .iter()
                .any(|(tag, value)| tag == name && value.is_some())
        })
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    {
        let mut query = parsed.query_pairs_mut();
        query.clear();
        query.extend_pairs(kept);
        for (tag, value) in tags {
            if let Some(value) = value {
                query.append_pair(tag, value);
            }
        }
    }
    url("url", parsed.as_str())
}

/// 422 for the first field a request sent that its type does not know.
pub fn refuse_unknown(unknown: &BTreeMap<String, serde_json::Value>) -> Result<(), DomainError> {
    match unknown.keys().next() {
        Some(name) => Err(DomainError::Unprocessable(format!(
            "Invalid request body: unknown field `{name}`."
        ))),
        None => Ok(()),
    }
}
