//! The commission-admin HTTP function: Dub's `GET /customers`, `GET /customers/{id}`,
//! `GET /commissions`, `GET /commissions/{id}`, `PATCH /commissions/{id}`, `GET /payouts` and
//! `GET /payouts/{id}`, and ours: payout runs, confirming, failing and canceling a payout, and
//! the program's ledger. Lists are bare arrays (commissions and customers with the next cursor
//! in `x-next-cursor`), as Dub's SDKs expect.

pub mod openapi;

use http::{HeaderValue, Method, StatusCode};
use shared::commissions::{self, CommissionFilter};
use shared::context::AppContext;
use shared::customers::{self, CustomerFilter};
use shared::payouts::{self, PayoutFilter};
use shared::web::{
    ApiError, ApiRequest, ApiResponse, ErrorCode, Route, RouteMatch, json, pages, serve,
};
use shared::wire::commissions::{CommissionSchema, CommissionStatusSchema};
use shared::wire::customers::{DeletedCustomerSchema, ProgramCustomerSchema};
use shared::wire::payouts::{LedgerSchema, PayoutRunSchema, PayoutSchema};
use time::OffsetDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    ListCustomers,
    GetCustomer,
    UpdateCustomer,
    DeleteCustomer,
    ListCommissions,
    GetCommission,
    UpdateCommission,
    BulkUpdateCommissions,
    ListPayouts,
    GetPayout,
    RunPayouts,
    ConfirmPayout,
    FailPayout,
    CancelPayout,
    Ledger,
    ExportPayouts,
    SendPayout,
}

pub const ROUTES: &[Route<Endpoint>] = &[
    Route::new(Method::GET, "/customers", Endpoint::ListCustomers),
    Route::new(Method::GET, "/customers/{id}", Endpoint::GetCustomer),
    Route::new(Method::PATCH, "/customers/{id}", Endpoint::UpdateCustomer),
    Route::new(Method::DELETE, "/customers/{id}", Endpoint::DeleteCustomer),
    Route::new(Method::GET, "/commissions", Endpoint::ListCommissions),
    Route::new(Method::GET, "/commissions/{id}", Endpoint::GetCommission),
    // Before `/commissions/{id}`: the first route that matches the path and method wins.
    Route::new(
        Method::PATCH,
        "/commissions/bulk",
        Endpoint::BulkUpdateCommissions,
    ),
    Route::new(
        Method::PATCH,
        "/commissions/{id}",
        Endpoint::UpdateCommission,
    ),
    Route::new(Method::GET, "/payouts", Endpoint::ListPayouts),
    Route::new(Method::GET, "/payouts/{id}", Endpoint::GetPayout),
    Route::new(
        Method::POST,
        "/programs/{id}/payouts/run",
        Endpoint::RunPayouts,
    ),
    Route::new(
        Method::POST,
        "/payouts/{id}/confirm",
        Endpoint::ConfirmPayout,
    ),
    Route::new(Method::POST, "/payouts/{id}/fail", Endpoint::FailPayout),
    Route::new(Method::POST, "/payouts/{id}/cancel", Endpoint::CancelPayout),
    Route::new(Method::POST, "/payouts/{id}/send", Endpoint::SendPayout),
    Route::new(Method::GET, "/programs/{id}/ledger", Endpoint::Ledger),
    Route::new(
        Method::GET,
        "/programs/{id}/payouts/export",
        Endpoint::ExportPayouts,
    ),
];

