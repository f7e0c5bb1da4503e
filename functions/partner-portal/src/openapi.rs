//! This function's part of the API's OpenAPI document: one description per endpoint.

use crate::{Endpoint, ROUTES};
use http::StatusCode;
use shared::portal::embed::{CreateEmbedToken, TradeEmbedToken};
use shared::portal::payout_settings::{PayoutSettingsRequest, PayoutSettingsSchema};
use shared::portal::{IssueSession, RevokeSession};
use shared::web::openapi::{Access, DocumentedRoute, Operation, document_routes};
use shared::wire::affiliate::AffiliateSchema;
use shared::wire::analytics::PartnerAnalyticsResponse;
use shared::wire::embed::{
    EmbedSchema, EmbedSessionSchema, EmbedTokenSchema, ReferralCommissionsPage,
};
use shared::wire::payouts::PayoutSchema;
use shared::wire::portal::{DashboardSchema, PartnerSessionSchema, PortalLinkSchema};

pub fn routes() -> Vec<DocumentedRoute> {
    document_routes("partner-portal", ROUTES, describe)
}

fn describe(endpoint: Endpoint) -> Operation {
    use Access::*;
    match endpoint {
        Endpoint::IssueSession => Operation::new("Sign a partner in (a session token)", ProgramKey)
            .body::<IssueSession>()
            .returns::<PartnerSessionSchema>(StatusCode::CREATED),
        Endpoint::RevokeSession => Operation::new("Revoke a partner's sessions", ProgramKey)
            .body::<RevokeSession>()
            .returns_nothing(),
        Endpoint::Affiliate => Operation::new("The signed-in partner (StackBE)", PartnerSession)
            .returns::<AffiliateSchema>(StatusCode::OK),
        Endpoint::Dashboard => Operation::new(
            "The signed-in partner's dashboard (StackBE)",
            PartnerSession,
        )
        .returns::<DashboardSchema>(StatusCode::OK),
        Endpoint::PortalLink => Operation::new(
            "A signed link to the partner's portal (StackBE)",
            PartnerSession,
        )
        .returns::<PortalLinkSchema>(StatusCode::OK),
        Endpoint::Payouts => Operation::new("The signed-in partner's payouts", PartnerSession)
            .returns_list::<PayoutSchema>(),
        Endpoint::Analytics => Operation::new("The signed-in partner's analytics", PartnerSession)
            .query::<String>("groupBy", "count (the default), timeseries or top_links.")
            .query::<String>(
                "interval",
                "24h (the default), 7d, 30d, 90d, 1y, mtd, qtd, ytd or all.",
            )
            .query::<String>("start", "A date or an RFC 3339 time.")
            .query::<String>("end", "A date or an RFC 3339 time.")
            .query::<String>("timezone", "An IANA time zone; UTC by default.")
            .query::<String>("linkId", "One of the partner's links.")
            .returns::<PartnerAnalyticsResponse>(StatusCode::OK),
        Endpoint::EmbedToken => Operation::new(
            "A public token of a partner's embedded referral dashboard (Dub)",
            ProgramKey,
        )
        .body::<CreateEmbedToken>()
        .returns::<EmbedTokenSchema>(StatusCode::CREATED),
        Endpoint::EmbedSession => Operation::new(
            "Trade a public embed token, once, for a partner session",
            TokenInBody,
        )
        .body::<TradeEmbedToken>()
        .returns::<EmbedSessionSchema>(StatusCode::CREATED),
        Endpoint::EmbedPage => Operation::new("The embedded referral dashboard (a page)", Public)
            .query::<String>(
                "token",
                "The public token of `POST /tokens/embed/referrals`.",
            )
            .returns_text("text/html"),
        Endpoint::EmbedScript => Operation::new("The embedded dashboard's script", Public)
            .returns_text("text/javascript"),
        Endpoint::EmbedStyle => {
            Operation::new("The embedded dashboard's style sheet", Public).returns_text("text/css")
        }
        Endpoint::EmbedData => Operation::new(
            "What the embedded dashboard shows the signed-in partner",
            PartnerSession,
        )
        .returns::<EmbedSchema>(StatusCode::OK),
        Endpoint::Commissions => Operation::new(
            "The signed-in partner's commissions, newest first, with their customers",
            PartnerSession,
        )
        .query::<u32>("limit", "Commissions per page, 1 to 100 (10 by default).")
        .query::<String>("cursor", "The `nextCursor` of the page before.")
        .returns::<ReferralCommissionsPage>(StatusCode::OK),
        Endpoint::PayoutSettings => {
            Operation::new("Set where the signed-in partner is paid", PartnerSession)
                .body::<PayoutSettingsRequest>()
                .returns::<PayoutSettingsSchema>(StatusCode::OK)
        }
    }
}
