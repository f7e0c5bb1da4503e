//! The partner-applications HTTP function: StackBE's public apply and status routes, the
//! admin review routes, Dub's `/program-applications` routes and the server-side partner check.

pub mod openapi;

use http::{HeaderValue, Method, StatusCode};
use shared::applications::{self, ApplyRequest, Review, ReviewOutcome};
use shared::context::AppContext;
use shared::model::ApplicationStatus;
use shared::web::{
    ApiError, ApiRequest, ApiResponse, Edge, ErrorCode, Route, RouteMatch, json, pages, serve,
};
use shared::wire::affiliate::{
    ApplicationRecordPageSchema, ApplicationStatusSchema, AppliedSchema, ApprovedReviewSchema,
    PartnerCheckSchema, RejectedReviewSchema, ReviewSchema,
};
use shared::wire::applications::{
    ApprovedPartnerSchema, ProgramApplicationSchema, RejectedApplicationSchema,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Apply,
    ApplicationStatus,
    PartnerByCustomer,
    ListApplications,
    ReviewApplication,
    DubListApplications,
    DubApprove,
    DubReject,
}

pub const ROUTES: &[Route<Endpoint>] = &[
    Route::new(Method::POST, "/v1/affiliate/apply", Endpoint::Apply),
    Route::new(
        Method::GET,
        "/v1/affiliate/apply/status",
        Endpoint::ApplicationStatus,
    ),
    Route::new(
        Method::GET,
        "/v1/affiliate/by-customer/{customerId}",
        Endpoint::PartnerByCustomer,
    ),
    Route::new(
        Method::GET,
        "/v1/apps/{appId}/affiliates/applications",
        Endpoint::ListApplications,
    ),
    Route::new(
        Method::POST,
        "/v1/apps/{appId}/affiliates/applications/{applicationId}/review",
        Endpoint::ReviewApplication,
    ),
    Route::new(
        Method::GET,
        "/program-applications",
        Endpoint::DubListApplications,
    ),
    Route::new(
        Method::POST,
        "/program-applications/approve",
        Endpoint::DubApprove,
    ),
    Route::new(
        Method::POST,
        "/program-applications/reject",
        Endpoint::DubReject,
    ),
    // The same operations under the path newer Dub SDKs (npm `dub` 0.73) call.
    Route::new(
        Method::GET,
        "/partners/applications",
        Endpoint::DubListApplications,
    ),
    Route::new(
        Method::POST,
        "/partners/applications/approve",
        Endpoint::DubApprove,
    ),
    Route::new(
        Method::POST,
        "/partners/applications/reject",
        Endpoint::DubReject,
    ),
];

const DEFAULT_PAGE: u32 = 50;

/// Handles one request. Never fails: every error becomes a response in the error envelope.
pub async fn handle<B: AsRef<[u8]>>(ctx: &AppContext, request: http::Request<B>) -> ApiResponse {
    let client_ip =
        shared::aws::client_ip(&request, Edge::ApiGateway).unwrap_or_else(|| "unknown".into());
    serve(ROUTES, ApiRequest::from_http(request), |found, request| {
        endpoint(ctx, found, request, client_ip)
    })
    .await
}

