//! The HTTP edge's typed wire models: one serde struct per response schema (Dub's where Dub
//! defines it, StackBE's for its partner program routes, ours otherwise), built from domain
//! types. A field the SDK requires is a struct field, so leaving it out fails the build,
//! not an integrator's client. Fields we hold no value for are present with Dub's type (null,
//! an empty list), never missing.

pub mod affiliate;
pub mod analytics;
pub mod applications;
pub mod commissions;
pub mod customers;
pub mod discount_codes;
pub mod domains;
pub mod embed;
pub mod events;
pub mod folders;
pub mod groups;
pub mod links;
pub mod partner_records;
pub mod partners;
pub mod payouts;
pub mod portal;
pub mod programs;
pub mod stripe;
pub mod tracking;
pub mod webhooks;

/// A wire model as the data of an outbox event, so events carry the API's shapes.
pub fn event_data<T: serde::Serialize>(data: &T) -> serde_json::Value {
    serde_json::to_value(data).expect("a wire model serialises")
}

/// RFC 3339 text of a time, as Dub's schemas carry times.
pub fn timestamp(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .expect("a UTC time formats as RFC 3339")
}
