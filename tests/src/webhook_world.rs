//! A webhook pipeline for tests: the outbox relay, fan-out and delivery over a [`TestApp`]'s
//! engines, with a manual clock that the delivery loop fast-forwards to each message's due time.

use crate::app::{AUDIENCE, ISSUER, TestApp};
use async_trait::async_trait;
use shared::auth::{AdminClaims, Principal};
use shared::model::{Actor, EventName, WebhookEndpoint};
use shared::outbox::{self, OutboxRelay};
use shared::ports::{Clock, ManualClock, SeededRandom};
use shared::queue::{MessageQueue, OutgoingMessage, QueueError, ReceivedMessage};
use shared::types::{EventId, ProgramId, WebhookId};
use shared::webhooks::endpoints::{self, CreateEndpoint};
use shared::webhooks::records;
use shared::webhooks::{AddressPolicy, DeliveryMessage, WebhookServices};
use std::sync::Arc;
use std::time::Duration;

/// Sends without SQS delays: the delivery loop moves the manual clock instead of waiting.
pub struct NoDelayQueue(pub Arc<dyn MessageQueue>);

#[async_trait]
impl MessageQueue for NoDelayQueue {
    async fn send_batch(&self, messages: &[OutgoingMessage]) -> Result<Vec<String>, QueueError> {
        let undelayed: Vec<OutgoingMessage> = messages
            .iter()
            .map(|m| m.clone().delayed(Duration::ZERO))
            .collect();
        self.0.send_batch(&undelayed).await
    }
    async fn receive(&self, max: u32, wait: Duration) -> Result<Vec<ReceivedMessage>, QueueError> {
        self.0.receive(max, wait).await
    }
    async fn delete(&self, receipt_handle: &str) -> Result<(), QueueError> {
        self.0.delete(receipt_handle).await
    }
    async fn change_visibility(&self, handle: &str, timeout: Duration) -> Result<(), QueueError> {
        self.0.change_visibility(handle, timeout).await
    }
}

pub struct WebhookWorld {
    pub services: Arc<WebhookServices>,
    pub clock: Arc<ManualClock>,
    pub relay: OutboxRelay,
    pub events: Arc<dyn MessageQueue>,
    pub deliveries: Arc<dyn MessageQueue>,
    pub program: ProgramId,
}

pub fn admin_of(program: &ProgramId) -> Principal {
    Principal::Admin(AdminClaims {
        sub: "admin@test".into(),
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        exp: u64::MAX / 2,
        program_id: Some(program.clone()),
        scope: None,
    })
}

impl WebhookWorld {
    pub fn new(app: &TestApp) -> Self {
        Self::with_policy(
            app,
            AddressPolicy {
                allow_loopback_http: true,
            },
        )
    }

    pub fn with_policy(app: &TestApp, policy: AddressPolicy) -> Self {
        let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
        let random = Arc::new(SeededRandom::new(42));
        let deliveries: Arc<dyn MessageQueue> = Arc::new(NoDelayQueue(app.deliveries.clone()));
        let services = WebhookServices {
            concurrency: 8,
            ..WebhookServices::new(
                app.store.clone(),
                deliveries.clone(),
                clock.clone(),
                random,
                policy,
            )
            .expect("an HTTP client")
        };
        Self {
            services: Arc::new(services),
            clock,
            relay: OutboxRelay::new(app.store.clone(), app.events.clone()),
            events: app.events.clone(),
            deliveries,
            program: ProgramId::parse("prog_hooks").unwrap(),
        }
    }

    pub fn admin(&self) -> Principal {
        admin_of(&self.program)
    }

    /// Creates an endpoint through the API's use case; returns it with its secret.
    pub async fn endpoint(&self, url: &str, events: &[&str]) -> WebhookEndpoint {
        let view = endpoints::create_endpoint(
            &self.services,
            &self.admin(),
            CreateEndpoint {
                url: url.into(),
                events: events.iter().map(|e| e.to_string()).collect(),
                enabled: None,
            },
        )
        .await
        .expect("create an endpoint");
        self.stored_endpoint(&view.id).await
    }

    pub async fn stored_endpoint(&self, id: &WebhookId) -> WebhookEndpoint {
        records::find_endpoint(self.services.store.as_ref(), &self.program, id)
            .await
            .unwrap()
            .expect("the endpoint exists")
    }

    /// Commits an event as a use case does (its change left out); does not relay it.
    pub async fn commit_event(&self, name: EventName, data: serde_json::Value) -> EventId {
        let event = outbox::new_event(
            self.services.ids.as_ref(),
            self.services.clock.as_ref(),
            &self.program,
            name,
            Actor::System,
            data,
        );
        self.services
            .store
            .transact(vec![outbox::record(&event).unwrap()])
            .await
            .unwrap();
        event.id
    }

    /// Relays the outbox and fans every queued event out to deliveries.
    pub async fn relay_and_fan_out(&self) {
        self.relay.drain().await.unwrap();
        loop {
            let batch = self
                .events
                .receive(10, Duration::from_millis(200))
                .await
                .unwrap();
            if batch.is_empty() {
                return;
            }
            let failed = self
                .services
                .fan_out_batch(
                    batch
                        .iter()
                        .map(|m| (m.message_id.clone(), m.body.clone()))
                        .collect(),
                )
                .await;
            assert!(failed.is_empty(), "fan-out failed for {failed:?}");
            for message in batch {
                self.events.delete(&message.receipt_handle).await.unwrap();
            }
        }
    }

    /// Delivers until the deliveries queue is empty, moving the clock to each message's due
    /// time (the SQS delays fast-forwarded). Returns how many messages were handled.
    pub async fn deliver_all(&self) -> usize {
        let mut handled = 0;
        for _ in 0..10_000 {
            let batch = self
                .deliveries
                .receive(10, Duration::from_millis(200))
                .await
                .unwrap();
            if batch.is_empty() {
                return handled;
            }
            let due = batch
                .iter()
                .filter_map(|m| serde_json::from_str::<DeliveryMessage>(&m.body).ok())
                .filter_map(|m| m.not_before)
                .max();
            if let Some(due) = due {
                let due = time::OffsetDateTime::from_unix_timestamp(due).unwrap();
                if due > self.clock.now() {
                    self.clock.set(due);
                }
            }
            let failed = self
                .services
                .deliver_batch(
                    batch
                        .iter()
                        .map(|m| (m.message_id.clone(), m.body.clone()))
                        .collect(),
                )
                .await;
            for message in batch {
                if failed.contains(&message.message_id) {
                    self.deliveries
                        .change_visibility(&message.receipt_handle, Duration::ZERO)
                        .await
                        .unwrap();
                } else {
                    self.deliveries
                        .delete(&message.receipt_handle)
                        .await
                        .unwrap();
                }
                handled += 1;
            }
        }
        panic!("deliveries never settled");
    }
}
