//! The webhook-admin HTTP function: Dub-like `/webhooks` routes scoped to the caller's program
//! (an API key's program, or the `programId` claim of an admin token).

use http::{Method, StatusCode};
use shared::context::AppContext;
use shared::web::{ApiError, ApiRequest, ApiResponse, Route, RouteMatch, json, no_content, serve};
use shared::webhooks::WebhookServices;
use shared::webhooks::endpoints as use_case;
use shared::wire::webhooks::{DeliveryAcceptedSchema, DeliveryPageSchema, WebhookSchema};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Create,
    List,
    Get,
    Update,
    Delete,
    RotateSecret,
    SendTest,
    ListDeliveries,
    Resend,
}

const WEBHOOK: &str = "/webhooks/{webhookId}";

pub const ROUTES: &[Route<Endpoint>] = &[
    Route::new(Method::POST, "/webhooks", Endpoint::Create),
    Route::new(Method::GET, "/webhooks", Endpoint::List),
    Route::new(Method::GET, WEBHOOK, Endpoint::Get),
    Route::new(Method::PATCH, WEBHOOK, Endpoint::Update),
    Route::new(Method::DELETE, WEBHOOK, Endpoint::Delete),
    Route::new(
        Method::POST,
        "/webhooks/{webhookId}/rotate-secret",
        Endpoint::RotateSecret,
    ),
    Route::new(
        Method::POST,
        "/webhooks/{webhookId}/test",
        Endpoint::SendTest,
    ),
    Route::new(
        Method::GET,
        "/webhooks/{webhookId}/deliveries",
        Endpoint::ListDeliveries,
    ),
    Route::new(
        Method::POST,
        "/webhooks/{webhookId}/deliveries/{deliveryId}/resend",
        Endpoint::Resend,
    ),
];

const DEFAULT_PAGE: u32 = 20;

/// Handles one request. Never fails: every error becomes a response in the error envelope.
pub async fn handle<B: AsRef<[u8]>>(
    ctx: &AppContext,
    services: &WebhookServices,
    request: http::Request<B>,
) -> ApiResponse {
    serve(ROUTES, ApiRequest::from_http(request), |found, request| {
        endpoint(ctx, services, found, request)
    })
    .await
}

async fn endpoint(
    ctx: &AppContext,
    services: &WebhookServices,
    found: RouteMatch<Endpoint>,
    request: ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let principal = ctx.auth.authenticate(&request.headers).await?;
    let id = found.params.get("webhookId");
    let response = match found.endpoint {
        Endpoint::Create => {
            let created = use_case::create_endpoint(services, &principal, request.json()?).await?;
            json(StatusCode::CREATED, &WebhookSchema::of(&created))
        }
        Endpoint::List => {
            let endpoints = use_case::list_endpoints(services, &principal).await?;
            let items: Vec<WebhookSchema> = endpoints.iter().map(WebhookSchema::of).collect();
            json(StatusCode::OK, &items)
        }
        Endpoint::Get => {
            let endpoint = use_case::get_endpoint(services, &principal, id).await?;
            json(StatusCode::OK, &WebhookSchema::of(&endpoint))
        }
        Endpoint::Update => {
            let updated =
                use_case::update_endpoint(services, &principal, id, request.json()?).await?;
            json(StatusCode::OK, &WebhookSchema::of(&updated))
        }
        Endpoint::Delete => {
            use_case::delete_endpoint(services, &principal, id).await?;
            no_content()
        }
        Endpoint::RotateSecret => {
            let rotated = use_case::rotate_secret(services, &principal, id).await?;
            json(StatusCode::OK, &WebhookSchema::of(&rotated))
        }
        Endpoint::SendTest => {
            let delivery = use_case::send_test(services, &principal, id).await?;
            accepted(&delivery)
        }
        Endpoint::ListDeliveries => {
            let limit = request.page_limit(DEFAULT_PAGE)?;
            let cursor = request.query("cursor").map(str::to_owned);
            let (deliveries, next) =
                use_case::list_deliveries(services, &principal, id, cursor, limit).await?;
            json(StatusCode::OK, &DeliveryPageSchema::of(&deliveries, next))
        }
        Endpoint::Resend => {
            let delivery =
                use_case::resend_delivery(services, &principal, id, found.params.get("deliveryId"))
                    .await?;
            accepted(&delivery)
        }
    };
    Ok(response)
}

/// 202 with the delivery that will carry the event.
fn accepted(delivery: &shared::types::WebhookDeliveryId) -> ApiResponse {
    let body = DeliveryAcceptedSchema {
        delivery_id: delivery.to_string(),
    };
    json(StatusCode::ACCEPTED, &body)
}

#[cfg(test)]
mod sample_events;
