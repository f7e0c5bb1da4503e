//! The bodies of `POST /track/lead`, `/track/sale` and `/track/refund` in Dub's field names,
//! and their checks. Every check runs before anything is read or written, so bad input changes
//! nothing.

use crate::error::DomainError;
use crate::model::PaymentProcessor;
use crate::types::{Currency, MAX_AMOUNT};

pub const MAX_EVENT_NAME: usize = 255;
pub const MAX_EXTERNAL_ID: usize = 100;
pub const MAX_INVOICE_ID: usize = 190;
pub const MAX_METADATA_CHARS: usize = 10_000;
const MAX_CUSTOMER_FIELD: usize = 190;
/// The most units one lead event may count (`eventQuantity`).
pub const MAX_QUANTITY: i64 = 10_000;

fn unprocessable(message: impl Into<String>) -> DomainError {
    DomainError::Unprocessable(message.into())
}

/// Dub's lead modes. Every mode is processed before the response (a Lambda must finish its
/// work before it returns), so `async` and `wait` behave alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LeadMode {
    #[default]
    Async,
    Wait,
    /// Creates the customer (with the click's attribution) now; a later lead for the same
    /// customer, with an empty `clickId`, records the lead.
    Deferred,
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrackLeadRequest {
    #[serde(default)]
    pub click_id: Option<String>,
    pub event_name: String,
    pub customer_external_id: String,
    #[serde(default)]
    pub customer_name: Option<String>,
    #[serde(default)]
    pub customer_email: Option<String>,
    #[serde(default)]
    pub customer_avatar: Option<String>,
    #[serde(default)]
    pub mode: Option<LeadMode>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub event_quantity: Option<serde_json::Number>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrackSaleRequest {
    pub customer_external_id: String,
    #[schema(value_type = i64)]
    pub amount: serde_json::Number,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub event_name: Option<String>,
    #[serde(default)]
    pub payment_processor: Option<PaymentProcessor>,
    #[serde(default)]
    pub invoice_id: Option<String>,
    #[serde(default)]
    pub lead_event_name: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    pub click_id: Option<String>,
    #[serde(default)]
    pub customer_name: Option<String>,
    #[serde(default)]
    pub customer_email: Option<String>,
    #[serde(default)]
    pub customer_avatar: Option<String>,
}

/// A full or partial refund of a sale, found by its invoice id.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrackRefundRequest {
    pub invoice_id: String,
    /// Minor units; the whole remaining amount when absent.
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub amount: Option<serde_json::Number>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// The customer fields an event may carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerFields {
    pub external_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub avatar: Option<String>,
    /// The customer's id in the business's Stripe account, when a Stripe event creates it.
    pub stripe_customer_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct LeadInput {
    pub click_id: Option<String>,
    pub event_name: String,
    pub customer: CustomerFields,
    pub mode: LeadMode,
    pub quantity: i64,
    pub metadata: Option<serde_json::Value>,
    /// A partner named by a code the customer used (a Stripe promotion code); attributes a
    /// new customer that has no click. Never set by `/track/lead`.
    pub code: Option<CodeReferral>,
}

#[derive(Debug, Clone)]
pub struct SaleInput {
    pub customer: CustomerFields,
    pub amount: i64,
    pub currency: Currency,
    pub event_name: String,
    pub payment_processor: PaymentProcessor,
    pub invoice_id: Option<String>,
    pub lead_event_name: Option<String>,
    pub metadata: Option<serde_json::Value>,
    pub click_id: Option<String>,
    /// As on [`LeadInput::code`]; never set by `/track/sale`.
    pub code: Option<CodeReferral>,
}

/// The partner (and, for a discount code, the link) that a code names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeReferral {
    pub partner_id: crate::types::PartnerId,
    pub link_id: Option<crate::types::LinkId>,
}

#[derive(Debug, Clone)]
pub struct RefundInput {
    pub invoice_id: String,
    pub amount: Option<i64>,
    pub reason: Option<String>,
}

