//! This function's part of the API's OpenAPI document: one description per endpoint.

use crate::{ConsoleFile, Endpoint, ROUTES, Setup};
use http::StatusCode;
use shared::groups::{
    CreateGroup, CreateReward, SetDiscount, SetMoveRules, UpdateGroup, UpdateReward,
};
use shared::partners::{MovePartner, UpdatePartner};
use shared::program_launch::CreateProgram;
use shared::programs::{CreateApiKey, UpdateProgram};
use shared::web::openapi::{Access, DocumentedRoute, Operation, document_routes};
use shared::wire::groups::{DiscountSchema, GroupPageSchema, GroupSchema, RewardSchema};
use shared::wire::partner_records::PartnerRecordSchema;
use shared::wire::programs::{ApiKeyPageSchema, ApiKeySchema, ProgramSchema, RepairReportSchema};

pub fn routes() -> Vec<DocumentedRoute> {
    document_routes("program-admin", ROUTES, describe)
}

fn describe(endpoint: Endpoint) -> Operation {
    use Access::*;
    match endpoint {
        Endpoint::CreateProgram => Operation::new("Create a program (platform admin)", AdminToken)
            .body::<CreateProgram>()
            .returns::<ProgramSchema>(StatusCode::CREATED),
        Endpoint::GetProgram => Operation::new("Retrieve a program", ProgramKey)
            .returns::<ProgramSchema>(StatusCode::OK),
        Endpoint::UpdateProgram => Operation::new("Update a program's settings", ProgramKey)
            .body::<UpdateProgram>()
            .returns::<ProgramSchema>(StatusCode::OK),
        Endpoint::CreateApiKey => Operation::new("Create an API key", AdminToken)
            .body::<CreateApiKey>()
            .returns::<ApiKeySchema>(StatusCode::CREATED),
        Endpoint::ListApiKeys => Operation::new("List API keys", AdminToken)
            .query::<u32>("limit", "Items per page, 1 to 100.")
            .query::<String>("cursor", "The `nextCursor` of the page before.")
            .returns::<ApiKeyPageSchema>(StatusCode::OK),
        Endpoint::RevokeApiKey => {
            Operation::new("Revoke an API key", AdminToken).returns::<ApiKeySchema>(StatusCode::OK)
        }
        Endpoint::MovePartner => Operation::new("Move a partner to another group", ProgramKey)
            .body::<MovePartner>()
            .returns::<PartnerRecordSchema>(StatusCode::OK),
        Endpoint::UpdatePartner => {
            Operation::new("Opt a partner out of automatic moves", ProgramKey)
                .body::<UpdatePartner>()
                .returns::<PartnerRecordSchema>(StatusCode::OK)
        }
        Endpoint::RecomputeTotals => {
            Operation::new("Recompute a partner's stored totals", ProgramKey)
                .returns::<RepairReportSchema>(StatusCode::OK)
        }
        Endpoint::Setup(setup) => describe_setup(setup),
        Endpoint::OpenApiDocument => Operation::new("This document", Public)
            .returns_inline::<serde_json::Value>(StatusCode::OK),
        Endpoint::Console(ConsoleFile::Page) => {
            Operation::new("The program console (a page)", Public).returns_text("text/html")
        }
        Endpoint::Console(ConsoleFile::Script) => {
            Operation::new("The program console's script", Public).returns_text("text/javascript")
        }
        Endpoint::Console(ConsoleFile::Style) => {
            Operation::new("The program console's style sheet", Public).returns_text("text/css")
        }
    }
}

fn describe_setup(setup: Setup) -> Operation {
    use Access::ProgramKey;
    match setup {
        Setup::CreateGroup => Operation::new("Create a partner group", ProgramKey)
            .body::<CreateGroup>()
            .returns::<GroupSchema>(StatusCode::CREATED),
        Setup::ListGroups => Operation::new("List partner groups", ProgramKey)
            .query::<u32>("limit", "Items per page, 1 to 100.")
            .query::<String>("cursor", "The `nextCursor` of the page before.")
            .returns::<GroupPageSchema>(StatusCode::OK),
        Setup::GetGroup => {
            Operation::new("Retrieve a group", ProgramKey).returns::<GroupSchema>(StatusCode::OK)
        }
        Setup::UpdateGroup => Operation::new("Update a group", ProgramKey)
            .body::<UpdateGroup>()
            .returns::<GroupSchema>(StatusCode::OK),
        Setup::DeleteGroup => Operation::new("Delete a group", ProgramKey).returns_nothing(),
        Setup::CreateReward => Operation::new("Add a reward to a group", ProgramKey)
            .body::<CreateReward>()
            .returns::<RewardSchema>(StatusCode::CREATED),
        Setup::UpdateReward => Operation::new("Update a reward", ProgramKey)
            .body::<UpdateReward>()
            .returns::<RewardSchema>(StatusCode::OK),
        Setup::DeleteReward => Operation::new("Delete a reward", ProgramKey).returns_nothing(),
        Setup::SetDiscount => Operation::new("Set a group's discount", ProgramKey)
            .body::<SetDiscount>()
            .returns::<DiscountSchema>(StatusCode::OK),
        Setup::DeleteDiscount => {
            Operation::new("Remove a group's discount", ProgramKey).returns_nothing()
        }
        Setup::SetMoveRules => Operation::new("Set a group's move rules", ProgramKey)
            .body::<SetMoveRules>()
            .returns::<GroupSchema>(StatusCode::OK),
    }
}