const DEFAULT_PAGE: u32 = 100;

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
    let principal = ctx.auth.authenticate(&request.headers).await?;
    let id = found.params.get("id");
    let response = match found.endpoint {
        Endpoint::ListCustomers => {
            let filter = CustomerFilter {
                external_id: request.query("externalId").map(str::to_owned),
                // Compared in the form emails are stored in (`types::Email`).
                email: request.query("email").map(|email| {
                    shared::types::Email::parse(email)
                        .map(|email| email.as_str().to_owned())
                        .unwrap_or_else(|_| email.to_owned())
                }),
                country: request.query("country").map(str::to_owned),
                starting_after: starting_after(&request)?,
            };
            let expanded = expanded_fields(&request)?;
            let (data, next) = paged(&request, |cursor, size| {
                customers::list_customers(ctx, &principal, filter.clone(), expanded, cursor, size)
            })
            .await?;
            list(data.iter().map(ProgramCustomerSchema::of).collect(), next)
        }
        Endpoint::GetCustomer => json(
            StatusCode::OK,
            &ProgramCustomerSchema::of(
                &customers::get_customer(ctx, &principal, id, expanded_fields(&request)?).await?,
            ),
        ),
        Endpoint::UpdateCustomer => {
            let updated = customers::update_customer(ctx, &principal, id, request.json()?).await?;
            let shown = customers::get_customer(
                ctx,
                &principal,
                updated.as_str(),
                expanded_fields(&request)?,
            );
            json(StatusCode::OK, &ProgramCustomerSchema::of(&shown.await?))
        }
        Endpoint::DeleteCustomer => {
            let deleted = customers::delete_customer(ctx, &principal, id).await?;
            json(StatusCode::OK, &DeletedCustomerSchema { id: deleted })
        }
        Endpoint::ListCommissions => {
            let filter = commission_filter(&request)?;
            let (data, next) = paged(&request, |cursor, size| {
                commissions::list_commissions(ctx, &principal, filter.clone(), cursor, size)
            })
            .await?;
            list(data.iter().map(CommissionSchema::of).collect(), next)
        }
        Endpoint::GetCommission => json(
            StatusCode::OK,
            &CommissionSchema::of(&commissions::get_commission(ctx, &principal, id).await?),
        ),
        Endpoint::BulkUpdateCommissions => {
            let updated =
                commissions::bulk_update_commissions(ctx, &principal, request.json()?).await?;
            let body: Vec<CommissionStatusSchema> = updated
                .into_iter()
                .map(|(id, status)| CommissionStatusSchema { id, status })
                .collect();
            json(StatusCode::OK, &body)
        }
        Endpoint::UpdateCommission => json(
            StatusCode::OK,
            &CommissionSchema::of(
                &commissions::update_commission(ctx, &principal, id, request.json()?).await?,
            ),
        ),
        Endpoint::ListPayouts => {
            let size = request.page_size(DEFAULT_PAGE)?;
            let page = pages::page_number(&request)?.unwrap_or(1);
            let found =
                payouts::list_payouts(ctx, &principal, payout_filter(&request)?, page, size)
                    .await?;
            let body: Vec<PayoutSchema> = found
                .iter()
                .map(|(payout, partner)| PayoutSchema::of(payout, partner.as_ref()))
                .collect();
            json(StatusCode::OK, &body)
        }
        Endpoint::GetPayout => {
            let (payout, partner) = payouts::get_payout(ctx, &principal, id).await?;
            json(StatusCode::OK, &PayoutSchema::of(&payout, partner.as_ref()))
        }
        Endpoint::RunPayouts => {
            let report = payouts::run_payouts(ctx, &principal, id, request.json()?).await?;
            json(StatusCode::OK, &PayoutRunSchema::of(&report))
        }
        Endpoint::ConfirmPayout => {
            let payout = payouts::confirm_payout(ctx, &principal, id, request.json()?).await?;
            payout_with_partner(ctx, &principal, payout).await?
        }
        Endpoint::FailPayout => {
            let payout = payouts::fail_payout(ctx, &principal, id, request.json()?).await?;
            payout_with_partner(ctx, &principal, payout).await?
        }
        Endpoint::SendPayout => {
            let payout = payouts::send_payout(ctx, &principal, id).await?;
            payout_with_partner(ctx, &principal, payout).await?
        }
        Endpoint::CancelPayout => {
            let payout = payouts::cancel_payout(ctx, &principal, id).await?;
            payout_with_partner(ctx, &principal, payout).await?
        }
        Endpoint::ExportPayouts => {
            let format = parse_enum(&request, "format")?
                .ok_or_else(|| bad_request("`format` is required: paypal or wise."))?;
            let status = parse_enum(&request, "status")?;
            let run = request.query("invoiceId").map(str::to_owned);
            let file = payouts::export_payouts(ctx, &principal, id, format, status, run).await?;
            csv_file(file)
        }
        Endpoint::Ledger => json(
            StatusCode::OK,
            &LedgerSchema::of(&payouts::program_ledger(ctx, &principal, id).await?),
        ),
    };
    Ok(response)
}

/// A CSV download.
fn csv_file(file: payouts::PayoutFile) -> ApiResponse {
    let mut response = http::Response::new(file.csv.into_bytes());
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    let disposition = format!("attachment; filename=\"{}\"", file.file_name);
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(http::header::CONTENT_DISPOSITION, value);
    }
    response
}

/// A changed payout as `GET /payouts/{id}` shows it.
async fn payout_with_partner(
    ctx: &AppContext,
    principal: &shared::auth::Principal,
    payout: shared::model::Payout,
) -> Result<ApiResponse, ApiError> {
    let (_, partner) = payouts::get_payout(ctx, principal, payout.id.as_str()).await?;
    Ok(json(
        StatusCode::OK,
        &PayoutSchema::of(&payout, partner.as_ref()),
    ))
}

