//! This function's part of the API's OpenAPI document: one description per endpoint.

use crate::labels::LabelEndpoint;
use crate::{Endpoint, ROUTES};
use http::StatusCode;
use shared::clicks::track::{TrackClick, TrackReferral, TrackedClick, TrackedReferral};
use shared::discount_codes;
use shared::links::folders;
use shared::links::tags::TagInput;
use shared::links::{
    BulkUpdateLinks, CreateLink, CreateLinks, CreatePartnerLink, UpdateLink, UpsertPartnerLink,
};
use shared::web::openapi::{Access, DocumentedRoute, Operation, document_routes};
use shared::wire::discount_codes::DiscountCodeSchema;
use shared::wire::domains::DomainSchema;
use shared::wire::folders::{DeletedIdSchema, FolderSchema};
use shared::wire::links::{
    BulkDeletedLinksSchema, BulkLinkSchema, DeletedLinkSchema, LinkCountSchema, LinkSchema,
    LinkTagSchema,
};

pub fn routes() -> Vec<DocumentedRoute> {
    document_routes("link-admin", ROUTES, describe)
}

fn describe(endpoint: Endpoint) -> Operation {
    use Access::*;
    match endpoint {
        Endpoint::CreateLink => Operation::new("Create a link", ProgramKey)
            .body::<CreateLink>()
            .returns::<LinkSchema>(StatusCode::OK),
        Endpoint::ListLinks => link_filters(Operation::new("List links", ProgramKey))
            .paged()
            .query::<String>("startingAfter", "The id of the link before the page.")
            .query::<String>("endingBefore", "The id of the link after the page.")
            .returns_list::<LinkSchema>(),
        Endpoint::CountLinks => link_filters(Operation::new("Count links", ProgramKey))
            .query::<String>("groupBy", "`domain`, `folderId` or `tagId`.")
            .returns::<LinkCountSchema>(StatusCode::OK),
        Endpoint::LinkInfo => Operation::new("Retrieve a link", ProgramKey)
            .query::<String>("domain", "The short link's domain, with `key`.")
            .query::<String>("key", "The short link's key, with `domain`.")
            .query::<String>("linkId", "The link's id.")
            .query::<String>("externalId", "The link's external id.")
            .returns::<LinkSchema>(StatusCode::OK),
        Endpoint::UpdateLink => Operation::new("Update a link", ProgramKey)
            .body::<UpdateLink>()
            .returns::<LinkSchema>(StatusCode::OK),
        Endpoint::DeleteLink => {
            Operation::new("Delete a link", ProgramKey).returns::<DeletedLinkSchema>(StatusCode::OK)
        }
        Endpoint::UpsertLink => Operation::new("Update or create the link to a URL", ProgramKey)
            .body::<CreateLink>()
            .returns::<LinkSchema>(StatusCode::OK),
        Endpoint::CreateLinks => Operation::new("Create up to 100 links", ProgramKey)
            .body::<CreateLinks>()
            .returns_list::<BulkLinkSchema>(),
        Endpoint::UpdateLinks => Operation::new("Update up to 100 links", ProgramKey)
            .body::<BulkUpdateLinks>()
            .returns_list::<LinkSchema>(),
        Endpoint::DeleteLinks => Operation::new("Delete up to 100 links", ProgramKey)
            .required_query::<String>("linkIds", "The links' ids, comma-separated.")
            .returns::<BulkDeletedLinksSchema>(StatusCode::OK),
        Endpoint::CreatePartnerLink => Operation::new("Create a link for a partner", ProgramKey)
            .body::<CreatePartnerLink>()
            .returns::<LinkSchema>(StatusCode::CREATED),
        Endpoint::ListPartnerLinks => Operation::new("A partner's links", ProgramKey)
            .query::<String>("partnerId", "The partner's id.")
            .query::<String>("tenantId", "The partner's id in your system.")
            .returns_list::<LinkSchema>(),
        Endpoint::UpsertPartnerLink => {
            Operation::new("Update or create a partner's link to a URL", ProgramKey)
                .body::<UpsertPartnerLink>()
                .returns::<LinkSchema>(StatusCode::OK)
        }
        Endpoint::ListDomains => Operation::new("The program's short-link domain", ProgramKey)
            .query::<String>("search", "Part of the domain's name.")
            .query::<bool>("archived", "Archived domains only (there are none).")
            .paged()
            .returns_list::<DomainSchema>(),
        Endpoint::ManageDomain => Operation::new(
            "Domains are set at deployment: always 403 with the reason",
            ProgramKey,
        )
        .returns::<DomainSchema>(StatusCode::OK),
        Endpoint::QrCode => Operation::new("A short link's QR code (PNG)", Public)
            .required_query::<String>("url", "The short link.")
            .query::<u32>("size", "Width and height in pixels, up to 1000.")
            .query::<String>("level", "Error correction: L, M, Q or H.")
            .query::<String>("fgColor", "Foreground colour, `#rrggbb`.")
            .query::<String>("bgColor", "Background colour, `#rrggbb`.")
            .query::<u32>("margin", "Quiet zone in modules.")
            .returns_png(),
        Endpoint::TrackClick => Operation::new("Record a click from a page", PageOrProgramKey)
            .body::<TrackClick>()
            .returns::<TrackedClick>(StatusCode::OK),
        Endpoint::TrackReferral => Operation::new(
            "Record a visit by referral code (StackBE)",
            PageOrProgramKey,
        )
        .body::<TrackReferral>()
        .returns::<TrackedReferral>(StatusCode::OK),
        Endpoint::Label(which) => label(which),
    }
}

