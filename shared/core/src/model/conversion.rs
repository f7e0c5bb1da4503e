use crate::types::{
    ClickId, CommissionId, Currency, CustomerId, LeadId, LinkId, PartnerId, ProgramId, SaleId,
};
use time::OffsetDateTime;

/// A tracked lead (signup) event.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lead {
    pub id: LeadId,
    pub program_id: ProgramId,
    pub event_name: String,
    pub customer_id: CustomerId,
    pub click_id: Option<ClickId>,
    pub link_id: Option<LinkId>,
    pub partner_id: Option<PartnerId>,
    pub quantity: i64,
    pub metadata: Option<serde_json::Value>,
    pub commission_id: Option<CommissionId>,
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum PaymentProcessor {
    Stripe,
    Shopify,
    Polar,
    Paddle,
    Apple,
    Revenuecat,
    Lemonsqueezy,
    Dub,
    Custom,
}

impl PaymentProcessor {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Stripe => "stripe",
            Self::Shopify => "shopify",
            Self::Polar => "polar",
            Self::Paddle => "paddle",
            Self::Apple => "apple",
            Self::Revenuecat => "revenuecat",
            Self::Lemonsqueezy => "lemonsqueezy",
            Self::Dub => "dub",
            Self::Custom => "custom",
        }
    }
}

/// A tracked sale event, in minor units of `currency`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sale {
    pub id: SaleId,
    pub program_id: ProgramId,
    pub event_name: String,
    pub customer_id: CustomerId,
    pub click_id: Option<ClickId>,
    pub link_id: Option<LinkId>,
    pub partner_id: Option<PartnerId>,
    pub amount: i64,
    pub currency: Currency,
    pub payment_processor: PaymentProcessor,
    pub invoice_id: Option<String>,
    pub lead_event_name: Option<String>,
    pub metadata: Option<serde_json::Value>,
    pub commission_id: Option<CommissionId>,
    /// Refunded so far (at most `amount`).
    pub refunded_amount: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
    pub version: u64,
}
