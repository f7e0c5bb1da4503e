//! The conversion-tracking HTTP function: Dub's `POST /track/lead` and `POST /track/sale`,
//! `POST /track/refund`, and StackBE's deal registration `POST /v1/affiliate/deals`. Every POST
//! honours an `Idempotency-Key` header.

use http::{Method, StatusCode};
use shared::clicks::ClickIdSigner;
use shared::context::AppContext;
use shared::conversions;
use shared::idempotency::{self, IdempotencyKey};
use shared::web::{ApiError, ApiRequest, ApiResponse, Route, RouteMatch, json, serve};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    TrackLead,
    TrackSale,
    TrackRefund,
    RegisterDeal,
}

pub const ROUTES: &[Route<Endpoint>] = &[
    Route::new(Method::POST, "/track/lead", Endpoint::TrackLead),
    Route::new(Method::POST, "/track/sale", Endpoint::TrackSale),
    Route::new(Method::POST, "/track/refund", Endpoint::TrackRefund),
    Route::new(Method::POST, "/v1/affiliate/deals", Endpoint::RegisterDeal),
];

/// Handles one request. Never fails: every error becomes a response in the error envelope.
pub async fn handle<B: AsRef<[u8]>>(
    ctx: &AppContext,
    signer: &ClickIdSigner,
    request: http::Request<B>,
) -> ApiResponse {
    serve(ROUTES, ApiRequest::from_http(request), |found, request| {
        endpoint(ctx, signer, found, request)
    })
    .await
}

async fn endpoint(
    ctx: &AppContext,
    signer: &ClickIdSigner,
    found: RouteMatch<Endpoint>,
    request: ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let principal = ctx.auth.authenticate(&request.headers).await?;
    let key = IdempotencyKey::from_header(
        request.header(idempotency::HEADER),
        found.pattern,
        &request.body,
    )?;
    let (status, body) = match found.endpoint {
        Endpoint::TrackLead => (
            StatusCode::OK,
            conversions::track_lead(ctx, signer, &principal, request.json()?, key).await?,
        ),
        Endpoint::TrackSale => (
            StatusCode::OK,
            conversions::track_sale(ctx, signer, &principal, request.json()?, key).await?,
        ),
        Endpoint::TrackRefund => (
            StatusCode::OK,
            conversions::track_refund(ctx, &principal, request.json()?, key).await?,
        ),
        // 201 for a new registration (and its replays), 200 for the partner's own repeat.
        Endpoint::RegisterDeal => {
            let registered =
                conversions::register_deal(ctx, &principal, request.json()?, key).await?;
            let status = if registered.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            (status, registered.body)
        }
    };
    Ok(json(status, &body))
}

#[cfg(test)]
mod sample_events;
