//! This function's part of the API's OpenAPI document: one description per endpoint.

use crate::{Endpoint, ROUTES};
use http::StatusCode;
use shared::enrollment::CreatePartner;
use shared::partner_status::{BanPartner, MoveToGroup, NamePartner, SetTags};
use shared::web::openapi::{Access, DocumentedRoute, Operation, document_routes};
use shared::wire::partners::{PartnerIdSchema, PartnerSchema};

pub fn routes() -> Vec<DocumentedRoute> {
    document_routes("partner-admin", ROUTES, describe)
}

fn describe(endpoint: Endpoint) -> Operation {
    let operation = |summary| Operation::new(summary, Access::ProgramKey);
    match endpoint {
        Endpoint::ListPartners => operation("List partners")
            .query::<String>(
                "status",
                "pending, approved, rejected, invited, declined, deactivated, banned or archived.",
            )
            .query::<String>("groupId", "Partners of this group.")
            .query::<String>("country", "Partners of this country.")
            .query::<String>("tenantId", "The partner with this tenant id.")
            .query::<String>("email", "The partner with this email.")
            .query::<String>("search", "Part of a name, an email or a partner id.")
            .query::<String>("sortBy", "What the list is sorted by (Dub's names).")
            .query::<String>("sortOrder", "`asc` or `desc`.")
            .paged()
            .returns_list::<PartnerSchema>(),
        Endpoint::CreatePartner => operation("Create or update a partner")
            .body::<CreatePartner>()
            .returns::<PartnerSchema>(StatusCode::CREATED),
        Endpoint::Ban => operation("Ban a partner")
            .body::<BanPartner>()
            .returns::<PartnerIdSchema>(StatusCode::OK),
        Endpoint::Deactivate => operation("Deactivate a partner")
            .body::<NamePartner>()
            .returns::<PartnerIdSchema>(StatusCode::OK),
        Endpoint::Archive => operation("Archive a partner")
            .body::<NamePartner>()
            .returns::<PartnerSchema>(StatusCode::OK),
        Endpoint::Move => operation("Move a partner to a group")
            .body::<MoveToGroup>()
            .returns::<PartnerSchema>(StatusCode::OK),
        Endpoint::Tags => operation("Set a partner's tags")
            .body::<SetTags>()
            .returns::<PartnerSchema>(StatusCode::OK),
    }
}
