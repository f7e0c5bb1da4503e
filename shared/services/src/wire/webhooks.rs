//! Webhook endpoints and their deliveries, as webhook-admin answers them, and the payloads of
//! the webhook events about endpoints themselves. Endpoint fields follow Dub's webhook
//! (`url`, `events`, `secret`); the delivery log is ours.

use super::timestamp;
use crate::model::EndpointView;
use crate::model::{DeliveryAttempt, DeliveryState, WebhookDelivery};

/// An endpoint; `secret` only in the answers that create it or rotate it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookSchema {
    pub id: String,
    pub url: String,
    /// Subscribed event names, sorted.
    pub events: Vec<String>,
    pub enabled: bool,
    /// `whsec_…`: the Standard Webhooks signing secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Failed deliveries in a row; 20 disable the endpoint.
    pub consecutive_failures: u32,
    /// Until when the secret rotated out keeps signing too.
    pub previous_secret_expires_at: Option<String>,
    pub created_at: String,
}

impl WebhookSchema {
    pub fn of(endpoint: &EndpointView) -> Self {
        Self {
            id: endpoint.id.to_string(),
            url: endpoint.url.to_string(),
            events: endpoint.events.clone(),
            enabled: endpoint.enabled,
            secret: endpoint.secret.clone(),
            consecutive_failures: endpoint.consecutive_failures,
            previous_secret_expires_at: endpoint.previous_secret_expires_at.map(timestamp),
            created_at: timestamp(endpoint.created_at),
        }
    }
}

/// The answer of a test event or a re-send: the delivery that will carry it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryAcceptedSchema {
    pub delivery_id: String,
}

/// A delivery without its body: its state and recent attempts. Its own times are epoch
/// seconds, its attempts' RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliverySchema {
    pub id: String,
    pub event_id: String,
    /// The event's name, e.g. `sale.created`.
    pub event: String,
    pub state: DeliveryState,
    /// The most recent attempts, oldest first.
    pub attempts: Vec<DeliveryAttemptSchema>,
    pub next_attempt_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryAttemptSchema {
    pub attempt: u32,
    pub at: String,
    /// Null when no answer came (a timeout, a refused connection).
    pub status_code: Option<u16>,
    pub latency_ms: u64,
    pub error: Option<String>,
}

impl DeliverySchema {
    pub fn of(delivery: &WebhookDelivery) -> Self {
        Self {
            id: delivery.id.to_string(),
            event_id: delivery.event_id.to_string(),
            event: delivery.event.clone(),
            state: delivery.state,
            attempts: delivery.log.iter().map(DeliveryAttemptSchema::of).collect(),
            next_attempt_at: delivery.next_attempt_at.map(|at| at.unix_timestamp()),
            created_at: delivery.created_at.unix_timestamp(),
        }
    }
}

impl DeliveryAttemptSchema {
    fn of(attempt: &DeliveryAttempt) -> Self {
        Self {
            attempt: attempt.attempt,
            at: timestamp(attempt.at),
            status_code: attempt.status_code,
            latency_ms: attempt.latency_ms,
            error: attempt.error.clone(),
        }
    }
}

/// One page of an endpoint's deliveries, newest first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryPageSchema {
    pub data: Vec<DeliverySchema>,
    pub next_cursor: Option<String>,
}

impl DeliveryPageSchema {
    pub fn of(deliveries: &[WebhookDelivery], next_cursor: Option<String>) -> Self {
        Self {
            data: deliveries.iter().map(DeliverySchema::of).collect(),
            next_cursor,
        }
    }
}

/// The data of `webhook.test`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookTestEventSchema {
    pub webhook_id: String,
    pub message: String,
}

/// The data of `webhook.endpoint_disabled`: which endpoint, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct EndpointDisabledEventSchema {
    pub id: String,
    pub url: String,
    pub reason: String,
}

/// The data of `webhook.deleted`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct WebhookDeletedEventSchema {
    pub id: String,
}

/// The data of `webhook.secret_rotated`: until when (epoch seconds) the old secret signs too.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretRotatedEventSchema {
    pub id: String,
    pub previous_secret_expires_at: i64,
}
