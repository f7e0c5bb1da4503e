//! The webhook-admin HTTP function: Dub-like `/webhooks` routes scoped to the caller's program
//! (an API key's program, or the `programId` claim of an admin token).

use http::{Method, StatusCode};
use shared::context::AppContext;
use shared::web::{ApiError, ApiRequest, ApiResponse, Route, RouteMatch, json, no_content, serve};
use shared::webhooks::WebhookServices;
use shared::webhooks::endpoints as use_case;

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
        Endpoint::Create => json(
            StatusCode::CREATED,
            &use_case::create_endpoint(services, &principal, request.json()?).await?,
        ),
        Endpoint::List => json(
            StatusCode::OK,
            &use_case::list_endpoints(services, &principal).await?,
        ),
        Endpoint::Get => json(
            StatusCode::OK,
            &use_case::get_endpoint(services, &principal, id).await?,
        ),
        Endpoint::Update => json(
            StatusCode::OK,
            &use_case::update_endpoint(services, &principal, id, request.json()?).await?,
        ),
        Endpoint::Delete => {
            use_case::delete_endpoint(services, &principal, id).await?;
            no_content()
        }
        Endpoint::RotateSecret => json(
            StatusCode::OK,
            &use_case::rotate_secret(services, &principal, id).await?,
        ),
        Endpoint::SendTest => {
            let delivery = use_case::send_test(services, &principal, id).await?;
            json(
                StatusCode::ACCEPTED,
                &serde_json::json!({ "deliveryId": delivery }),
            )
        }
        Endpoint::ListDeliveries => {
            let limit = request.page_limit(DEFAULT_PAGE)?;
            let cursor = request.query("cursor").map(str::to_owned);
            let (deliveries, next) =
                use_case::list_deliveries(services, &principal, id, cursor, limit).await?;
            json(
                StatusCode::OK,
                &serde_json::json!({ "data": deliveries.iter().map(view).collect::<Vec<_>>(), "nextCursor": next }),
            )
        }
        Endpoint::Resend => {
            let delivery =
                use_case::resend_delivery(services, &principal, id, found.params.get("deliveryId"))
                    .await?;
            json(
                StatusCode::ACCEPTED,
                &serde_json::json!({ "deliveryId": delivery }),
            )
        }
    };
    Ok(response)
}

/// A delivery without its body: the state and the recent attempts.
fn view(delivery: &shared::webhooks::WebhookDelivery) -> serde_json::Value {
    serde_json::json!({
        "id": delivery.id,
        "eventId": delivery.event_id,
        "event": delivery.event,
        "state": delivery.state,
        "attempts": delivery.log,
        "nextAttemptAt": delivery.next_attempt_at.map(|at| at.unix_timestamp()),
        "createdAt": delivery.created_at.unix_timestamp(),
    })
}

#[cfg(test)]
mod sample_events;
