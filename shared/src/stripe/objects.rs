//! The parts of Stripe's event and objects that the mapping reads, parsed leniently: every
//! field Stripe may omit, null or expand is optional, and unknown fields are ignored, so that
//! any API version's payload parses. Shapes from Stripe's API reference (`checkout.session`,
//! `invoice`, `charge`, `refund`, `customer`, `promotion_code`).

use serde::Deserialize;
use std::collections::BTreeMap;

/// An event as Stripe sends it to an endpoint.
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub livemode: bool,
    pub data: EventData,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

/// Stripe's metadata: string keys and values (anything else is ignored).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Metadata(Option<BTreeMap<String, serde_json::Value>>);

impl Metadata {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .as_ref()?
            .get(key)?
            .as_str()
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

/// A field Stripe sends as an id, or as the object when expanded.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Expandable {
    Id(String),
    Object(Box<Expanded>),
}

/// What the mapping reads of an expanded object.
#[derive(Debug, Clone, Deserialize)]
pub struct Expanded {
    pub id: String,
    /// A promotion code's code.
    #[serde(default)]
    pub code: Option<String>,
    /// A discount's promotion code.
    #[serde(default)]
    pub promotion_code: Option<Box<Expandable>>,
}

impl Expandable {
    pub fn id(&self) -> &str {
        match self {
            Self::Id(id) => id,
            Self::Object(object) => &object.id,
        }
    }
}

/// A discount applied to a checkout session or an invoice.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum DiscountRef {
    /// An invoice's discount, by id: its promotion code is not in the payload.
    Id(String),
    Applied {
        #[serde(default)]
        promotion_code: Option<Expandable>,
    },
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CustomerDetails {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CurrencyConversion {
    /// The total in the business's settlement currency.
    pub amount_total: i64,
    pub source_currency: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CheckoutSession {
    pub id: String,
    #[serde(default)]
    pub client_reference_id: Option<String>,
    #[serde(default)]
    pub customer: Option<Expandable>,
    #[serde(default)]
    pub customer_details: Option<CustomerDetails>,
    #[serde(default)]
    pub customer_email: Option<String>,
    #[serde(default)]
    pub amount_total: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub currency_conversion: Option<CurrencyConversion>,
    #[serde(default)]
    pub payment_status: Option<String>,
    #[serde(default)]
    pub invoice: Option<Expandable>,
    #[serde(default)]
    pub payment_intent: Option<Expandable>,
    #[serde(default)]
    pub metadata: Metadata,
    #[serde(default)]
    pub discounts: Option<Vec<DiscountRef>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct WithMetadata {
    #[serde(default)]
    pub metadata: Metadata,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct InvoiceParent {
    #[serde(default)]
    pub subscription_details: Option<WithMetadata>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct List<T> {
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
}

/// One payment of an invoice (API versions from 2025-03-31).
#[derive(Debug, Clone, Deserialize)]
pub struct InvoicePayment {
    #[serde(default)]
    pub payment: Option<PaymentRef>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PaymentRef {
    #[serde(default)]
    pub payment_intent: Option<Expandable>,
    #[serde(default)]
    pub charge: Option<Expandable>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Invoice {
    pub id: String,
    #[serde(default)]
    pub customer: Option<Expandable>,
    #[serde(default)]
    pub customer_email: Option<String>,
    #[serde(default)]
    pub customer_name: Option<String>,
    #[serde(default)]
    pub amount_paid: i64,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub metadata: Metadata,
    /// Where a subscription's metadata is (API versions before 2025-03-31).
    #[serde(default)]
    pub subscription_details: Option<WithMetadata>,
    #[serde(default)]
    pub parent: Option<InvoiceParent>,
    /// The invoice's payment (API versions before 2025-03-31).
    #[serde(default)]
    pub payment_intent: Option<Expandable>,
    #[serde(default)]
    pub charge: Option<Expandable>,
    #[serde(default)]
    pub payments: Option<List<InvoicePayment>>,
    #[serde(default)]
    pub discounts: Option<Vec<DiscountRef>>,
    /// The one discount of API versions before 2022-11-15.
    #[serde(default)]
    pub discount: Option<DiscountRef>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Refund {
    pub id: String,
    #[serde(default)]
    pub amount: i64,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub charge: Option<Expandable>,
    #[serde(default)]
    pub payment_intent: Option<Expandable>,
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Charge {
    pub id: String,
    #[serde(default)]
    pub amount_refunded: i64,
    #[serde(default)]
    pub currency: Option<String>,
    /// API versions before 2025-03-31.
    #[serde(default)]
    pub invoice: Option<Expandable>,
    #[serde(default)]
    pub payment_intent: Option<Expandable>,
    /// Present in API versions before 2022-11-15 (and when expanded).
    #[serde(default)]
    pub refunds: Option<List<Refund>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Customer {
    pub id: String,
    #[serde(default)]
    pub metadata: Metadata,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PromotionCode {
    pub id: String,
    pub code: String,
}
