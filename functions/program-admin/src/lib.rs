//! The program-admin HTTP function: programs, their setup (groups, rewards, discounts, move
//! rules, settings, a partner's group and move opt-out) and their API keys.

pub mod console;
pub mod openapi;

use http::{Method, StatusCode};
use shared::context::AppContext;
use shared::web::{ApiError, ApiRequest, ApiResponse, Route, RouteMatch, json, no_content, serve};
use shared::wire::groups::{DiscountSchema, GroupPageSchema, GroupSchema, RewardSchema};
use shared::wire::partner_records::PartnerRecordSchema;
use shared::wire::programs::{ApiKeyPageSchema, ApiKeySchema, ProgramSchema, RepairReportSchema};
use shared::{groups, partners, program_launch, programs, totals_repair};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    CreateProgram,
    GetProgram,
    CreateApiKey,
    ListApiKeys,
    RevokeApiKey,
    UpdateProgram,
    MovePartner,
    UpdatePartner,
    /// Repairs counters an earlier version left out of range (`totals_repair::recompute_totals`).
    RecomputeTotals,
    Setup(Setup),
    /// This API's OpenAPI document (`docs/openapi.json`).
    OpenApiDocument,
    /// The program console's page and assets (`console`).
    Console(ConsoleFile),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleFile {
    Page,
    Script,
    Style,
}

/// The endpoints of a program's groups and what hangs off them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setup {
    CreateGroup,
    ListGroups,
    GetGroup,
    UpdateGroup,
    DeleteGroup,
    CreateReward,
    UpdateReward,
    DeleteReward,
    SetDiscount,
    DeleteDiscount,
    SetMoveRules,
}

const GROUPS: &str = "/programs/{programId}/groups";
const GROUP: &str = "/programs/{programId}/groups/{groupId}";
const REWARDS: &str = "/programs/{programId}/groups/{groupId}/rewards";
const REWARD: &str = "/programs/{programId}/groups/{groupId}/rewards/{rewardId}";
const DISCOUNT: &str = "/programs/{programId}/groups/{groupId}/discount";
const MOVE_RULES: &str = "/programs/{programId}/groups/{groupId}/move-rules";

pub const ROUTES: &[Route<Endpoint>] = &[
    Route::new(Method::POST, "/programs", Endpoint::CreateProgram),
    Route::new(Method::GET, "/programs/{programId}", Endpoint::GetProgram),
    Route::new(
        Method::POST,
        "/programs/{programId}/api-keys",
        Endpoint::CreateApiKey,
    ),
    Route::new(
        Method::GET,
        "/programs/{programId}/api-keys",
        Endpoint::ListApiKeys,
    ),
    Route::new(
        Method::DELETE,
        "/programs/{programId}/api-keys/{keyId}",
        Endpoint::RevokeApiKey,
    ),
    Route::new(
        Method::PATCH,
        "/programs/{programId}",
        Endpoint::UpdateProgram,
    ),
    Route::new(
        Method::POST,
        "/programs/{programId}/partners/{partnerId}/group",
        Endpoint::MovePartner,
    ),
    Route::new(
        Method::PATCH,
        "/programs/{programId}/partners/{partnerId}",
        Endpoint::UpdatePartner,
    ),
    Route::new(
        Method::POST,
        "/programs/{programId}/partners/{partnerId}/recompute-totals",
        Endpoint::RecomputeTotals,
    ),
    Route::new(Method::POST, GROUPS, Endpoint::Setup(Setup::CreateGroup)),
    Route::new(Method::GET, GROUPS, Endpoint::Setup(Setup::ListGroups)),
    Route::new(Method::GET, GROUP, Endpoint::Setup(Setup::GetGroup)),
    Route::new(Method::PATCH, GROUP, Endpoint::Setup(Setup::UpdateGroup)),
    Route::new(Method::DELETE, GROUP, Endpoint::Setup(Setup::DeleteGroup)),
    Route::new(Method::POST, REWARDS, Endpoint::Setup(Setup::CreateReward)),
    Route::new(Method::PATCH, REWARD, Endpoint::Setup(Setup::UpdateReward)),
    Route::new(Method::DELETE, REWARD, Endpoint::Setup(Setup::DeleteReward)),
    Route::new(Method::PUT, DISCOUNT, Endpoint::Setup(Setup::SetDiscount)),
    Route::new(
        Method::DELETE,
        DISCOUNT,
        Endpoint::Setup(Setup::DeleteDiscount),
    ),
    Route::new(
        Method::PUT,
        MOVE_RULES,
        Endpoint::Setup(Setup::SetMoveRules),
    ),
    Route::new(Method::GET, "/openapi.json", Endpoint::OpenApiDocument),
    Route::new(
        Method::GET,
        "/console",
        Endpoint::Console(ConsoleFile::Page),
    ),
    Route::new(
        Method::GET,
        "/console/assets/console.js",
        Endpoint::Console(ConsoleFile::Script),
    ),
    Route::new(
        Method::GET,
        "/console/assets/console.css",
        Endpoint::Console(ConsoleFile::Style),
    ),
];

/// The whole API's document, generated from every function's routes and wire models by
/// `local-stack`'s `openapi` test, which fails when this copy differs from the code.
pub const OPENAPI_DOCUMENT: &str = include_str!("../../../docs/openapi.json");

