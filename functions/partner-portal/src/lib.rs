//! The partner-portal HTTP function: StackBE's partner tools. The business's backend issues a
//! partner session (`POST /partners/sessions`, program API key with `partners.write` or the admin
//! token); with that session a partner reads only their own record, dashboard, analytics,
//! payouts and portal link.

pub mod openapi;
pub mod pages;

use http::{Method, StatusCode};
use shared::analytics::query::AnalyticsQuery;
use shared::analytics::retrieve::session_analytics;
use shared::context::AppContext;
use shared::error::DomainError;
use shared::portal::payout_settings::PayoutSettingsSchema;
use shared::portal::{self, PortalLinkSigner, embed};
use shared::web::{ApiError, ApiRequest, ApiResponse, Route, RouteMatch, json, no_content, serve};
use shared::wire::affiliate::AffiliateSchema;
use shared::wire::analytics::PartnerAnalyticsResponse;
use shared::wire::embed::{
    EmbedSchema, EmbedSessionSchema, EmbedTokenSchema, ReferralCommissionsPage,
};
use shared::wire::payouts::PayoutSchema;
use shared::wire::portal::{DashboardSchema, PartnerSessionSchema, PortalLinkSchema};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    IssueSession,
    RevokeSession,
    Affiliate,
    Dashboard,
    PortalLink,
    Payouts,
    PayoutSettings,
    Analytics,
    EmbedToken,
    EmbedSession,
    EmbedPage,
    EmbedScript,
    EmbedStyle,
    EmbedData,
    Commissions,
}

pub const ROUTES: &[Route<Endpoint>] = &[
    Route::new(Method::POST, "/partners/sessions", Endpoint::IssueSession),
    Route::new(
        Method::POST,
        "/partners/sessions/revoke",
        Endpoint::RevokeSession,
    ),
    Route::new(Method::GET, "/v1/affiliate", Endpoint::Affiliate),
    Route::new(Method::GET, "/v1/affiliate/dashboard", Endpoint::Dashboard),
    Route::new(
        Method::GET,
        "/v1/affiliate/portal-link",
        Endpoint::PortalLink,
    ),
    Route::new(Method::GET, "/v1/affiliate/payouts", Endpoint::Payouts),
    Route::new(Method::GET, "/v1/affiliate/analytics", Endpoint::Analytics),
    Route::new(
        Method::PATCH,
        "/v1/affiliate/payout-settings",
        Endpoint::PayoutSettings,
    ),
    Route::new(Method::GET, "/v1/affiliate/embed", Endpoint::EmbedData),
    Route::new(
        Method::GET,
        "/v1/affiliate/commissions",
        Endpoint::Commissions,
    ),
    Route::new(
        Method::POST,
        "/tokens/embed/referrals",
        Endpoint::EmbedToken,
    ),
    Route::new(
        Method::POST,
        "/embed/referrals/session",
        Endpoint::EmbedSession,
    ),
    Route::new(Method::GET, "/embed/referrals", Endpoint::EmbedPage),
    Route::new(Method::GET, "/embed/assets/embed.js", Endpoint::EmbedScript),
    Route::new(Method::GET, "/embed/assets/embed.css", Endpoint::EmbedStyle),
];

/// Handles one request. Never fails: every error becomes a response in the error envelope.
pub async fn handle<B: AsRef<[u8]>>(
    ctx: &AppContext,
    links: &PortalLinkSigner,
    request: http::Request<B>,
) -> ApiResponse {
    serve(ROUTES, ApiRequest::from_http(request), |found, request| {
        endpoint(ctx, links, found, request)
    })
    .await
}

async fn endpoint(
    ctx: &AppContext,
    links: &PortalLinkSigner,
    found: RouteMatch<Endpoint>,
    request: ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let response = match found.endpoint {
        Endpoint::IssueSession => {
            let principal = ctx.auth.authenticate(&request.headers).await?;
            let issued = portal::issue_session(ctx, &principal, request.json()?).await?;
            json(StatusCode::CREATED, &PartnerSessionSchema::of(&issued))
        }
        Endpoint::RevokeSession => {
            let principal = ctx.auth.authenticate(&request.headers).await?;
            portal::revoke_session(ctx, &principal, request.json()?).await?;
            no_content()
        }
        Endpoint::Affiliate => {
            let session = portal::authenticate_partner(ctx, &request.headers).await?;
            json(
                StatusCode::OK,
                &AffiliateSchema::of(&portal::partner_info(&session)),
            )
        }
        Endpoint::Dashboard => {
            let session = portal::authenticate_partner(ctx, &request.headers).await?;
            let dashboard =
                portal::dashboard(ctx.store.as_ref(), &session, ctx.clock.now()).await?;
            json(StatusCode::OK, &DashboardSchema::of(&dashboard))
        }
        Endpoint::Payouts => {
            let session = portal::authenticate_partner(ctx, &request.headers).await?;
            let payouts = shared::payouts::partner_payouts(ctx, &session.partner).await?;
            let body: Vec<PayoutSchema> = payouts
                .iter()
                .map(|payout| PayoutSchema::of(payout, Some(&session.partner)))
                .collect();
            json(StatusCode::OK, &body)
        }
        Endpoint::PayoutSettings => {
            let session = portal::authenticate_partner(ctx, &request.headers).await?;
            let partner =
                portal::payout_settings::update_payout_settings(ctx, &session, request.json()?)
                    .await?;
            json(StatusCode::OK, &PayoutSettingsSchema::of(&partner))
        }
        Endpoint::Analytics => {
            let session = portal::authenticate_partner(ctx, &request.headers).await?;
            let query = AnalyticsQuery::parse_own(&request.query)?;
            let answer = session_analytics(ctx, &session.partner, &session.program, &query).await?;
            let shown = PartnerAnalyticsResponse::of(&answer)
                .ok_or_else(|| DomainError::Unprocessable("Unknown grouping.".into()))?;
            json(StatusCode::OK, &shown)
        }
        Endpoint::EmbedToken => {
            let principal = ctx.auth.authenticate(&request.headers).await?;
            let issued = embed::create_embed_token(ctx, &principal, request.json()?).await?;
            json(StatusCode::CREATED, &EmbedTokenSchema::of(&issued))
        }
        Endpoint::EmbedSession => {
            let session = embed::exchange_embed_token(ctx, request.json()?).await?;
            json(StatusCode::CREATED, &EmbedSessionSchema::of(&session))
        }
        Endpoint::EmbedPage => pages::embed_page(ctx, request.query("token")).await?,
        Endpoint::EmbedScript => pages::embed_script(),
        Endpoint::EmbedStyle => pages::embed_style(),
        Endpoint::EmbedData => {
            let session = portal::authenticate_partner(ctx, &request.headers).await?;
            let view = embed::embed_view(ctx, &session).await?;
            json(StatusCode::OK, &EmbedSchema::of(&session, &view))
        }
        Endpoint::Commissions => {
            let session = portal::authenticate_partner(ctx, &request.headers).await?;
            let limit = request.page_limit(10)?;
            let cursor = request.query("cursor").map(str::to_owned);
            let (rows, next) =
                embed::partner_commissions_page(ctx, &session, cursor, limit).await?;
            json(StatusCode::OK, &ReferralCommissionsPage::of(&rows, next))
        }
        Endpoint::PortalLink => {
            let session = portal::authenticate_partner(ctx, &request.headers).await?;
            let link = links.sign(&session.program.id, &session.partner.id, ctx.clock.now());
            json(StatusCode::OK, &PortalLinkSchema::of(&link))
        }
    };
    Ok(response)
}

#[cfg(test)]
mod sample_events;