/// A whole number from 0 to `max`; fractions, negatives and larger numbers are 422.
fn whole_number(number: &serde_json::Number, field: &str, max: i64) -> Result<i64, DomainError> {
    match number.as_i64() {
        Some(value) if (0..=max).contains(&value) => Ok(value),
        Some(value) if value < 0 => Err(unprocessable(format!("`{field}` cannot be negative."))),
        Some(_) => Err(unprocessable(format!("`{field}` can be at most {max}."))),
        None if number.as_u64().is_some() => {
            Err(unprocessable(format!("`{field}` can be at most {max}.")))
        }
        None => Err(unprocessable(format!("`{field}` must be a whole number."))),
    }
}

/// An amount in whole minor units (cents), from 0 to [`MAX_AMOUNT`].
fn minor_units(number: &serde_json::Number, field: &str) -> Result<i64, DomainError> {
    whole_number(number, field, MAX_AMOUNT)
}

fn bounded(value: &str, field: &str, max: usize, required: bool) -> Result<String, DomainError> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(unprocessable(format!("`{field}` is required.")));
    }
    if value.chars().count() > max {
        return Err(unprocessable(format!(
            "`{field}` can have at most {max} characters."
        )));
    }
    Ok(value.to_owned())
}

fn optional(value: Option<String>, field: &str) -> Result<Option<String>, DomainError> {
    value
        .map(|v| bounded(&v, field, MAX_CUSTOMER_FIELD, false))
        .transpose()
        .map(|v| v.filter(|v| !v.is_empty()))
}

fn metadata(
    metadata: Option<serde_json::Map<String, serde_json::Value>>,
) -> Result<Option<serde_json::Value>, DomainError> {
    let Some(map) = metadata else {
        return Ok(None);
    };
    let value = serde_json::Value::Object(map);
    if value.to_string().chars().count() > MAX_METADATA_CHARS {
        return Err(unprocessable(format!(
            "`metadata` must be at most {MAX_METADATA_CHARS} characters when stringified."
        )));
    }
    Ok(Some(value))
}

fn customer_fields(
    external_id: &str,
    name: Option<String>,
    email: Option<String>,
    avatar: Option<String>,
) -> Result<CustomerFields, DomainError> {
    // Stored normalised, as every email is (`types::Email`).
    let email = optional(email, "customerEmail")?
        .map(|email| {
            crate::types::Email::parse(&email)
                .map(|parsed| parsed.as_str().to_owned())
                .map_err(|e| unprocessable(format!("`customerEmail`: {}.", e.0)))
        })
        .transpose()?;
    Ok(CustomerFields {
        external_id: bounded(external_id, "customerExternalId", MAX_EXTERNAL_ID, true)?,
        name: optional(name, "customerName")?,
        email,
        avatar: optional(avatar, "customerAvatar")?,
        stripe_customer_id: None,
    })
}

fn click(click_id: Option<String>) -> Option<String> {
    click_id
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty())
}

impl TrackLeadRequest {
    pub fn check(self) -> Result<LeadInput, DomainError> {
        let quantity = match &self.event_quantity {
            None => 1,
            Some(number) => match whole_number(number, "eventQuantity", MAX_QUANTITY) {
                Ok(q) if q >= 1 => q,
                _ => {
                    return Err(unprocessable(format!(
                        "`eventQuantity` must be from 1 to {MAX_QUANTITY}."
                    )));
                }
            },
        };
        Ok(LeadInput {
            click_id: click(self.click_id),
            event_name: bounded(&self.event_name, "eventName", MAX_EVENT_NAME, true)?,
            customer: customer_fields(
                &self.customer_external_id,
                self.customer_name,
                self.customer_email,
                self.customer_avatar,
            )?,
            mode: self.mode.unwrap_or_default(),
            quantity,
            metadata: metadata(self.metadata)?,
            code: None,
        })
    }
}

