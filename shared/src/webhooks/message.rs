//! The deliveries queue's message: which delivery to attempt, and which attempt it is.

use crate::queue::{MAX_DELAY, OutgoingMessage};
use crate::types::WebhookDeliveryId;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeliveryMessage {
    pub delivery_id: WebhookDeliveryId,
    /// 1-based; a message whose attempt was already made is dropped, so duplicates never POST.
    pub attempt: u32,
    /// Epoch seconds before which the attempt must not run. Waits longer than SQS's 15-minute
    /// delay are made of several hops.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<i64>,
    /// A re-send asked for by API: one attempt, no schedule after it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub manual: bool,
}

impl DeliveryMessage {
    pub fn first(delivery_id: WebhookDeliveryId) -> Self {
        Self {
            delivery_id,
            attempt: 1,
            not_before: None,
            manual: false,
        }
    }

    /// The message to send at `now`, delayed as far as SQS allows towards `not_before`.
    pub fn outgoing(&self, entry_id: impl Into<String>, now: i64) -> OutgoingMessage {
        let wait = self
            .not_before
            .map_or(0, |at| (at - now).max(0) as u64)
            .min(MAX_DELAY.as_secs());
        OutgoingMessage::new(
            entry_id,
            serde_json::to_string(self).expect("a delivery message serialises"),
        )
        .delayed(Duration::from_secs(wait))
    }
}
