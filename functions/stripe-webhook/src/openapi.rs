//! This function's part of the API's OpenAPI document.

use crate::{Endpoint, ROUTES};
use http::StatusCode;
use shared::web::openapi::{Access, DocumentedRoute, Operation, document_routes};
use shared::wire::stripe::StripeWebhookResponse;

pub fn routes() -> Vec<DocumentedRoute> {
    document_routes("stripe-webhook", ROUTES, describe)
}

fn describe(endpoint: Endpoint) -> Operation {
    match endpoint {
        Endpoint::OfProgram => Operation::new(
            "Receive an event of the program's Stripe account (signed with `Stripe-Signature`)",
            Access::Public,
        )
        .returns::<StripeWebhookResponse>(StatusCode::OK),
        Endpoint::BySecret => Operation::new(
            "Receive a Stripe event; the program is the one whose secret signed it",
            Access::Public,
        )
        .returns::<StripeWebhookResponse>(StatusCode::OK),
    }
}
