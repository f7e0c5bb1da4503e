//! Webhooks: endpoints, signing, fan-out of events to deliveries, and signed delivery with
//! retries. The design (queues, delivery states, schedule, exactly-once window) is in
//! `infra/TABLE_DESIGN.md`.

pub mod address_policy;
pub mod delivery;
pub mod endpoint_health;
pub mod endpoints;
pub mod event_names;
pub mod fanout;
pub mod message;
pub mod records;
pub mod schedule;
pub mod sender;
pub mod services;
pub mod signing;

pub use crate::model::{DeliveryAttempt, DeliveryState, EndpointView, WebhookDelivery};
pub use address_policy::AddressPolicy;
pub use delivery::DeliveryError;
pub use fanout::{EventMessage, FanoutError};
pub use message::DeliveryMessage;
pub use sender::{HttpSender, SendOutcome, WebhookRequest, WebhookSender};
pub use services::WebhookServices;