/// Dub's `GET /payouts` filters and sorts.
fn payout_filter(request: &ApiRequest) -> Result<PayoutFilter, ApiError> {
    Ok(PayoutFilter {
        status: parse_enum(request, "status")?,
        partner_id: request
            .query("partnerId")
            .map(|id| {
                shared::types::PartnerId::parse(id)
                    .map_err(|_| bad_request("`partnerId` is not a partner id."))
            })
            .transpose()?,
        tenant_id: request.query("tenantId").map(str::to_owned),
        invoice_id: request.query("invoiceId").map(str::to_owned),
        sort_by: parse_enum(request, "sortBy")?.unwrap_or_default(),
        ascending: match request.query("sortOrder") {
            None | Some("desc") => false,
            Some("asc") => true,
            Some(_) => return Err(bad_request("`sortOrder` must be asc or desc.")),
        },
    })
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::BadRequest, message)
}

/// Dub's `includeExpandedFields`: `true` or `false` (absent: `false`).
fn expanded_fields(request: &ApiRequest) -> Result<bool, ApiError> {
    match request.query("includeExpandedFields") {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(bad_request(
            "`includeExpandedFields` must be true or false.",
        )),
    }
}

/// Dub's `startingAfter` (an item id: how newer SDKs page). `endingBefore` pages backwards,
/// which these lists do not offer (400); neither goes with `page` or `cursor`.
fn starting_after(request: &ApiRequest) -> Result<Option<String>, ApiError> {
    if request.query("endingBefore").is_some() {
        return Err(bad_request(
            "`endingBefore` is not offered here; page with `startingAfter`, `cursor` or `page`.",
        ));
    }
    let after = request.query("startingAfter").map(str::to_owned);
    if after.is_some() && (request.query("page").is_some() || request.query("cursor").is_some()) {
        return Err(bad_request(
            "Give one of `startingAfter`, `cursor` and `page`.",
        ));
    }
    Ok(after)
}

/// One page of a list, by `cursor` or by Dub's `page` number (`web::pages`).
async fn paged<T, F, Fut>(
    request: &ApiRequest,
    fetch: F,
) -> Result<(Vec<T>, Option<String>), ApiError>
where
    F: FnMut(Option<String>, u32) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), shared::error::DomainError>>,
{
    let size = request.page_size(DEFAULT_PAGE)?;
    let mut fetch = fetch;
    let found = match pages::page_number(request)? {
        Some(page) => pages::nth_page(page, size, fetch).await,
        None => fetch(request.query("cursor").map(str::to_owned), size).await,
    };
    Ok(found?)
}

fn list<T: serde::Serialize>(data: Vec<T>, next: Option<String>) -> ApiResponse {
    let mut response = json(StatusCode::OK, &data);
    if let Some(value) = next.and_then(|next| HeaderValue::from_str(&next).ok()) {
        response.headers_mut().insert("x-next-cursor", value);
    }
    response
}

fn parse_enum<T: serde::de::DeserializeOwned>(
    request: &ApiRequest,
    name: &str,
) -> Result<Option<T>, ApiError> {
    request
        .query(name)
        .map(|raw| {
            serde_json::from_value(serde_json::Value::String(raw.to_owned()))
                .map_err(|_| bad_request(format!("`{name}` has an unknown value.")))
        })
        .transpose()
}

/// An ISO 8601 date-time, or a date (midnight UTC).
fn parse_time(request: &ApiRequest, name: &str) -> Result<Option<OffsetDateTime>, ApiError> {
    use time::format_description::well_known::Rfc3339;
    request
        .query(name)
        .map(|raw| {
            OffsetDateTime::parse(raw, &Rfc3339)
                .or_else(|_| OffsetDateTime::parse(&format!("{raw}T00:00:00Z"), &Rfc3339))
                .map_err(|_| bad_request(format!("`{name}` must be an ISO 8601 date or time.")))
        })
        .transpose()
}

fn commission_filter(request: &ApiRequest) -> Result<CommissionFilter, ApiError> {
    let parse_id = |name: &str| -> Result<Option<String>, ApiError> {
        Ok(request.query(name).map(str::to_owned))
    };
    Ok(CommissionFilter {
        partner_id: parse_id("partnerId")?
            .map(|id| {
                shared::types::PartnerId::parse(&id)
                    .map_err(|_| bad_request("`partnerId` is not a partner id."))
            })
            .transpose()?,
        tenant_id: parse_id("tenantId")?,
        customer_id: parse_id("customerId")?
            .map(|id| {
                shared::types::CustomerId::parse(&id)
                    .map_err(|_| bad_request("`customerId` is not a customer id."))
            })
            .transpose()?,
        invoice_id: parse_id("invoiceId")?,
        starting_after: starting_after(request)?,
        status: parse_enum(request, "status")?,
        kind: parse_enum(request, "type")?,
        start: parse_time(request, "start")?,
        end: parse_time(request, "end")?,
        ascending: match request.query("sortOrder") {
            None | Some("desc") => false,
            Some("asc") => true,
            Some(_) => return Err(bad_request("`sortOrder` must be asc or desc.")),
        },
    })
}

#[cfg(test)]
mod sample_events;
