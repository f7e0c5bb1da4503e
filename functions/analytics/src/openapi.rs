//! This function's part of the API's OpenAPI document.

use crate::{Endpoint, ROUTES};
use http::StatusCode;
use shared::web::openapi::{Access, DocumentedRoute, Operation, document_routes};
use shared::wire::analytics::{AnalyticsResponse, PartnerAnalyticsResponse};
use shared::wire::events::EventSchema;

pub fn routes() -> Vec<DocumentedRoute> {
    document_routes("analytics", ROUTES, describe)
}

fn window(operation: Operation) -> Operation {
    operation
        .query::<String>(
            "interval",
            "24h (the default), 7d, 30d, 90d, 1y, mtd, qtd, ytd or all.",
        )
        .query::<String>(
            "start",
            "A date or an RFC 3339 time; takes precedence over `interval`.",
        )
        .query::<String>("end", "A date or an RFC 3339 time; now by default.")
        .query::<String>(
            "timezone",
            "An IANA time zone for the buckets; UTC by default.",
        )
}

fn describe(endpoint: Endpoint) -> Operation {
    let operation = |summary| Operation::new(summary, Access::ProgramKey);
    match endpoint {
        Endpoint::Retrieve => window(operation("Retrieve analytics"))
            .query::<String>("event", "clicks (the default), leads, sales or composite.")
            .query::<String>(
                "groupBy",
                "count (the default), timeseries, countries, devices, browsers, os, referers, top_links or top_partners.",
            )
            .query::<String>("linkId", "One link's figures.")
            .query::<String>("externalId", "One link's figures, by its external id.")
            .query::<String>("domain", "The program's domain; with `key`, one link.")
            .query::<String>("key", "With `domain`, one link.")
            .query::<String>("partnerId", "One partner's figures.")
            .query::<String>("tenantId", "One partner's figures, by its tenant id.")
            .query::<String>("country", "Comma-separated country codes.")
            .query::<String>("device", "Comma-separated devices.")
            .query::<String>("browser", "Comma-separated browsers.")
            .query::<String>("os", "Comma-separated operating systems.")
            .query::<String>("referer", "Comma-separated referer host names.")
            .returns::<AnalyticsResponse>(StatusCode::OK),
        Endpoint::Partner => window(operation("Retrieve a partner's analytics"))
            .query::<String>("partnerId", "The partner.")
            .query::<String>("tenantId", "The partner, by its tenant id.")
            .query::<String>("groupBy", "count (the default), timeseries or top_links.")
            .returns::<PartnerAnalyticsResponse>(StatusCode::OK),
        Endpoint::Events => window(operation("List leads or sales"))
            .query::<String>(
                "event",
                "leads or sales (clicks are counted, not stored one by one: 422).",
            )
            .query::<String>("linkId", "One link's events.")
            .query::<String>("externalId", "One link's events, by its external id.")
            .query::<String>("domain", "The program's domain; with `key`, one link.")
            .query::<String>("key", "With `domain`, one link.")
            .query::<String>("partnerId", "One partner's events.")
            .query::<String>("tenantId", "One partner's events, by its tenant id.")
            .query::<String>("customerId", "One customer's events (`ext_` + external id too).")
            .query::<String>("page", "Page number, from 1.")
            .query::<String>("limit", "Events per page, 1 to 1,000 (100).")
            .query::<String>("sortOrder", "`desc` (newest first, the default) or `asc`.")
            .query::<String>("sortBy", "`timestamp`.")
            .returns_list::<EventSchema>(),
    }
}
