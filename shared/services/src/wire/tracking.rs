//! Dub's answers to `POST /track/lead` and `POST /track/sale` (the SDKs' `TrackLeadResponse`
//! and `TrackSaleResponse`), and StackBE's registered deal (`POST /v1/affiliate/deals`).
//!
//! These answers are stored with the change they report (under the request's
//! `Idempotency-Key`, and a sale's under its invoice id), so the use cases build them; a
//! repeat is answered with the stored JSON as it was first sent (`idempotency::Recorded`).

use super::timestamp;
use crate::model::{Customer, Deal, Link, PaymentProcessor};
use crate::types::{ClickId, Currency};

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct TrackLeadResponse {
    pub click: TrackedClickSchema,
    /// The link of the customer's click; null when the lead came by a registered deal.
    pub link: Option<TrackedLinkSchema>,
    pub customer: LeadCustomerSchema,
}

impl TrackLeadResponse {
    pub fn of(customer: &Customer, link: Option<&Link>) -> Self {
        Self {
            click: TrackedClickSchema::of(customer.click_id.as_ref()),
            link: link.map(TrackedLinkSchema::of),
            customer: LeadCustomerSchema::of(customer),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct TrackedClickSchema {
    /// `""` for a customer without a click (attributed by a registered deal).
    pub id: String,
}

impl TrackedClickSchema {
    pub fn of(click: Option<&ClickId>) -> Self {
        Self {
            id: click.map(|id| id.as_str().to_owned()).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrackedLinkSchema {
    pub id: String,
    pub domain: String,
    pub key: String,
    pub short_link: String,
    pub url: String,
    pub partner_id: Option<String>,
    pub program_id: Option<String>,
    pub tenant_id: Option<String>,
    /// Null, as the answers have always shown it.
    pub external_id: Option<String>,
}

impl TrackedLinkSchema {
    pub fn of(link: &Link) -> Self {
        Self {
            id: link.id.to_string(),
            domain: link.domain.clone(),
            key: link.key.clone(),
            short_link: link.short_link(),
            url: link.url.as_str().to_owned(),
            partner_id: link.partner_id.as_ref().map(ToString::to_string),
            program_id: Some(link.program_id.to_string()),
            tenant_id: link.tenant_id.clone(),
            external_id: None,
        }
    }
}

/// The customer of a lead.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LeadCustomerSchema {
    pub name: Option<String>,
    pub email: Option<String>,
    pub avatar: Option<String>,
    pub external_id: Option<String>,
}

impl LeadCustomerSchema {
    pub fn of(customer: &Customer) -> Self {
        Self {
            name: customer.name.clone(),
            email: customer.email.clone(),
            avatar: customer.avatar.clone(),
            external_id: customer.external_id.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrackSaleResponse {
    pub event_name: String,
    /// Null, with `sale`, when the customer is unknown and nothing was recorded (as Dub).
    pub customer: Option<SaleCustomerSchema>,
    pub sale: Option<TrackedSaleSchema>,
}

/// The customer of a sale: a lead's customer with its id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SaleCustomerSchema {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub avatar: Option<String>,
    pub external_id: Option<String>,
}

impl SaleCustomerSchema {
    pub fn of(customer: &Customer) -> Self {
        Self {
            id: customer.id.to_string(),
            name: customer.name.clone(),
            email: customer.email.clone(),
            avatar: customer.avatar.clone(),
            external_id: customer.external_id.clone(),
        }
    }
}

/// The sale as the request gave it (also the `sale` of the `sale.created` event).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrackedSaleSchema {
    pub amount: i64,
    pub currency: Currency,
    pub payment_processor: PaymentProcessor,
    pub invoice_id: Option<String>,
    pub metadata: Option<serde_json::Value>,
}

/// StackBE's registered deal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DealSchema {
    pub id: String,
    pub program_id: String,
    pub partner_id: String,
    pub lead_email: String,
    pub lead_name: String,
    pub notes: Option<String>,
    pub created_at: String,
    /// Always `registered`: a deal is a claim, and it has no later states.
    pub status: &'static str,
}

impl DealSchema {
    pub fn of(deal: &Deal) -> Self {
        Self {
            id: deal.id.to_string(),
            program_id: deal.program_id.to_string(),
            partner_id: deal.partner_id.to_string(),
            lead_email: deal.lead_email.as_str().to_owned(),
            lead_name: deal.lead_name.clone(),
            notes: deal.notes.clone(),
            created_at: timestamp(deal.created_at),
            status: "registered",
        }
    }
}

/// Our answer to `POST /track/refund` (Dub has no refund endpoint): the sale's refund totals
/// and the commission it changed. The commissions are in the shape of the `commission.*`
/// webhook payloads, which are not typed models yet (documented as objects).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrackRefundResponse {
    pub sale_id: String,
    pub invoice_id: Option<String>,
    /// This refund, in minor units.
    pub amount: i64,
    /// Every refund of the sale so far, in minor units.
    pub refunded_amount: i64,
    pub currency: Currency,
    /// The sale's commission as this refund left it (none when the sale earned none).
    #[schema(value_type = Option<Object>)]
    pub commission: Option<serde_json::Value>,
    /// The negative commission that takes back a paid commission's share.
    #[schema(value_type = Option<Object>)]
    pub clawback: Option<serde_json::Value>,
}
