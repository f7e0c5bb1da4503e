//! The business's Stripe account as a source of leads, sales and refunds: its webhook events,
//! signed with the endpoint's secret, recorded through the same conversions pipeline as
//! `/track/*` (`receive`). See `docs/stripe.md` for the rules and the setup.

mod conversions;
pub mod endpoints;
pub mod mapping;
pub mod objects;
mod receive;
pub mod records;
mod refunds;
pub mod signature;

pub use crate::model::{Received, StepOutcome};
pub use receive::{ReceiveError, StripeEndpoint, receive};
pub use refunds::decide_stripe_refund;
pub use signature::{SignatureError, StripeSecret};
