//! What a Stripe event means for the program, as a list of [`Step`]s: pure, no reads. The rules
//! (each is in `docs/stripe.md`):
//! - `checkout.session.completed` (and `checkout.session.async_payment_succeeded`): the click id
//!   from `client_reference_id` (`dub_id_{clickId}` or bare) or `metadata.dubClickId`; a lead
//!   for a new customer, and when `payment_status` is `paid`, a sale of `amount_total`
//!   (invoice id: the session's invoice, else its payment intent, else the session).
//! - `invoice.paid`: a sale of `amount_paid` under Stripe's invoice id, so each renewal is its
//!   own sale; zero-amount invoices record nothing.
//! - `charge.refunded`, `refund.created`, `refund.updated`: the charge's refunds, brought to
//!   Stripe's total (see `refunds`).
//! - `customer.created`, `customer.updated` with `metadata.dubCustomerExternalId`: link the
//!   Stripe customer to ours.
//! - `promotion_code.created`, `promotion_code.updated`: remember the code of a promotion code
//!   id, since checkout sessions and invoices name the promotion code by id only.

use super::objects::{
    Charge, CheckoutSession, Customer, DiscountRef, Event, Expandable, Invoice, Metadata,
    PromotionCode, Refund,
};

/// The metadata key that names our customer (Dub's name; `dubCustomerId` is its older one).
pub const CUSTOMER_EXTERNAL_ID_KEY: &str = "dubCustomerExternalId";
const OLD_CUSTOMER_KEY: &str = "dubCustomerId";
pub const CLICK_ID_KEY: &str = "dubClickId";
/// The prefix Dub's checkout integrations put before the click id in `client_reference_id`.
pub const CLIENT_REFERENCE_PREFIX: &str = "dub_id_";
pub const CHECKOUT_LEAD_EVENT: &str = "Checkout session completed";
pub const CHECKOUT_SALE_EVENT: &str = "Purchase";
pub const INVOICE_SALE_EVENT: &str = "Invoice paid";

/// Who the customer of an event is, as far as the event says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerRef {
    /// Our external id, when the event's metadata names it.
    pub external_id: Option<String>,
    pub stripe_id: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
}

/// A promotion code as an event names it: by id, and by code when expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromotionRef {
    pub id: String,
    pub code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadStep {
    pub customer: CustomerRef,
    pub click_id: Option<String>,
    pub promotion: Option<PromotionRef>,
    pub event_name: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleStep {
    pub customer: CustomerRef,
    pub click_id: Option<String>,
    pub promotion: Option<PromotionRef>,
    pub event_name: &'static str,
    pub amount: i64,
    /// Lower-case ISO code, as Stripe sends it.
    pub currency: String,
    /// The same total in another currency (Stripe's Adaptive Pricing): `(currency, amount)`.
    pub converted: Option<(String, i64)>,
    pub invoice_id: String,
    /// The payment intents and charges that paid the invoice: their refunds find the sale.
    pub payments: Vec<String>,
}

/// Refunds of one charge as an event reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundStep {
    /// The charge, else the payment intent: the key of the charge's refund state.
    pub payment: String,
    /// Where to look for the sale, in order: invoice ids, payment intents and charges.
    pub sale_refs: Vec<String>,
    pub currency: Option<String>,
    /// Stripe's total refunded on the charge, when the event carries it (`charge.refunded`).
    pub amount_refunded: Option<i64>,
    /// Individual refunds: `(refund id, amount)`.
    pub refunds: Vec<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    LinkCustomer {
        stripe_id: String,
        external_id: String,
    },
    RememberPromotionCode {
        id: String,
        code: String,
    },
    Lead(LeadStep),
    Sale(SaleStep),
    Refund(RefundStep),
}

/// Why an event maps to nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmapped {
    /// A type the integration does not handle.
    Unhandled,
    /// A handled type with nothing to record (the reason is logged and returned).
    Nothing(&'static str),
    /// The object does not have the type's shape.
    Malformed(String),
}

