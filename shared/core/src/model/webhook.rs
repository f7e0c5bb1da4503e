use crate::types::{EventId, ProgramId, WebUrl, WebhookDeliveryId, WebhookId};
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

/// An endpoint as the API shows it (`wire::webhooks::WebhookSchema`); `secret` only in the
/// answers that create it or rotate it.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointView {
    pub id: WebhookId,
    pub url: WebUrl,
    pub events: Vec<String>,
    pub enabled: bool,
    pub secret: Option<String>,
    pub consecutive_failures: u32,
    pub previous_secret_expires_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

impl From<&WebhookEndpoint> for EndpointView {
    fn from(endpoint: &WebhookEndpoint) -> Self {
        Self {
            id: endpoint.id.clone(),
            url: endpoint.url.clone(),
            events: endpoint.events.clone(),
            enabled: endpoint.enabled,
            secret: None,
            consecutive_failures: endpoint.consecutive_failures,
            previous_secret_expires_at: endpoint.previous_secret_expires_at,
            created_at: endpoint.created_at,
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    Pending,
    Succeeded,
    /// The schedule ran out, the endpoint answered 410 or is gone; re-sendable by API.
    Failed,
}

/// One HTTP attempt, as `GET /webhooks/{id}/deliveries` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryAttempt {
    pub attempt: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub status_code: Option<u16>,
    pub latency_ms: u64,
    pub error: Option<String>,
}

/// One event's delivery to one endpoint, with the exact body every attempt signs and sends.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    pub id: WebhookDeliveryId,
    pub program_id: ProgramId,
    pub endpoint_id: WebhookId,
    pub event_id: EventId,
    pub event: String,
    pub body: String,
    pub state: DeliveryState,
    /// Finished attempts.
    pub attempts: u32,
    /// While an attempt runs: when its claim lapses (epoch seconds), so a crashed attempt can
    /// be taken over.
    pub lease_until: Option<i64>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub next_attempt_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub log: Vec<DeliveryAttempt>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}
