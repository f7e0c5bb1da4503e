use crate::types::{ClickId, LinkId, PartnerId, ProgramId};
use time::OffsetDateTime;

/// One counted click on a link, as the redirect records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Click {
    pub id: ClickId,
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
    pub link_id: LinkId,
    pub partner_id: Option<PartnerId>,
    pub program_id: ProgramId,
    pub country: Option<String>,
    pub device: String,
    pub browser: String,
    pub os: String,
    pub referer: Option<String>,
    pub qr: bool,
}