const DEFAULT_PAGE: u32 = 50;

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
    match found.endpoint {
        Endpoint::OpenApiDocument => return Ok(openapi_document()),
        Endpoint::Console(ConsoleFile::Page) => return Ok(console::console_page()),
        Endpoint::Console(ConsoleFile::Script) => return Ok(console::console_script()),
        Endpoint::Console(ConsoleFile::Style) => return Ok(console::console_style()),
        _ => {}
    }
    let principal = ctx.auth.authenticate(&request.headers).await?;
    let program_id = found.params.get("programId");
    let response = match found.endpoint {
        Endpoint::CreateProgram => {
            let program = program_launch::create_program(ctx, &principal, request.json()?).await?;
            json(StatusCode::CREATED, &ProgramSchema::of(&program))
        }
        Endpoint::GetProgram => json(
            StatusCode::OK,
            &ProgramSchema::of(&programs::get_program(ctx, &principal, program_id).await?),
        ),
        Endpoint::CreateApiKey => {
            let key =
                programs::create_api_key(ctx, &principal, program_id, request.json()?).await?;
            json(StatusCode::CREATED, &ApiKeySchema::of(&key))
        }
        Endpoint::ListApiKeys => {
            let limit = request.page_limit(DEFAULT_PAGE)?;
            let cursor = request.query("cursor").map(str::to_owned);
            let (keys, next) =
                programs::list_api_keys(ctx, &principal, program_id, cursor, limit).await?;
            json(StatusCode::OK, &ApiKeyPageSchema::of(&keys, next))
        }
        Endpoint::RevokeApiKey => {
            let key =
                programs::revoke_api_key(ctx, &principal, program_id, found.params.get("keyId"))
                    .await?;
            json(StatusCode::OK, &ApiKeySchema::of(&key))
        }
        Endpoint::UpdateProgram => {
            let program =
                programs::update_program(ctx, &principal, program_id, request.json()?).await?;
            json(StatusCode::OK, &ProgramSchema::of(&program))
        }
        Endpoint::MovePartner => {
            let partner_id = found.params.get("partnerId");
            let partner =
                partners::move_partner(ctx, &principal, program_id, partner_id, request.json()?)
                    .await?;
            json(StatusCode::OK, &PartnerRecordSchema::of(&partner))
        }
        Endpoint::UpdatePartner => {
            let partner_id = found.params.get("partnerId");
            let partner =
                partners::update_partner(ctx, &principal, program_id, partner_id, request.json()?)
                    .await?;
            json(StatusCode::OK, &PartnerRecordSchema::of(&partner))
        }
        Endpoint::RecomputeTotals => {
            let partner_id = found.params.get("partnerId");
            let report =
                totals_repair::recompute_totals(ctx, &principal, program_id, partner_id).await?;
            json(StatusCode::OK, &RepairReportSchema::of(&report))
        }
        Endpoint::Setup(setup) => setup_endpoint(ctx, &principal, setup, found, request).await?,
        Endpoint::OpenApiDocument | Endpoint::Console(_) => {
            unreachable!("answered before authentication")
        }
    };
    Ok(response)
}

/// Groups and what hangs off them: rewards, the discount, move rules.
async fn setup_endpoint(
    ctx: &AppContext,
    principal: &shared::auth::Principal,
    setup: Setup,
    found: RouteMatch<Endpoint>,
    request: ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let program = found.params.get("programId");
    let group = found.params.get("groupId");
    let reward = found.params.get("rewardId");
    let response = match setup {
        Setup::CreateGroup => {
            let created = groups::create_group(ctx, principal, program, request.json()?).await?;
            json(StatusCode::CREATED, &GroupSchema::of(&created))
        }
        Setup::ListGroups => {
            let limit = request.page_limit(DEFAULT_PAGE)?;
            let cursor = request.query("cursor").map(str::to_owned);
            let (data, next) = groups::list_groups(ctx, principal, program, cursor, limit).await?;
            json(StatusCode::OK, &GroupPageSchema::of(&data, next))
        }
        Setup::GetGroup => {
            let found = groups::get_group(ctx, principal, program, group).await?;
            json(StatusCode::OK, &GroupSchema::of(&found))
        }
        Setup::UpdateGroup => {
            let updated =
                groups::update_group(ctx, principal, program, group, request.json()?).await?;
            json(StatusCode::OK, &GroupSchema::of(&updated))
        }
        Setup::DeleteGroup => {
            groups::delete_group(ctx, principal, program, group).await?;
            no_content()
        }
        Setup::CreateReward => {
            let created =
                groups::create_reward(ctx, principal, program, group, request.json()?).await?;
            json(StatusCode::CREATED, &RewardSchema::of(&created))
        }
        Setup::UpdateReward => {
            let updated =
                groups::update_reward(ctx, principal, program, group, reward, request.json()?)
                    .await?;
            json(StatusCode::OK, &RewardSchema::of(&updated))
        }
        Setup::DeleteReward => {
            groups::delete_reward(ctx, principal, program, group, reward).await?;
            no_content()
        }
        Setup::SetDiscount => {
            let discount =
                groups::set_discount(ctx, principal, program, group, request.json()?).await?;
            json(StatusCode::OK, &DiscountSchema::of(&discount))
        }
        Setup::DeleteDiscount => {
            groups::delete_discount(ctx, principal, program, group).await?;
            no_content()
        }
        Setup::SetMoveRules => {
            let updated =
                groups::set_move_rules(ctx, principal, program, group, request.json()?).await?;
            json(StatusCode::OK, &GroupSchema::of(&updated))
        }
    };
    Ok(response)
}

#[cfg(test)]
mod sample_events;

/// Public, as API documents are; it names no program, key or secret.
fn openapi_document() -> ApiResponse {
    let mut response = http::Response::new(OPENAPI_DOCUMENT.as_bytes().to_vec());
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}
