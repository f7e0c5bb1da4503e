//! Partnerline's second floor: what every feature uses, over the ground floor
//! (`partnerline-core`) and nothing above it (the compiler keeps it so: this is its own crate).
//! `shared` re-exports every module under the same name.
//!
//! - [`auth`]: API keys, admin tokens, principals and scopes.
//! - [`outbox`]: events recorded in the transaction of their change, and the relay.
//! - [`context`]: what use cases run with.
//! - [`error`]: the domain error every use case returns; [`idempotency`] and [`rate_limit`].
//! - [`web`]: request parsing with limits, routing, the one error envelope, OpenAPI.
//! - [`wire`]: the typed wire models, one serde struct per Dub or StackBE schema.

// The ground floor, under the names `shared` gives it, so paths read the same in both crates.
use partnerline_core::{cache, layout, model, ports, queue, store, types};

pub mod auth;
pub mod context;
pub mod error;
pub mod idempotency;
pub mod outbox;
pub mod rate_limit;
pub mod web;
pub mod wire;
