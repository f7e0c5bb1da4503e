//! What fan-out, delivery and the endpoints API run with.

use super::address_policy::AddressPolicy;
use super::sender::{HttpSender, WebhookSender};
use crate::ports::{Clock, IdSource, Random, UlidIds};
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

impl WebhookServices {
    /// The usual wiring: time-ordered ids, the real HTTP sender under `policy`, and the default
    /// concurrency. Fails only when the HTTP client cannot be built.
    pub fn new(
        store: Arc<dyn ItemStore>,
        deliveries: Arc<dyn MessageQueue>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
        policy: AddressPolicy,
    ) -> Result<Self, String> {
        Ok(Self {
            store,
            deliveries,
            sender: Arc::new(HttpSender::new(policy)?),
            ids: Arc::new(UlidIds::new(clock.clone(), random.clone())),
            clock,
            random,
            concurrency: DEFAULT_CONCURRENCY,
            policy,
        })
    }
}