impl TrackSaleRequest {
    pub fn check(self) -> Result<SaleInput, DomainError> {
        let amount = minor_units(&self.amount, "amount")?;
        let currency = match &self.currency {
            None => Currency::USD,
            Some(code) => Currency::parse(code).map_err(|e| unprocessable(e.0))?,
        };
        let event_name = match &self.event_name {
            None => "Purchase".to_owned(),
            Some(name) => bounded(name, "eventName", MAX_EVENT_NAME, true)?,
        };
        let invoice_id = self
            .invoice_id
            .map(|id| bounded(&id, "invoiceId", MAX_INVOICE_ID, false))
            .transpose()?
            .filter(|id| !id.is_empty());
        let lead_event_name = self
            .lead_event_name
            .map(|name| bounded(&name, "leadEventName", MAX_EVENT_NAME, false))
            .transpose()?
            .filter(|name| !name.is_empty());
        Ok(SaleInput {
            customer: customer_fields(
                &self.customer_external_id,
                self.customer_name,
                self.customer_email,
                self.customer_avatar,
            )?,
            amount,
            currency,
            event_name,
            payment_processor: self.payment_processor.unwrap_or(PaymentProcessor::Custom),
            invoice_id,
            lead_event_name,
            metadata: metadata(self.metadata)?,
            click_id: click(self.click_id),
            code: None,
        })
    }
}

impl TrackRefundRequest {
    pub fn check(self) -> Result<RefundInput, DomainError> {
        let amount = self
            .amount
            .as_ref()
            .map(|amount| minor_units(amount, "amount"))
            .transpose()?;
        if amount == Some(0) {
            return Err(unprocessable("`amount` must be over 0."));
        }
        Ok(RefundInput {
            invoice_id: bounded(&self.invoice_id, "invoiceId", MAX_INVOICE_ID, true)?,
            amount,
            reason: self
                .reason
                .map(|r| bounded(&r, "reason", MAX_CUSTOMER_FIELD, false))
                .transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sale(body: serde_json::Value) -> Result<SaleInput, DomainError> {
        serde_json::from_value::<TrackSaleRequest>(body)
            .map_err(|e| unprocessable(e.to_string()))?
            .check()
    }

    #[test]
    fn amounts_must_be_whole_and_not_negative() {
        let ok = sale(serde_json::json!({"customerExternalId": "u1", "amount": 4900})).unwrap();
        assert_eq!((ok.amount, ok.currency.code()), (4900, "usd"));
        assert_eq!(ok.event_name, "Purchase");
        let most = sale(serde_json::json!({"customerExternalId": "u1", "amount": MAX_AMOUNT}));
        assert_eq!(most.unwrap().amount, MAX_AMOUNT);
        for bad in [
            serde_json::json!(-1),
            serde_json::json!(10.5),
            serde_json::json!(1e30),
            serde_json::json!(9_223_372_036_854_775_807_i64),
            serde_json::json!(MAX_AMOUNT + 1),
        ] {
            assert!(
                sale(serde_json::json!({"customerExternalId": "u1", "amount": bad})).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn unknown_currency_long_ids_and_big_metadata_are_refused() {
        let base = || serde_json::json!({"customerExternalId": "u1", "amount": 1});
        let with = |field: &str, value: serde_json::Value| {
            let mut body = base();
            body[field] = value;
            sale(body)
        };
        assert!(with("currency", serde_json::json!("xyz")).is_err());
        assert_eq!(
            with("currency", serde_json::json!("EUR"))
                .unwrap()
                .currency
                .code(),
            "eur"
        );
        assert!(
            with(
                "invoiceId",
                serde_json::json!("i".repeat(MAX_INVOICE_ID + 1))
            )
            .is_err()
        );
        assert!(with("invoiceId", serde_json::json!("i".repeat(MAX_INVOICE_ID))).is_ok());
        assert!(with("eventName", serde_json::json!("e".repeat(256))).is_err());
        assert!(
            with(
                "metadata",
                serde_json::json!({"k": "v".repeat(MAX_METADATA_CHARS)})
            )
            .is_err()
        );
        assert!(with("customerExternalId", serde_json::json!(" ")).is_err());
        let email = with("customerEmail", serde_json::json!("Sam@ＥＸＡＭＰＬＥ.com")).unwrap();
        assert_eq!(email.customer.email.as_deref(), Some("sam@example.com"));
        assert!(
            with(
                "customerEmail",
                serde_json::json!("s\u{200B}am@example.com")
            )
            .is_err()
        );
    }
}
