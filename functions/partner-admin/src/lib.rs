//! The partner-admin HTTP function: Dub's `GET /partners` and the partner management routes,
//! with a program API key (or the program's admin token).

use http::{Method, StatusCode};
use shared::auth::Scope;
use shared::context::AppContext;
use shared::error::DomainError;
use shared::partners;
use shared::partners::listing::{self, ListPartnersQuery, PartnerDirectory};
use shared::web::{ApiError, ApiRequest, ApiResponse, Route, RouteMatch, json, serve};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    ListPartners,
    CreatePartner,
}

pub const ROUTES: &[Route<Endpoint>] = &[
    Route::new(Method::GET, "/partners", Endpoint::ListPartners),
    Route::new(Method::POST, "/partners", Endpoint::CreatePartner),
];

/// Handles one request. Never fails: every error becomes a response in the error envelope.
pub async fn handle<B: AsRef<[u8]>>(
    ctx: &AppContext,
    directory: &PartnerDirectory,
    request: http::Request<B>,
) -> ApiResponse {
    serve(ROUTES, ApiRequest::from_http(request), |found, request| {
        endpoint(ctx, directory, found, request)
    })
    .await
}

async fn endpoint(
    ctx: &AppContext,
    directory: &PartnerDirectory,
    found: RouteMatch<Endpoint>,
    request: ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let principal = ctx.auth.authenticate(&request.headers).await?;
    let response = match found.endpoint {
        Endpoint::ListPartners => {
            let query = ListPartnersQuery::parse(&request.query)?;
            json(
                StatusCode::OK,
                &listing::list_partners(ctx, directory, &principal, &query).await?,
            )
        }
        Endpoint::CreatePartner => {
            let created = partners::create_partner(ctx, &principal, request.json()?).await?;
            let program = listing::caller_program(ctx, &principal, Scope::PartnersRead).await?;
            let mut views = listing::partner_views(ctx, &program, vec![created.partner])
                .await
                .map_err(DomainError::from)?;
            json(StatusCode::CREATED, &views.pop())
        }
    };
    Ok(response)
}

#[cfg(test)]
mod sample_events;
