//! The records of the domain, as stored and (mostly) as the API shows them. Field names follow
//! Dub's API (camelCase) so that Dub's SDKs parse our responses.

mod analytics;
mod application;
mod click;
mod commission;
mod conversion;
mod customer;
mod deal;
mod discount_code;
mod event;
mod event_name;
mod group;
mod label;
mod link;
mod partner;
mod payout;
mod payout_run;
mod portal;
mod program;
mod stripe_event;
mod totals_repair;
mod webhook;

pub use analytics::*;
pub use application::*;
pub use click::*;
pub use commission::*;
pub use conversion::*;
pub use customer::*;
pub use deal::*;
pub use discount_code::*;
pub use event::*;
pub use event_name::EventName;
pub use group::*;
pub use label::*;
pub use link::*;
pub use partner::*;
pub use payout::*;
pub use payout_run::*;
pub use portal::*;
pub use program::*;
pub use stripe_event::*;
pub use totals_repair::*;
pub use webhook::*;
