use crate::types::{ProgramId, WebUrl, WebhookId};
use time::OffsetDateTime;

/// Where a program's events are delivered.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEndpoint {
    pub id: WebhookId,
    pub program_id: ProgramId,
    pub url: WebUrl,
    /// Subscribed event names, e.g. `lead.created`.
    pub events: Vec<String>,
    pub enabled: bool,
    /// `whsec_` + base64 of 32 random bytes. Needed in clear to sign; never returned after creation.
    pub secret: String,
    /// The previous secret, still signing until `previous_secret_expires_at` (rotation).
    pub previous_secret: Option<String>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub previous_secret_expires_at: Option<OffsetDateTime>,
    pub consecutive_failures: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}
