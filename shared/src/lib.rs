//! Partnerline's domain crate: types, business rules, ports and the engines behind them.
//!
//! The ground floor (`types`, `model`, `ports`, `store`, `queue`, `layout`, `cache`) is the
//! `partnerline-core` crate (`shared/core`), re-exported here under the same names, so
//! `shared::model::Partner` and `crate::model::Partner` name what they always did.

pub use partnerline_core::{cache, layout, model, ports, queue, store, types};

#[cfg(feature = "conformance")]
pub use partnerline_core::{
    __conformance_tests, conformance, queue_conformance_tests, store_conformance_tests,
};

pub mod analytics;
pub mod applications;
pub mod auth;
pub mod aws;
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
pub mod links;
pub mod outbox;
pub mod partner_listing;
pub mod partner_moves;
pub mod partner_status;
pub mod partners;
pub mod payouts;
pub mod portal;
pub mod program_launch;
pub mod programs;
pub mod rate_limit;
pub mod stripe;
pub mod totals_repair;
pub mod web;
pub mod webhooks;
pub mod wire;

#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
