//! Parsed value types ("parse, don't validate"): once built, a value is known to be valid.

mod email;
mod ids;
mod money;
mod percentage;
mod referral_code;
mod web_url;

pub use email::Email;
pub use ids::*;
pub use money::{
    Currency, MAX_AMOUNT, MAX_TOTAL, Money, amount_in_range, checked_total, proportional,
};
pub use percentage::Percentage;
pub use referral_code::ReferralCode;
pub use web_url::WebUrl;

/// Why a value could not be parsed; the message is safe to show to the API caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidValue(pub String);

impl InvalidValue {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// A field that is present (`Some`), possibly `null` (`Some(None)`); absent fields stay `None`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}
