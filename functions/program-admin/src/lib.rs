//! The program-admin HTTP function: programs and their API keys.

use http::{Method, StatusCode};
use shared::context::AppContext;
use shared::error::DomainError;
use shared::programs;
use shared::web::{ApiError, ApiRequest, ApiResponse, ErrorCode, Route, RouteMatch, json, serve};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    CreateProgram,
    GetProgram,
    CreateApiKey,
    ListApiKeys,
    RevokeApiKey,
}

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
];

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
    let principal = ctx
        .auth
        .authenticate(&request.headers)
        .await
        .map_err(DomainError::from)?;
    let program_id = found.params.get("programId");
    let response = match found.endpoint {
        Endpoint::CreateProgram => {
            let program = programs::create_program(ctx, &principal, request.json()?).await?;
            json(StatusCode::CREATED, &program)
        }
        Endpoint::GetProgram => json(
            StatusCode::OK,
            &programs::get_program(ctx, &principal, program_id).await?,
        ),
        Endpoint::CreateApiKey => {
            let key =
                programs::create_api_key(ctx, &principal, program_id, request.json()?).await?;
            json(StatusCode::CREATED, &key)
        }
        Endpoint::ListApiKeys => {
            let limit = page_size(&request)?;
            let cursor = request.query("cursor").map(str::to_owned);
            let (keys, next) =
                programs::list_api_keys(ctx, &principal, program_id, cursor, limit).await?;
            json(
                StatusCode::OK,
                &serde_json::json!({ "data": keys, "nextCursor": next }),
            )
        }
        Endpoint::RevokeApiKey => {
            let key =
                programs::revoke_api_key(ctx, &principal, program_id, found.params.get("keyId"))
                    .await?;
            json(StatusCode::OK, &key)
        }
    };
    Ok(response)
}

fn page_size(request: &ApiRequest) -> Result<u32, ApiError> {
    match request.query("limit") {
        None => Ok(DEFAULT_PAGE),
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|limit| (1..=100).contains(limit))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::BadRequest,
                    "`limit` must be a whole number from 1 to 100.",
                )
            }),
    }
}