async fn endpoint(
    ctx: &AppContext,
    found: RouteMatch<Endpoint>,
    request: ApiRequest,
    client_ip: String,
) -> Result<ApiResponse, ApiError> {
    let principal = ctx.auth.authenticate(&request.headers).await?;
    let response = match found.endpoint {
        Endpoint::Apply => {
            let body: ApplyRequest = request.json()?;
            let applied = applications::apply(ctx, &principal, &client_ip, body).await?;
            json(StatusCode::CREATED, &AppliedSchema::of(&applied))
        }
        Endpoint::ApplicationStatus => {
            let email = request.query("email").ok_or_else(|| {
                ApiError::new(
                    ErrorCode::BadRequest,
                    "The `email` query parameter is required.",
                )
            })?;
            let status = applications::application_status(ctx, &principal, email).await?;
            json(StatusCode::OK, &ApplicationStatusSchema::of(&status))
        }
        Endpoint::PartnerByCustomer => {
            let customer_id = found.params.get("customerId");
            let check = applications::partner_by_customer(ctx, &principal, customer_id).await?;
            json(StatusCode::OK, &PartnerCheckSchema::of(&check))
        }
        Endpoint::ListApplications | Endpoint::DubListApplications => {
            let program =
                (found.endpoint == Endpoint::ListApplications).then(|| found.params.get("appId"));
            let filter = application_filter(&request)?;
            let size = request.page_size(DEFAULT_PAGE)?;
            let at = match pages::page_number(&request)? {
                Some(number) => applications::ApplicationsAt::Page(number),
                None => {
                    applications::ApplicationsAt::Cursor(request.query("cursor").map(str::to_owned))
                }
            };
            let page =
                applications::list_applications(ctx, &principal, program, filter, at, size).await?;
            list_response(found.endpoint, page)
        }
        Endpoint::ReviewApplication => {
            let review: Review = request.json()?;
            let outcome = applications::review_application(
                ctx,
                &principal,
                found.params.get("appId"),
                found.params.get("applicationId"),
                review,
            )
            .await?;
            json(StatusCode::OK, &review_body(&outcome))
        }
        Endpoint::DubApprove => {
            let approval = applications::dub_approve(ctx, &principal, request.json()?).await?;
            json(StatusCode::OK, &ApprovedPartnerSchema::of(&approval))
        }
        Endpoint::DubReject => {
            let rejected = applications::dub_reject(ctx, &principal, request.json()?).await?;
            json(StatusCode::OK, &RejectedApplicationSchema::of(&rejected))
        }
    };
    Ok(response)
}

/// StackBE's list is `{data, nextCursor}` of our records; Dub's is a bare array of its
/// `ProgramApplication` schema, the cursor in a header.
fn list_response(endpoint: Endpoint, page: applications::ApplicationPage) -> ApiResponse {
    if endpoint == Endpoint::ListApplications {
        return json(
            StatusCode::OK,
            &ApplicationRecordPageSchema::of(&page.applications, page.next),
        );
    }
    let items: Vec<ProgramApplicationSchema> = page
        .applications
        .iter()
        .map(|application| ProgramApplicationSchema::of(application, &page.form_fields))
        .collect();
    let mut response = json(StatusCode::OK, &items);
    if let Some(value) = page.next.and_then(|next| HeaderValue::from_str(&next).ok()) {
        response.headers_mut().insert("x-next-cursor", value);
    }
    response
}

fn review_body(outcome: &ReviewOutcome) -> ReviewSchema {
    match outcome {
        ReviewOutcome::Approved(approval) => {
            ReviewSchema::Approved(ApprovedReviewSchema::of(approval))
        }
        ReviewOutcome::Rejected(application) => {
            ReviewSchema::Rejected(RejectedReviewSchema::of(application))
        }
    }
}

/// Dub's list filters: `status`, `search`, `groupId`, `country`, `sortOrder` (`asc`, `desc`).
fn application_filter(request: &ApiRequest) -> Result<applications::ApplicationFilter, ApiError> {
    let oldest_first = match request.query("sortOrder") {
        None | Some("desc") => false,
        Some("asc") => true,
        Some(_) => {
            return Err(ApiError::new(
                ErrorCode::BadRequest,
                "`sortOrder` must be asc or desc.",
            ));
        }
    };
    let text = |name: &str| {
        request
            .query(name)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    Ok(applications::ApplicationFilter {
        status: status_filter(request)?,
        search: text("search"),
        group_id: text("groupId"),
        country: text("country"),
        oldest_first,
    })
}

fn status_filter(request: &ApiRequest) -> Result<Option<ApplicationStatus>, ApiError> {
    request
        .query("status")
        .map(|raw| {
            serde_json::from_value(serde_json::Value::String(raw.to_owned())).map_err(|_| {
                ApiError::new(
                    ErrorCode::BadRequest,
                    "`status` must be pending, approved or rejected.",
                )
            })
        })
        .transpose()
}

#[cfg(test)]
mod sample_events;
