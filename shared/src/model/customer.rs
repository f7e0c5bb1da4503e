use crate::types::{ClickId, CustomerId, LinkId, PartnerId, ProgramId};
use time::OffsetDateTime;

/// A customer of the business, referred through a partner's link.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: CustomerId,
    pub program_id: ProgramId,
    /// The customer's id in the business's database (`customerExternalId`); none for an
    /// account created on a partner's approval.
    pub external_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub avatar: Option<String>,
    pub country: Option<String>,
    pub click_id: Option<ClickId>,
    pub link_id: Option<LinkId>,
    pub partner_id: Option<PartnerId>,
    /// The customer's id in the business's Stripe account (Dub's `stripeCustomerId`).
    #[serde(default)]
    pub stripe_customer_id: Option<String>,
    /// When the customer's subscription was canceled (Dub's `subscriptionCanceledAt`).
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub subscription_canceled_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}
