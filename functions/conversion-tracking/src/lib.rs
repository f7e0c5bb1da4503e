//! The conversion-tracking HTTP function: Dub's `POST /track/lead` and `POST /track/sale`,
//! `POST /track/refund`, and StackBE's deal registration `POST /v1/affiliate/deals` (by a program
//! key or admin token, or by a partner with their session token). Every POST honours an
//! `Idempotency-Key` header.

pub mod openapi;

use http::{Method, StatusCode};
use shared::clicks::ClickIdSigner;
use shared::context::AppContext;
use shared::conversions::{self, DealRegistrant};
use shared::idempotency::{self, IdempotencyKey};
use shared::portal;
use shared::web::{ApiError, ApiRequest, ApiResponse, Route, RouteMatch, json, serve};

/// The tracking routes share their authentication (a program key or admin token); deal
/// registration also takes a partner's session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Track(Tracking),
    RegisterDeal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracking {
    Lead,
    Sale,
    Refund,
}

pub const ROUTES: &[Route<Endpoint>] = &[
    Route::new(Method::POST, "/track/lead", Endpoint::Track(Tracking::Lead)),
    Route::new(Method::POST, "/track/sale", Endpoint::Track(Tracking::Sale)),
    Route::new(
        Method::POST,
        "/track/refund",
        Endpoint::Track(Tracking::Refund),
    ),
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
    match found.endpoint {
        Endpoint::Track(tracking) => track(ctx, signer, tracking, found.pattern, request).await,
        Endpoint::RegisterDeal => register_deal(ctx, found.pattern, request).await,
    }
}

async fn track(
    ctx: &AppContext,
    signer: &ClickIdSigner,
    tracking: Tracking,
    route: &str,
    request: ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let principal = ctx.auth.authenticate(&request.headers).await?;
    let key = idempotency_key(route, &request)?;
    let response = match tracking {
        Tracking::Lead => json(
            StatusCode::OK,
            &conversions::track_lead(ctx, signer, &principal, request.json()?, key).await?,
        ),
        Tracking::Sale => json(
            StatusCode::OK,
            &conversions::track_sale(ctx, signer, &principal, request.json()?, key).await?,
        ),
        Tracking::Refund => json(
            StatusCode::OK,
            &conversions::track_refund(ctx, &principal, request.json()?, key).await?,
        ),
    };
    Ok(response)
}

fn idempotency_key(route: &str, request: &ApiRequest) -> Result<Option<IdempotencyKey>, ApiError> {
    Ok(IdempotencyKey::from_header(
        request.header(idempotency::HEADER),
        route,
        &request.body,
    )?)
}

/// Deal registration: a partner session token (`Bearer pst_...`) registers for its own partner;
/// any other credential is the business's, for the partner the body names.
async fn register_deal(
    ctx: &AppContext,
    route: &str,
    request: ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let registrant = if portal::carries_partner_session(&request.headers) {
        let session = portal::authenticate_partner(ctx, &request.headers).await?;
        DealRegistrant::Partner(Box::new(session.partner))
    } else {
        DealRegistrant::Program(ctx.auth.authenticate(&request.headers).await?)
    };
    let key = idempotency_key(route, &request)?;
    let registered = conversions::register_deal(ctx, &registrant, request.json()?, key).await?;
    // 201 for a new registration (and its replays), 200 for the partner's own repeat.
    let status = if registered.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(json(status, &registered.deal))
}

#[cfg(test)]
mod sample_events;
