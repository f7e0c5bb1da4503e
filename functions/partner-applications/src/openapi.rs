//! This function's part of the API's OpenAPI document: one description per endpoint.

use crate::{Endpoint, ROUTES};
use http::StatusCode;
use shared::applications::{ApplyRequest, DubApprove, DubReject, Review};
use shared::model::ApplicationStatus;
use shared::web::openapi::{Access, DocumentedRoute, Operation, document_routes};
use shared::wire::affiliate::{
    ApplicationRecordPageSchema, ApplicationStatusSchema, AppliedSchema, PartnerCheckSchema,
    ReviewSchema,
};
use shared::wire::applications::{
    ApprovedPartnerSchema, ProgramApplicationSchema, RejectedApplicationSchema,
};

pub fn routes() -> Vec<DocumentedRoute> {
    document_routes("partner-applications", ROUTES, describe)
}

fn describe(endpoint: Endpoint) -> Operation {
    let operation = |summary| Operation::new(summary, Access::ProgramKey);
    match endpoint {
        Endpoint::Apply => operation("Apply to the program (StackBE)")
            .body::<ApplyRequest>()
            .returns::<AppliedSchema>(StatusCode::CREATED),
        Endpoint::ApplicationStatus => operation("An applicant's status (StackBE)")
            .required_query::<String>("email", "The applicant's email.")
            .returns::<ApplicationStatusSchema>(StatusCode::OK),
        Endpoint::PartnerByCustomer => operation("The partner who referred a customer (StackBE)")
            .returns::<PartnerCheckSchema>(StatusCode::OK),
        Endpoint::ListApplications => operation("List applications (StackBE)")
            .query::<ApplicationStatus>("status", "Applications with this status.")
            .query::<u32>("limit", "Items per page, 1 to 100.")
            .query::<String>("cursor", "The `nextCursor` of the page before.")
            .returns::<ApplicationRecordPageSchema>(StatusCode::OK),
        Endpoint::ReviewApplication => operation("Approve or reject an application (StackBE)")
            .body::<Review>()
            .returns::<ReviewSchema>(StatusCode::OK),
        Endpoint::DubListApplications => operation("List program applications")
            .query::<ApplicationStatus>("status", "Applications with this status.")
            .query::<String>("search", "Part of the applicant's name or email.")
            .query::<String>("groupId", "Applications approved into this group.")
            .query::<String>("country", "The applicant's country (a form answer).")
            .query::<String>("sortOrder", "`asc` or `desc` (the default) by creation.")
            .paged()
            .returns_list::<ProgramApplicationSchema>(),
        Endpoint::DubApprove => operation("Approve an application")
            .body::<DubApprove>()
            .returns::<ApprovedPartnerSchema>(StatusCode::OK),
        Endpoint::DubReject => operation("Reject an application")
            .body::<DubReject>()
            .returns::<RejectedApplicationSchema>(StatusCode::OK),
    }
}
