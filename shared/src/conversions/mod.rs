//! Lead and sale tracking (Dub's `POST /track/lead`, `/track/sale`) and refunds: attribution,
//! customers, commissions, counters, events and idempotency, each event in one transaction.

mod attribution;
mod bounds;
mod commit;
mod deals;
pub mod earnings;
mod input;
mod lead;
pub mod moves;
pub mod payloads;
pub mod records;
mod refund;
mod sale;

pub use attribution::{Attribution, FirstRead, NewCustomers, Parties};
pub use deals::{DealRegistrant, DealRegistration, RegisterDealRequest, find_deal, register_deal};
pub use input::{
    LeadMode, MAX_EVENT_NAME, MAX_EXTERNAL_ID, MAX_INVOICE_ID, MAX_METADATA_CHARS,
    TrackLeadRequest, TrackRefundRequest, TrackSaleRequest,
};
pub use lead::track_lead;
pub use refund::track_refund;
pub use sale::track_sale;
