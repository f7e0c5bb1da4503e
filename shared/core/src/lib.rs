//! Partnerline's ground floor, which imports nothing of the features above it (the compiler
//! keeps it so: this is its own crate). `shared` re-exports every module under the same name.
//!
//! - [`types`]: parsed value types (ids, money, emails, URLs, referral codes).
//! - [`model`]: the records of the domain, and the answers use cases give.
//! - [`ports`]: time, ids and randomness.
//! - [`store`]: the item-store port and its engines (DynamoDB, embedded); [`layout`]: the
//!   table's keys.
//! - [`queue`]: the queue port and its engines (SQS, embedded).
//! - [`cache`]: the one time-limited cache type.

pub mod cache;
pub mod layout;
pub mod model;
pub mod ports;
pub mod queue;
pub mod store;
pub mod types;

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