/// The steps of an event.
pub fn steps(event: &Event) -> Result<Vec<Step>, Unmapped> {
    let object = event.data.object.clone();
    match event.kind.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            checkout(parse(object)?)
        }
        "invoice.paid" => invoice(parse(object)?),
        "charge.refunded" => charge_refunded(parse(object)?),
        "refund.created" | "refund.updated" => refund(parse(object)?),
        "customer.created" | "customer.updated" => customer(parse(object)?),
        "promotion_code.created" | "promotion_code.updated" => {
            let code: PromotionCode = parse(object)?;
            Ok(vec![Step::RememberPromotionCode {
                id: code.id,
                code: code.code,
            }])
        }
        _ => Err(Unmapped::Unhandled),
    }
}

fn parse<T: serde::de::DeserializeOwned>(object: serde_json::Value) -> Result<T, Unmapped> {
    serde_json::from_value(object).map_err(|e| Unmapped::Malformed(e.to_string()))
}

fn text(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn external_id(metadata: &Metadata) -> Option<String> {
    text(
        metadata
            .get(CUSTOMER_EXTERNAL_ID_KEY)
            .or(metadata.get(OLD_CUSTOMER_KEY)),
    )
}

/// The click id of a checkout: `client_reference_id` (`dub_id_{id}` or the bare id), else the
/// session's `metadata.dubClickId`.
fn checkout_click(session: &CheckoutSession) -> Option<String> {
    let reference = text(session.client_reference_id.as_deref()).map(|r| {
        r.strip_prefix(CLIENT_REFERENCE_PREFIX)
            .map(str::to_owned)
            .unwrap_or(r)
    });
    text(reference.as_deref()).or_else(|| text(session.metadata.get(CLICK_ID_KEY)))
}

/// The first discount that carries a promotion code.
fn promotion(discounts: &[DiscountRef]) -> Option<PromotionRef> {
    discounts.iter().find_map(|discount| match discount {
        DiscountRef::Applied {
            promotion_code: Some(code),
        } => Some(PromotionRef {
            id: code.id().to_owned(),
            code: match code {
                Expandable::Object(object) => text(object.code.as_deref()),
                Expandable::Id(_) => None,
            },
        }),
        _ => None,
    })
}

fn checkout(session: CheckoutSession) -> Result<Vec<Step>, Unmapped> {
    let details = session.customer_details.clone().unwrap_or_default();
    let customer = CustomerRef {
        external_id: external_id(&session.metadata),
        stripe_id: session.customer.as_ref().map(|c| c.id().to_owned()),
        email: text(details.email.as_deref()).or(text(session.customer_email.as_deref())),
        name: text(details.name.as_deref()),
    };
    let click_id = checkout_click(&session);
    let promotion = promotion(session.discounts.as_deref().unwrap_or_default());
    let mut steps = vec![Step::Lead(LeadStep {
        customer: customer.clone(),
        click_id: click_id.clone(),
        promotion: promotion.clone(),
        event_name: CHECKOUT_LEAD_EVENT,
    })];
    let amount = session.amount_total.unwrap_or(0);
    if session.payment_status.as_deref() == Some("paid") && amount > 0 {
        let payment_intent = session.payment_intent.as_ref().map(|p| p.id().to_owned());
        let invoice_id = session
            .invoice
            .as_ref()
            .map(|i| i.id().to_owned())
            .or(payment_intent.clone())
            .unwrap_or_else(|| session.id.clone());
        steps.push(Step::Sale(SaleStep {
            customer,
            click_id,
            promotion,
            event_name: CHECKOUT_SALE_EVENT,
            amount,
            currency: session.currency.clone().unwrap_or_default(),
            converted: session
                .currency_conversion
                .as_ref()
                .map(|c| (c.source_currency.clone(), c.amount_total)),
            payments: payment_intent
                .into_iter()
                .filter(|pi| *pi != invoice_id)
                .collect(),
            invoice_id,
        }));
    }
    Ok(steps)
}

fn invoice(invoice: Invoice) -> Result<Vec<Step>, Unmapped> {
    if invoice.amount_paid <= 0 {
        return Err(Unmapped::Nothing("the invoice is for a zero amount"));
    }
    let subscription = invoice
        .parent
        .as_ref()
        .and_then(|p| p.subscription_details.as_ref())
        .or(invoice.subscription_details.as_ref());
    let customer = CustomerRef {
        external_id: external_id(&invoice.metadata)
            .or_else(|| subscription.and_then(|s| external_id(&s.metadata))),
        stripe_id: invoice.customer.as_ref().map(|c| c.id().to_owned()),
        email: text(invoice.customer_email.as_deref()),
        name: text(invoice.customer_name.as_deref()),
    };
    let mut payments: Vec<String> = [&invoice.payment_intent, &invoice.charge]
        .into_iter()
        .flatten()
        .map(|p| p.id().to_owned())
        .collect();
    for paid in invoice.payments.iter().flat_map(|list| &list.data) {
        if let Some(payment) = &paid.payment {
            payments.extend(
                [&payment.payment_intent, &payment.charge]
                    .into_iter()
                    .flatten()
                    .map(|p| p.id().to_owned()),
            );
        }
    }
    let discounts: Vec<DiscountRef> = invoice
        .discounts
        .clone()
        .unwrap_or_default()
        .into_iter()
        .chain(invoice.discount.clone())
        .collect();
    Ok(vec![Step::Sale(SaleStep {
        customer,
        click_id: None,
        promotion: promotion(&discounts),
        event_name: INVOICE_SALE_EVENT,
        amount: invoice.amount_paid,
        currency: invoice.currency.clone().unwrap_or_default(),
        converted: None,
        invoice_id: invoice.id,
        payments,
    })])
}

fn charge_refunded(charge: Charge) -> Result<Vec<Step>, Unmapped> {
    let payment_intent = charge.payment_intent.as_ref().map(|p| p.id().to_owned());
    let sale_refs = charge
        .invoice
        .as_ref()
        .map(|i| i.id().to_owned())
        .into_iter()
        .chain([charge.id.clone()])
        .chain(payment_intent)
        .collect();
    let refunds = charge
        .refunds
        .iter()
        .flat_map(|list| &list.data)
        .filter(|r| refund_counts(r))
        .map(|r| (r.id.clone(), r.amount))
        .collect();
    Ok(vec![Step::Refund(RefundStep {
        payment: charge.id,
        sale_refs,
        currency: charge.currency,
        amount_refunded: Some(charge.amount_refunded),
        refunds,
    })])
}

/// A refund that failed or was canceled gives nothing back.
fn refund_counts(refund: &Refund) -> bool {
    !matches!(refund.status.as_deref(), Some("failed" | "canceled"))
}

fn refund(refund: Refund) -> Result<Vec<Step>, Unmapped> {
    if !refund_counts(&refund) {
        return Err(Unmapped::Nothing("the refund failed or was canceled"));
    }
    let charge = refund.charge.as_ref().map(|c| c.id().to_owned());
    let payment_intent = refund.payment_intent.as_ref().map(|p| p.id().to_owned());
    let Some(payment) = charge.clone().or(payment_intent.clone()) else {
        return Err(Unmapped::Nothing("the refund names no charge or payment"));
    };
    Ok(vec![Step::Refund(RefundStep {
        payment,
        sale_refs: charge.into_iter().chain(payment_intent).collect(),
        currency: refund.currency.clone(),
        amount_refunded: None,
        refunds: vec![(refund.id, refund.amount)],
    })])
}

fn customer(customer: Customer) -> Result<Vec<Step>, Unmapped> {
    match external_id(&customer.metadata) {
        Some(external_id) => Ok(vec![Step::LinkCustomer {
            stripe_id: customer.id,
            external_id,
        }]),
        None => Err(Unmapped::Nothing(
            "the customer has no `metadata.dubCustomerExternalId`",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(kind: &str, object: serde_json::Value) -> Event {
        serde_json::from_value(json!({"id": "evt_1", "type": kind, "data": {"object": object}}))
            .unwrap()
    }

    fn checkout(fields: serde_json::Value) -> Vec<Step> {
        let mut session = json!({"id": "cs_1", "customer": "cus_1", "amount_total": 900,
            "currency": "usd", "payment_status": "paid", "payment_intent": "pi_1"});
        for (k, v) in fields.as_object().unwrap() {
            session[k] = v.clone();
        }
        steps(&event("checkout.session.completed", session)).unwrap()
    }

    fn sale(steps: &[Step]) -> &SaleStep {
        steps
            .iter()
            .find_map(|s| match s {
                Step::Sale(sale) => Some(sale),
                _ => None,
            })
            .expect("a sale step")
    }

    #[test]
    fn the_click_id_comes_from_the_client_reference_in_either_form_or_the_metadata() {
        for (fields, click) in [
            (json!({"client_reference_id": "dub_id_abc"}), Some("abc")),
            (json!({"client_reference_id": "abc"}), Some("abc")),
            (
                json!({"client_reference_id": " ", "metadata": {"dubClickId": "xyz"}}),
                Some("xyz"),
            ),
            (json!({"metadata": {"dubClickId": "xyz"}}), Some("xyz")),
            (json!({"client_reference_id": null}), None),
        ] {
            assert_eq!(
                sale(&checkout(fields.clone())).click_id.as_deref(),
                click,
                "{fields}"
            );
        }
    }

    #[test]
    fn a_checkout_sale_goes_under_the_invoice_else_the_payment_intent_and_only_when_paid() {
        let with_invoice = checkout(json!({"invoice": "in_1"}));
        assert_eq!(sale(&with_invoice).invoice_id, "in_1");
        assert_eq!(sale(&with_invoice).payments, ["pi_1"]);
        let one_off = checkout(json!({}));
        assert_eq!(sale(&one_off).invoice_id, "pi_1");
        assert!(sale(&one_off).payments.is_empty());
        let unpaid = checkout(json!({"payment_status": "unpaid"}));
        assert!(matches!(unpaid.as_slice(), [Step::Lead(_)]));
        let free = checkout(json!({"amount_total": 0}));
        assert!(matches!(free.as_slice(), [Step::Lead(_)]));
    }

    #[test]
    fn promotion_codes_are_read_by_id_or_expanded() {
        let by_id = checkout(json!({"discounts": [{"coupon": "c", "promotion_code": "promo_1"}]}));
        assert_eq!(
            sale(&by_id).promotion,
            Some(PromotionRef {
                id: "promo_1".into(),
                code: None
            })
        );
        let expanded =
            checkout(json!({"discounts": [{"promotion_code": {"id": "promo_2", "code": "JANE"}}]}));
        assert_eq!(
            sale(&expanded).promotion.as_ref().unwrap().code.as_deref(),
            Some("JANE")
        );
        let coupon_only = checkout(json!({"discounts": [{"coupon": "c", "promotion_code": null}]}));
        assert_eq!(sale(&coupon_only).promotion, None);
    }

    #[test]
    fn invoices_name_their_customer_and_payments_in_old_and_new_api_versions() {
        let old = json!({"id": "in_1", "customer": "cus_1", "amount_paid": 500, "currency": "usd",
            "payment_intent": "pi_1", "charge": "ch_1",
            "subscription_details": {"metadata": {"dubCustomerExternalId": "u1"}}});
        let new = json!({"id": "in_1", "customer": {"id": "cus_1", "object": "customer"},
            "amount_paid": 500, "currency": "usd",
            "parent": {"subscription_details": {"metadata": {"dubCustomerExternalId": "u1"}}},
            "payments": {"data": [{"payment": {"payment_intent": "pi_1", "charge": "ch_1"}}]}});
        for invoice in [old, new] {
            let steps = steps(&event("invoice.paid", invoice)).unwrap();
            let sale = sale(&steps);
            assert_eq!(sale.customer.external_id.as_deref(), Some("u1"));
            assert_eq!(sale.customer.stripe_id.as_deref(), Some("cus_1"));
            assert_eq!(sale.payments, ["pi_1", "ch_1"]);
        }
        let zero = json!({"id": "in_0", "amount_paid": 0});
        assert!(matches!(
            steps(&event("invoice.paid", zero)),
            Err(Unmapped::Nothing(_))
        ));
    }

    #[test]
    fn unhandled_types_and_wrong_shapes_are_told_apart() {
        assert_eq!(
            steps(&event("plan.created", json!({}))),
            Err(Unmapped::Unhandled)
        );
        assert!(matches!(
            steps(&event("invoice.paid", json!({"amount_paid": 1}))),
            Err(Unmapped::Malformed(_))
        ));
        let failed = json!({"id": "re_1", "amount": 5, "charge": "ch_1", "status": "failed"});
        assert!(matches!(
            steps(&event("refund.created", failed)),
            Err(Unmapped::Nothing(_))
        ));
    }
}
