//! Dub's `LeadEvent` and `SaleEvent` as `GET /events` lists them (the SDKs' `events.list`),
//! with Dub's deprecated flat fields, which its models still require.
//!
//! The click: its id and the event's link are known; what the visitor's click looked like
//! (country, device, browser, OS, referer, IP) is counted by the aggregator, not stored with
//! the click, so those fields are empty strings.

use super::customers::CustomerSchema;
use super::links::LinkSchema;
use super::timestamp;
use crate::model::PaymentProcessor;
use crate::model::{Conversion, ListedEvent};
use crate::types::Currency;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EventKindSchema {
    Lead,
    Sale,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventClickSchema {
    /// The click id the customer came with; `""` without one.
    pub id: String,
    pub timestamp: String,
    /// The link's destination.
    pub url: String,
    pub country: String,
    pub city: String,
    pub region: String,
    pub continent: String,
    pub device: String,
    pub browser: String,
    pub os: String,
    pub referer: String,
    pub referer_url: String,
    pub qr: bool,
    pub ip: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventSaleSchema {
    /// Minor units of `currency`.
    pub amount: i64,
    pub currency: Currency,
    pub invoice_id: Option<String>,
    pub payment_processor: PaymentProcessor,
}

/// One listed event: a lead, or a sale with its `sale` and the deprecated sale fields.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventSchema {
    pub event: EventKindSchema,
    pub timestamp: String,
    pub event_id: String,
    pub event_name: String,
    pub click: EventClickSchema,
    pub link: LinkSchema,
    pub customer: CustomerSchema,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sale: Option<EventSaleSchema>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sale_amount: Option<i64>,
    // Dub's deprecated flat copies of the sale, the click and the link; Dub names some of them
    // in snake case.
    #[serde(rename = "invoice_id", skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<String>,
    #[serde(rename = "payment_processor", skip_serializing_if = "Option::is_none")]
    pub payment_processor: Option<PaymentProcessor>,
    pub metadata: Option<serde_json::Value>,
    #[serde(rename = "click_id")]
    pub click_id: String,
    #[serde(rename = "link_id")]
    pub link_id: String,
    pub domain: String,
    pub key: String,
    pub url: String,
    pub continent: String,
    pub country: String,
    pub city: String,
    pub device: String,
    pub browser: String,
    pub os: String,
    pub qr: f64,
    pub ip: String,
}

impl EventSchema {
    pub fn of(listed: &ListedEvent) -> Self {
        let link = &listed.link;
        let (kind, id, name, at, click_id, metadata, sale) = match &listed.conversion {
            Conversion::Lead(lead) => (
                EventKindSchema::Lead,
                lead.id.to_string(),
                lead.event_name.clone(),
                lead.timestamp,
                lead.click_id.as_ref(),
                lead.metadata.clone(),
                None,
            ),
            Conversion::Sale(sale) => (
                EventKindSchema::Sale,
                sale.id.to_string(),
                sale.event_name.clone(),
                sale.timestamp,
                sale.click_id.as_ref(),
                sale.metadata.clone(),
                Some(EventSaleSchema {
                    amount: sale.amount,
                    currency: sale.currency,
                    invoice_id: sale.invoice_id.clone(),
                    payment_processor: sale.payment_processor,
                }),
            ),
        };
        let click_id = click_id.map(ToString::to_string).unwrap_or_default();
        let url = link.url.to_string();
        Self {
            event: kind,
            timestamp: timestamp(at),
            event_id: id,
            event_name: name,
            click: EventClickSchema {
                id: click_id.clone(),
                timestamp: timestamp(at),
                url: url.clone(),
                country: String::new(),
                city: String::new(),
                region: String::new(),
                continent: String::new(),
                device: String::new(),
                browser: String::new(),
                os: String::new(),
                referer: String::new(),
                referer_url: String::new(),
                qr: false,
                ip: String::new(),
            },
            link: LinkSchema::of(link),
            customer: match &listed.customer {
                Some((customer, activity)) => CustomerSchema::of(customer, activity),
                None => deleted_customer(listed, at),
            },
            sale_amount: sale.as_ref().map(|s| s.amount),
            // Dub's model requires the deprecated field on a sale: `""` without an invoice.
            invoice_id: sale
                .as_ref()
                .map(|s| s.invoice_id.clone().unwrap_or_default()),
            payment_processor: sale.as_ref().map(|s| s.payment_processor),
            sale,
            metadata,
            click_id,
            link_id: link.id.to_string(),
            domain: link.domain.clone(),
            key: link.key.clone(),
            url,
            continent: String::new(),
            country: String::new(),
            city: String::new(),
            device: String::new(),
            browser: String::new(),
            os: String::new(),
            qr: 0.0,
            ip: String::new(),
        }
    }
}

/// A customer deleted since its event: its id, and the event's time as its creation.
fn deleted_customer(listed: &ListedEvent, at: time::OffsetDateTime) -> CustomerSchema {
    CustomerSchema {
        id: listed.customer_id().to_string(),
        external_id: String::new(),
        name: None,
        email: None,
        avatar: None,
        country: None,
        stripe_customer_id: None,
        subscription_canceled_at: None,
        sales: 0,
        sale_amount: 0,
        first_sale_at: None,
        created_at: timestamp(at),
    }
}
