//! What the redirect needs to know about a link, kept in the link's domain+key claim item so
//! that a cache miss costs one `GetItem`.

use crate::model::Link;
use crate::types::{LinkId, PartnerId, ProgramId, WebUrl};
use std::collections::BTreeMap;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectTarget {
    pub link_id: LinkId,
    pub program_id: ProgramId,
    pub partner_id: Option<PartnerId>,
    /// Empty for the root link.
    pub key: String,
    pub url: WebUrl,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub expires_at: Option<OffsetDateTime>,
    pub expired_url: Option<WebUrl>,
    #[serde(default)]
    pub disabled: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub geo: BTreeMap<String, WebUrl>,
    pub ios: Option<WebUrl>,
    pub android: Option<WebUrl>,
}

impl From<&Link> for RedirectTarget {
    fn from(link: &Link) -> Self {
        Self {
            link_id: link.id.clone(),
            program_id: link.program_id.clone(),
            partner_id: link.partner_id.clone(),
            key: link.key.clone(),
            url: link.url.clone(),
            expires_at: link.expires_at,
            expired_url: link.expired_url.clone(),
            disabled: link.disabled,
            geo: link.geo.clone(),
            ios: link.ios.clone(),
            android: link.android.clone(),
        }
    }
}
