//! Stripe events for tests, built from Stripe's own published fixtures (`tests/stripe/
//! fixtures.json`, whose `source` names where they come from) with the fields each test sets,
//! signed as Stripe signs them, and sent to the stripe-webhook function.

use crate::app::{Reply, reply};
use crate::tracking_world::signer;
use serde_json::{Value, json};
use shared::context::AppContext;
use shared::stripe::{StripeEndpoint, StripeSecret};
use shared::types::ProgramId;
use std::sync::OnceLock;

pub const SECRET: &str = "whsec_the_tests_endpoint_secret";

fn fixtures() -> &'static Value {
    static FIXTURES: OnceLock<Value> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/stripe/fixtures.json");
        serde_json::from_str(&std::fs::read_to_string(path).expect("the Stripe fixtures"))
            .expect("JSON")
    })
}

/// Stripe's fixture of `object` (`checkout.session`, `invoice`, `charge`, `refund`,
/// `customer`, `promotion_code`) with `fields` set over it.
pub fn object(object: &str, fields: Value) -> Value {
    let mut fixture = fixtures()["resources"][object].clone();
    assert!(fixture.is_object(), "no fixture of {object}");
    for (name, value) in fields.as_object().expect("fields are an object") {
        fixture[name] = value.clone();
    }
    fixture
}

/// An event of `kind` carrying `object`, from Stripe's event fixture.
pub fn event(id: &str, kind: &str, object: Value) -> Value {
    let mut event = fixtures()["resources"]["event"].clone();
    event["id"] = json!(id);
    event["type"] = json!(kind);
    event["api_version"] = json!("2025-03-31.basil");
    event["data"] = json!({ "object": object });
    event
}

/// A paid checkout session: `amount` in `currency`, by Stripe customer `customer`.
pub fn paid_checkout(customer: &str, amount: i64, currency: &str, fields: Value) -> Value {
    let mut session = object(
        "checkout.session",
        json!({"customer": customer, "amount_total": amount, "currency": currency,
               "payment_status": "paid", "status": "complete"}),
    );
    for (name, value) in fields.as_object().expect("fields are an object") {
        session[name] = value.clone();
    }
    session
}

/// A paid invoice of `amount` cents (USD) for Stripe customer `customer`.
pub fn paid_invoice(id: &str, customer: &str, amount: i64, fields: Value) -> Value {
    let mut invoice = object(
        "invoice",
        json!({"id": id, "customer": customer, "amount_paid": amount, "currency": "usd",
               "status": "paid"}),
    );
    for (name, value) in fields.as_object().expect("fields are an object") {
        invoice[name] = value.clone();
    }
    invoice
}

pub fn endpoints(program: &ProgramId) -> Vec<StripeEndpoint> {
    vec![StripeEndpoint {
        program: program.clone(),
        secrets: vec![StripeSecret::new(SECRET)],
    }]
}

/// `Stripe-Signature` for `body` under `secret`, signed `age_seconds` ago.
pub fn signature(secret: &str, body: &[u8], now: i64) -> String {
    format!("t={now},v1={}", StripeSecret::new(secret).sign(now, body))
}

/// Sends raw bytes with a signature header (or none) to `path`.
pub async fn post_raw(
    ctx: &AppContext,
    endpoints: &[StripeEndpoint],
    path: &str,
    body: Vec<u8>,
    header: Option<String>,
) -> Reply {
    let mut builder = http::Request::builder()
        .method(http::Method::POST)
        .uri(path)
        .header("content-type", "application/json; charset=utf-8");
    if let Some(header) = header {
        builder = builder.header("stripe-signature", header);
    }
    let request = builder.body(body).expect("a valid request");
    reply(stripe_webhook::handle(ctx, &signer(), endpoints, request).await)
}

/// Signs `event` now with the tests' secret and sends it to the program's endpoint.
pub async fn post(ctx: &AppContext, program: &ProgramId, event: &Value) -> Reply {
    let body = serde_json::to_vec(event).expect("JSON");
    let header = signature(SECRET, &body, ctx.clock.now().unix_timestamp());
    let path = format!("/stripe/webhook/{program}");
    post_raw(ctx, &endpoints(program), &path, body, Some(header)).await
}

/// The outcome of each step of a handled event's reply: `["lead:recorded", ...]`.
pub fn outcomes(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, http::StatusCode::OK, "{}", reply.body);
    reply.body["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| {
            format!(
                "{}:{}",
                s["step"].as_str().unwrap(),
                s["outcome"].as_str().unwrap()
            )
        })
        .collect()
}
