//! Partnerline's domain crate: types, business rules, ports and the engines behind them.
//!
//! The two floors below the features are crates of their own, re-exported here under the same
//! names (`shared::model::Partner` and `crate::model::Partner` name what they always did), so
//! the compiler keeps them from importing a feature: the ground floor (`types`, `model`,
//! `ports`, `store`, `queue`, `layout`, `cache`) is `partnerline-core` (`shared/core`), the
//! services every feature uses (`auth`, `outbox`, `context`, `error`, `idempotency`,
//! `rate_limit`, `web`, `wire`) are `partnerline-services` (`shared/services`).

pub use partnerline_core::{cache, layout, model, ports, queue, store, types};
pub use partnerline_services::{auth, context, error, idempotency, outbox, rate_limit, web, wire};

#[cfg(feature = "conformance")]
pub use partnerline_core::{
    __conformance_tests, conformance, queue_conformance_tests, store_conformance_tests,
};

pub mod analytics;
pub mod applications;
pub mod aws;
pub mod clicks;
pub mod commissions;
pub mod config;
pub mod conversions;
pub mod customers;
pub mod discount_codes;
pub mod enrollment;
pub mod groups;
pub mod links;
pub mod partner_listing;
pub mod partner_moves;
pub mod partner_status;
pub mod partners;
pub mod payouts;
pub mod portal;
pub mod program_launch;
pub mod programs;
pub mod stripe;
pub mod totals_repair;
pub mod webhooks;

#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
