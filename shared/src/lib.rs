//! Partnerline's domain crate: types, business rules, ports and the engines behind them.
//!
//! - [`store`]: the item-store port and its engines (DynamoDB, embedded).
//! - [`queue`]: the queue port and its engines (SQS, embedded).

pub mod queue;
pub mod store;

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
