use crate::types::{ClickId, CustomerId, LeadId, LinkId, Money, PartnerId, ProgramId, SaleId};
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
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentProcessor {
    Stripe,
    Shopify,
    Polar,
    Paddle,
    Apple,
    Revenuecat,
    Dub,
    Custom,
}

/// A tracked sale event.
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
    pub amount: Money,
    pub payment_processor: PaymentProcessor,
    pub invoice_id: Option<String>,
    pub metadata: Option<serde_json::Value>,
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
}
