//! The analytics HTTP function: Dub's `GET /analytics`, `GET /partners/analytics` and
//! `GET /events` (the SDKs' `analytics.retrieve`, `partners.analytics` and `events.list`),
//! with a program API key holding `analytics.read` (or the program's admin token).

pub mod openapi;

use http::{Method, StatusCode};
use shared::analytics::events::{EventsQuery, list_events};
use shared::analytics::query::AnalyticsQuery;
use shared::analytics::retrieve::retrieve_analytics;
use shared::context::AppContext;
use shared::error::DomainError;
use shared::web::{ApiError, ApiRequest, ApiResponse, Route, RouteMatch, json, serve};
use shared::wire::analytics::{AnalyticsResponse, PartnerAnalyticsResponse};
use shared::wire::events::EventSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Retrieve,
    Partner,
    Events,
}

pub const ROUTES: &[Route<Endpoint>] = &[
    Route::new(Method::GET, "/analytics", Endpoint::Retrieve),
    Route::new(Method::GET, "/partners/analytics", Endpoint::Partner),
    Route::new(Method::GET, "/events", Endpoint::Events),
];

/// Handles one request. Never fails: every error becomes a response in the error envelope.
pub async fn handle<B: AsRef<[u8]>>(ctx: &AppContext, request: http::Request<B>) -> ApiResponse {
    serve(ROUTES, ApiRequest::from_http(request), |found, request| {
        endpoint(ctx, found, request)
    })
    .await
}

async fn endpoint(
    ctx: &AppContext,
    found: RouteMatch<Endpoint>,
    request: ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let principal = ctx.auth.authenticate(&request.headers).await?;
    match found.endpoint {
        Endpoint::Retrieve => {
            let query = AnalyticsQuery::parse(&request.query)?;
            let answer = retrieve_analytics(ctx, &principal, &query).await?;
            Ok(json(StatusCode::OK, &AnalyticsResponse::of(&answer)))
        }
        Endpoint::Partner => {
            let query = AnalyticsQuery::parse_partner(&request.query)?;
            let answer = retrieve_analytics(ctx, &principal, &query).await?;
            let response = PartnerAnalyticsResponse::of(&answer)
                .ok_or_else(|| DomainError::Unprocessable("Unknown grouping.".into()))?;
            Ok(json(StatusCode::OK, &response))
        }
        Endpoint::Events => {
            let query = EventsQuery::parse(&request.query)?;
            let events = list_events(ctx, &principal, &query).await?;
            let shown: Vec<EventSchema> = events.iter().map(EventSchema::of).collect();
            Ok(json(StatusCode::OK, &shown))
        }
    }
}

#[cfg(test)]
mod sample_events;
