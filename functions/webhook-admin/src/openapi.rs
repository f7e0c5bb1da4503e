//! This function's part of the API's OpenAPI document: one description per endpoint.

use crate::{Endpoint, ROUTES};
use http::StatusCode;
use shared::web::openapi::{Access, DocumentedRoute, Operation, document_routes};
use shared::webhooks::endpoints::{CreateEndpoint, UpdateEndpoint};
use shared::wire::webhooks::{DeliveryAcceptedSchema, DeliveryPageSchema, WebhookSchema};

pub fn routes() -> Vec<DocumentedRoute> {
    document_routes("webhook-admin", ROUTES, describe)
}

fn describe(endpoint: Endpoint) -> Operation {
    let operation = |summary| Operation::new(summary, Access::ProgramKey);
    match endpoint {
        Endpoint::Create => operation("Create a webhook endpoint")
            .body::<CreateEndpoint>()
            .returns::<WebhookSchema>(StatusCode::CREATED),
        Endpoint::List => operation("List webhook endpoints").returns_list::<WebhookSchema>(),
        Endpoint::Get => {
            operation("Retrieve a webhook endpoint").returns::<WebhookSchema>(StatusCode::OK)
        }
        Endpoint::Update => operation("Update a webhook endpoint")
            .body::<UpdateEndpoint>()
            .returns::<WebhookSchema>(StatusCode::OK),
        Endpoint::Delete => operation("Delete a webhook endpoint").returns_nothing(),
        Endpoint::RotateSecret => operation("Rotate an endpoint's signing secret")
            .returns::<WebhookSchema>(StatusCode::OK),
        Endpoint::SendTest => {
            operation("Send a test event").returns::<DeliveryAcceptedSchema>(StatusCode::ACCEPTED)
        }
        Endpoint::ListDeliveries => operation("An endpoint's deliveries, newest first")
            .query::<u32>("limit", "Items per page, 1 to 100.")
            .query::<String>("cursor", "The `nextCursor` of the page before.")
            .returns::<DeliveryPageSchema>(StatusCode::OK),
        Endpoint::Resend => operation("Send a delivery's event again")
            .returns::<DeliveryAcceptedSchema>(StatusCode::ACCEPTED),
    }
}
