//! Lead and sale tracking (Dub's `POST /track/lead`, `/track/sale`) and refunds: attribution,
//! customers, commissions, counters, events and idempotency, each event in one transaction.
//!
//! Every event is a pipeline (`pipeline::run`):
//! - **read** (`read`, `attribution`): one batch of everything the decision needs;
//! - **decide** (`lead::decide_lead`, `sale::decide_sale`, `refund::decide_refund`, with
//!   `outcome` and `earnings`): a pure function from what was read to a `plan::Decision`;
//! - **write** (`write`): the plan's one transaction, and what a canceled one means.
//!
//! A new source of sales (Stripe events, imports) builds a `SaleInput` and reuses all three.

mod attribution;
mod bounds;
mod deals;
pub mod earnings;
mod input;
mod lead;
mod outcome;
pub mod payloads;
pub(crate) mod pipeline;
pub mod plan;
pub mod read;
pub mod records;
mod refund;
mod sale;
mod write;

pub use attribution::{Attribution, FirstRead, NewCustomers, Parties};
pub use deals::{DealRegistrant, DealRegistration, RegisterDealRequest, find_deal, register_deal};
pub use input::{
    CodeReferral, CustomerFields, LeadInput, LeadMode, MAX_EVENT_NAME, MAX_EXTERNAL_ID,
    MAX_INVOICE_ID, MAX_METADATA_CHARS, RefundInput, SaleInput, TrackLeadRequest,
    TrackRefundRequest, TrackSaleRequest,
};
pub use lead::{decide_lead, track_lead};
pub use refund::{decide_refund, track_refund};
pub use sale::{decide_sale, track_sale};
