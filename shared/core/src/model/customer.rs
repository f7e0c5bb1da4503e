use crate::model::Discount;
use crate::model::Link;
use crate::model::Partner;
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

/// What later events changed on a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CustomerActivity {
    pub sales: i64,
    pub sale_amount: i64,
    pub first_sale_at: Option<OffsetDateTime>,
    /// Counted from here: a reward's `maxDuration`.
    pub first_commission_at: Option<OffsetDateTime>,
    /// Set once the customer's lead reward was paid (one per partner and customer).
    pub lead_rewarded_at: Option<OffsetDateTime>,
}

/// What Dub's expanded fields show of a customer; each `None` when the customer has none.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerExpansion {
    pub link: Option<Link>,
    pub partner: Option<Partner>,
    pub discount: Option<Discount>,
}

/// A customer with its activity, and its expanded fields when they were asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerRead {
    pub customer: Customer,
    pub activity: CustomerActivity,
    pub expansion: Option<CustomerExpansion>,
}
