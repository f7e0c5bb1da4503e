//! Partnerline's domain crate: types, business rules, ports and the engines behind them.
//!
//! - [`types`]: parsed value types (ids, money, emails, URLs, referral codes).
//! - [`model`]: the records of the domain.
//! - [`ports`]: time, ids and randomness.
//! - [`store`]: the item-store port and its engines (DynamoDB, embedded).
//! - [`queue`]: the queue port and its engines (SQS, embedded).

pub mod analytics;
pub mod applications;
pub mod auth;
pub mod aws;
pub mod cache;
pub mod clicks;
pub mod commissions;
pub mod config;
pub mod context;
pub mod conversions;
pub mod customers;
pub mod discount_codes;
pub mod enrollment;
pub mod error;
pub mod groups;
pub mod idempotency;
pub mod layout;
pub mod links;
pub mod model;
pub mod outbox;
pub mod partner_listing;
pub mod partner_moves;
pub mod partner_status;
pub mod partners;
pub mod payouts;
pub mod portal;
pub mod ports;
pub mod program_launch;
pub mod programs;
pub mod queue;
pub mod rate_limit;
pub mod store;
pub mod stripe;
pub mod totals_repair;
pub mod types;
pub mod web;
pub mod webhooks;
pub mod wire;

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;

#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
