//! What fan-out, delivery and the endpoints API run with.

use super::address_policy::AddressPolicy;
use super::sender::WebhookSender;
use crate::ports::{Clock, IdSource, Random};
use crate::queue::MessageQueue;
use crate::store::ItemStore;
use std::sync::Arc;

/// Deliveries in flight at once per delivery batch.
pub const DEFAULT_CONCURRENCY: usize = 32;

pub struct WebhookServices {
    pub store: Arc<dyn ItemStore>,
    /// The deliveries queue: one message per attempt to make.
    pub deliveries: Arc<dyn MessageQueue>,
    pub sender: Arc<dyn WebhookSender>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdSource>,
    pub random: Arc<dyn Random>,
    pub concurrency: usize,
    /// Which URLs endpoints may have (checked on save and, by the sender, on every attempt).
    pub policy: AddressPolicy,
}
