//! Fan-out: each event from the events queue becomes one delivery per subscribed, enabled
//! endpoint of its program, and one deliveries-queue message per new delivery.

use super::event_names::TEST_EVENT;
use super::message::DeliveryMessage;
use super::records;
use super::services::WebhookServices;
use crate::model::WebhookEndpoint;
use crate::model::{DeliveryState, WebhookDelivery};
use crate::queue::{QueueError, send_all};
use crate::store::{Condition, StoreError};
use crate::types::{EventId, ProgramId};

/// An events-queue message: the webhook envelope plus the program it belongs to.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventMessage {
    pub id: EventId,
    pub event: String,
    pub created_at: String,
    pub data: serde_json::Value,
    pub program_id: ProgramId,
}

impl EventMessage {
    /// The exact body every endpoint receives: `{id, event, createdAt, data}`.
    pub fn webhook_body(&self) -> String {
        serde_json::json!({
            "id": self.id,
            "event": self.event,
            "createdAt": self.created_at,
            "data": self.data,
        })
        .to_string()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FanoutError {
    #[error("malformed event message: {0}")]
    Malformed(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// Subscribed and enabled; a test event goes to the endpoint it names, and only to it.
fn receives(endpoint: &WebhookEndpoint, event: &EventMessage) -> bool {
    if event.event == TEST_EVENT.as_str() {
        return event.data["webhookId"].as_str() == Some(endpoint.id.as_str());
    }
    endpoint.enabled && endpoint.events.contains(&event.event)
}

impl WebhookServices {
    /// Fans out a batch of events-queue messages; returns the ids of those to retry.
    pub async fn fan_out_batch(&self, messages: Vec<(String, String)>) -> Vec<String> {
        let mut failed = Vec::new();
        for (message_id, body) in messages {
            if let Err(error) = self.fan_out_message(&body).await {
                tracing::warn!(%message_id, %error, "event kept for retry");
                failed.push(message_id);
            }
        }
        failed
    }

    /// Fans out one event. Safe to repeat: delivery ids derive from the event and endpoint, so
    /// a redelivered event re-sends only the first attempts of deliveries never attempted.
    pub async fn fan_out_message(&self, body: &str) -> Result<usize, FanoutError> {
        let event: EventMessage =
            serde_json::from_str(body).map_err(|e| FanoutError::Malformed(e.to_string()))?;
        let endpoints = records::program_endpoints(self.store.as_ref(), &event.program_id).await?;
        let body = event.webhook_body();
        let mut messages = Vec::new();
        for endpoint in endpoints.iter().filter(|e| receives(e, &event)) {
            let delivery = self.new_delivery(&event.id, &event.event, endpoint, body.clone());
            if self.create_delivery(&delivery).await? {
                messages.push(
                    DeliveryMessage::first(delivery.id).outgoing(messages.len().to_string(), 0),
                );
            }
        }
        send_all(self.deliveries.as_ref(), &messages).await?;
        Ok(messages.len())
    }

    pub fn new_delivery(
        &self,
        event_id: &EventId,
        event: &str,
        endpoint: &WebhookEndpoint,
        body: String,
    ) -> WebhookDelivery {
        WebhookDelivery {
            id: records::delivery_id(event_id, &endpoint.id),
            program_id: endpoint.program_id.clone(),
            endpoint_id: endpoint.id.clone(),
            event_id: event_id.clone(),
            event: event.into(),
            body,
            state: DeliveryState::Pending,
            attempts: 0,
            lease_until: None,
            next_attempt_at: None,
            log: Vec::new(),
            created_at: self.clock.now(),
        }
    }

    /// Stores a new delivery; true when its first attempt still needs a message (new, or
    /// stored by an earlier run that died before sending it).
    pub async fn create_delivery(&self, delivery: &WebhookDelivery) -> Result<bool, StoreError> {
        let put = records::delivery_put(delivery, Some(Condition::NotExists))?;
        match self.store.put(put).await {
            Ok(()) => Ok(true),
            Err(StoreError::ConditionFailed { .. }) => {
                let existing = records::find_delivery(self.store.as_ref(), &delivery.id).await?;
                Ok(existing.is_some_and(|d| d.state == DeliveryState::Pending && d.attempts == 0))
            }
            Err(error) => Err(error),
        }
    }
}
