use crate::types::{LinkId, PartnerId, ProgramId, TagId, WebUrl};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// A short link `https://{domain}/{key}`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    pub id: LinkId,
    pub program_id: ProgramId,
    pub domain: String,
    /// Empty for the root link of a domain.
    pub key: String,
    pub url: WebUrl,
    pub partner_id: Option<PartnerId>,
    pub tenant_id: Option<String>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub expires_at: Option<OffsetDateTime>,
    pub expired_url: Option<WebUrl>,
    pub disabled: bool,
    /// Destination per ISO country code.
    #[serde(default)]
    pub geo: BTreeMap<String, WebUrl>,
    pub ios: Option<WebUrl>,
    pub android: Option<WebUrl>,
    /// Dub's descriptive fields: kept and shown, never acted on by the redirect.
    #[serde(flatten, default)]
    pub details: LinkDetails,
    #[serde(flatten)]
    pub stats: LinkStats,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The last change; `None` for a link never changed (and for links stored before it was
    /// kept), shown as its creation time.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub updated_at: Option<OffsetDateTime>,
}

/// The fields of Dub's link that describe it for people and tools (title, UTM tags, folder, flags): stored as given and returned, so integrations that set them keep working. The
/// UTM tags are also written into the destination's query when set (as Dub does).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LinkDetails {
    pub external_id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub image: Option<String>,
    pub video: Option<String>,
    pub comments: Option<String>,
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
    pub folder_id: Option<String>,
    /// The link's tags, by id; names and colours are read from the tags themselves, so a
    /// renamed tag shows its new name and a deleted one disappears from every link at once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tag_ids: Vec<TagId>,
    pub track_conversion: bool,
    pub archived: bool,
    pub proxy: bool,
    pub rewrite: bool,
    pub do_index: bool,
    pub public_stats: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkStats {
    pub clicks: i64,
    pub leads: i64,
    pub conversions: i64,
    pub sales: i64,
    pub sale_amount: i64,
}

/// Dub's name for the root link's key on the wire (`GET /links/info?key=_root`).
pub const ROOT_KEY_ALIAS: &str = "_root";

impl Link {
    /// A new link of `program` from `domain`/`key` to `url`: enabled, for nobody, with no
    /// options and no counts yet. Callers set what their request gives on top.
    pub fn new(
        id: LinkId,
        program: &ProgramId,
        (domain, key): (String, String),
        url: WebUrl,
        created_at: OffsetDateTime,
    ) -> Self {
        Self {
            id,
            program_id: program.clone(),
            domain,
            key,
            url,
            partner_id: None,
            tenant_id: None,
            expires_at: None,
            expired_url: None,
            disabled: false,
            geo: BTreeMap::new(),
            ios: None,
            android: None,
            details: LinkDetails::default(),
            stats: LinkStats::default(),
            created_at,
            updated_at: None,
        }
    }

    /// The link's public address (see [`short_link`]).
    pub fn short_link(&self) -> String {
        short_link(&self.domain, &self.key)
    }
}

/// `https://{domain}/{key}`, or `https://{domain}` for the root link.
pub fn short_link(domain: &str, key: &str) -> String {
    if key.is_empty() {
        format!("https://{domain}")
    } else {
        format!("https://{domain}/{key}")
    }
}

impl LinkStats {
    /// These counters with `delta` added, or `None` when a changed one would leave ±`MAX_TOTAL`.
    pub fn checked_plus(&self, delta: &LinkStats) -> Option<LinkStats> {
        // A total the event does not change is not checked: an event cannot push it out of
        // range, and a partner left out of range by an earlier version keeps taking leads.
        let add = |total: i64, delta: i64| match delta {
            0 => Some(total),
            _ => crate::types::checked_total(total, delta),
        };
        Some(LinkStats {
            clicks: add(self.clicks, delta.clicks)?,
            leads: add(self.leads, delta.leads)?,
            conversions: add(self.conversions, delta.conversions)?,
            sales: add(self.sales, delta.sales)?,
            sale_amount: add(self.sale_amount, delta.sale_amount)?,
        })
    }
}