/// Tags, folders and discount codes.
fn label(endpoint: LabelEndpoint) -> Operation {
    use Access::ProgramKey;
    use LabelEndpoint::*;
    let deleted =
        |summary| Operation::new(summary, ProgramKey).returns::<DeletedIdSchema>(StatusCode::OK);
    match endpoint {
        CreateTag => Operation::new("Create a tag", ProgramKey)
            .body::<TagInput>()
            .returns::<LinkTagSchema>(StatusCode::CREATED),
        ListTags => Operation::new("List tags", ProgramKey)
            .query::<String>("search", "Part of the name.")
            .query::<String>("ids", "Only these tags (repeated or comma-separated).")
            .query::<String>("sortBy", "`name` (default) or `createdAt`.")
            .query::<String>("sortOrder", "`asc` (default) or `desc`.")
            .paged()
            .returns_list::<LinkTagSchema>(),
        UpdateTag => Operation::new("Update a tag", ProgramKey)
            .body::<TagInput>()
            .returns::<LinkTagSchema>(StatusCode::OK),
        DeleteTag => deleted("Delete a tag (it leaves every link)"),
        CreateFolder => Operation::new("Create a folder", ProgramKey)
            .body::<folders::CreateFolder>()
            .returns::<FolderSchema>(StatusCode::CREATED),
        ListFolders => Operation::new("List folders", ProgramKey)
            .query::<String>("search", "Part of the name.")
            .paged()
            .returns_list::<FolderSchema>(),
        UpdateFolder => Operation::new("Update a folder", ProgramKey)
            .body::<folders::UpdateFolder>()
            .returns::<FolderSchema>(StatusCode::OK),
        DeleteFolder => deleted("Delete a folder (its links are in none)"),
        CreateDiscountCode => Operation::new("Create a partner's discount code", ProgramKey)
            .body::<discount_codes::CreateDiscountCode>()
            .returns::<DiscountCodeSchema>(StatusCode::OK),
        ListDiscountCodes => Operation::new("List discount codes", ProgramKey)
            .query::<String>("partnerId", "Codes of this partner.")
            .query::<String>("discountId", "Codes of this discount.")
            .query::<String>("code", "This code, ignoring case.")
            .paged()
            .returns_list::<DiscountCodeSchema>(),
        DeleteDiscountCode => deleted("Delete a discount code, by id or code"),
    }
}

/// The filters `GET /links` and `GET /links/count` share.
fn link_filters(operation: Operation) -> Operation {
    operation
        .query::<String>("domain", "Links of this domain.")
        .query::<String>("tenantId", "Links of this tenant.")
        .query::<String>("folderId", "Links in this folder.")
        .query::<String>("search", "Part of the key or destination URL.")
        .query::<bool>("showArchived", "Include archived links.")
        .query::<String>("tagId", "Links with this tag (deprecated: `tagIds`).")
        .query::<String>("tagIds", "Links with any of these tags (comma-separated).")
        .query::<String>(
            "tagNames",
            "Links with a tag of these names, ignoring case.",
        )
}
