//! The HTTP edge's typed wire models: one serde struct per schema Dub's SDKs parse, built from
//! domain types. A field the SDK requires is a struct field, so leaving it out fails the build,
//! not an integrator's client. Fields we hold no value for are present with Dub's type (null,
//! an empty list), never missing.

pub mod applications;
pub mod discount_codes;
pub mod domains;
pub mod folders;
pub mod links;

/// RFC 3339 text of a time, as Dub's schemas carry times.
pub fn timestamp(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .expect("a UTC time formats as RFC 3339")
}
