//! The partner-admin HTTP function: Dub's `GET /partners` and the partner management routes,
//! with a program API key (or the program's admin token).

pub mod openapi;

use http::{Method, StatusCode};
use shared::auth::Scope;
use shared::context::AppContext;
use shared::error::DomainError;
use shared::partner_listing::{self as listing, ListPartnersQuery, PartnerDirectory};
use shared::web::{ApiError, ApiRequest, ApiResponse, Route, RouteMatch, json, serve};
use shared::wire::partners::{PartnerIdSchema, PartnerSchema};
use shared::{enrollment, partner_status, programs};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    ListPartners,
    CreatePartner,
    Ban,
    Deactivate,
    Archive,
    Move,
    Tags,
}

pub const ROUTES: &[Route<Endpoint>] = &[
    Route::new(Method::GET, "/partners", Endpoint::ListPartners),
    Route::new(Method::POST, "/partners", Endpoint::CreatePartner),
    Route::new(Method::POST, "/partners/ban", Endpoint::Ban),
    Route::new(Method::POST, "/partners/deactivate", Endpoint::Deactivate),
    Route::new(Method::POST, "/partners/archive", Endpoint::Archive),
    Route::new(Method::POST, "/partners/move", Endpoint::Move),
    Route::new(Method::POST, "/partners/tags", Endpoint::Tags),
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
            let page = listing::list_partners(ctx, directory, &principal, &query).await?;
            let shown: Vec<_> = page
                .partners
                .iter()
                .map(|listed| PartnerSchema::of(listed, &page.form_fields))
                .collect();
            json(StatusCode::OK, &shown)
        }
        Endpoint::CreatePartner => {
            let created = enrollment::create_partner(ctx, &principal, request.json()?).await?;
            view(ctx, &principal, StatusCode::CREATED, created.partner).await?
        }
        // Dub answers ban and deactivate with the partner's id.
        Endpoint::Ban => {
            let partner = partner_status::ban_partner(ctx, &principal, request.json()?).await?;
            json(
                StatusCode::OK,
                &PartnerIdSchema {
                    partner_id: partner.id,
                },
            )
        }
        Endpoint::Deactivate => {
            let partner =
                partner_status::deactivate_partner(ctx, &principal, request.json()?).await?;
            json(
                StatusCode::OK,
                &PartnerIdSchema {
                    partner_id: partner.id,
                },
            )
        }
        Endpoint::Archive => {
            let partner = partner_status::archive_partner(ctx, &principal, request.json()?).await?;
            view(ctx, &principal, StatusCode::OK, partner).await?
        }
        Endpoint::Move => {
            let partner = partner_status::move_to_group(ctx, &principal, request.json()?).await?;
            view(ctx, &principal, StatusCode::OK, partner).await?
        }
        Endpoint::Tags => {
            let partner = partner_status::set_tags(ctx, &principal, request.json()?).await?;
            view(ctx, &principal, StatusCode::OK, partner).await?
        }
    };
    Ok(response)
}

/// A partner as `GET /partners` shows it.
async fn view(
    ctx: &AppContext,
    principal: &shared::auth::Principal,
    status: StatusCode,
    partner: shared::model::Partner,
) -> Result<ApiResponse, ApiError> {
    let program = programs::caller_program(ctx, principal, Scope::PartnersRead).await?;
    let page = listing::listed_partners(ctx, &program, vec![partner])
        .await
        .map_err(DomainError::from)?;
    let shown = page
        .partners
        .first()
        .map(|listed| PartnerSchema::of(listed, &page.form_fields));
    Ok(json(status, &shown))
}

#[cfg(test)]
mod sample_events;
