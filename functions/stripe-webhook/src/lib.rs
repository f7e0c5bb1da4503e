//! The stripe-webhook HTTP function: `POST /stripe/webhook/{programId}` receives the events of
//! the program's Stripe account (`POST /stripe/webhook` finds the program by whose secret
//! signed the event). The signature is the only credential: nothing is read before it holds.

pub mod openapi;

use http::{Method, StatusCode};
use shared::clicks::ClickIdSigner;
use shared::context::AppContext;
use shared::stripe::{self, ReceiveError, Received, StripeEndpoint, signature};
use shared::web::{ApiError, ApiRequest, ApiResponse, ErrorCode, Route, RouteMatch, json, serve};
use shared::wire::stripe::StripeWebhookResponse;

/// The largest event accepted. Stripe's events are well under it (an invoice lists at most a
/// page of lines); past it the answer is 413 and nothing is read.
pub const MAX_EVENT_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// The program by path.
    OfProgram,
    /// The program by secret.
    BySecret,
}

pub const ROUTES: &[Route<Endpoint>] = &[
    Route::new(
        Method::POST,
        "/stripe/webhook/{programId}",
        Endpoint::OfProgram,
    ),
    Route::new(Method::POST, "/stripe/webhook", Endpoint::BySecret),
];

/// Handles one request. Never fails: every error becomes a response in the error envelope.
pub async fn handle<B: AsRef<[u8]>>(
    ctx: &AppContext,
    signer: &ClickIdSigner,
    endpoints: &[StripeEndpoint],
    request: http::Request<B>,
) -> ApiResponse {
    serve(ROUTES, ApiRequest::from_http(request), |found, request| {
        endpoint(ctx, signer, endpoints, found, request)
    })
    .await
}

async fn endpoint(
    ctx: &AppContext,
    signer: &ClickIdSigner,
    endpoints: &[StripeEndpoint],
    found: RouteMatch<Endpoint>,
    request: ApiRequest,
) -> Result<ApiResponse, ApiError> {
    if request.body.len() > MAX_EVENT_BYTES {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("A Stripe event can have at most {MAX_EVENT_BYTES} bytes."),
        ));
    }
    let header = request.header(signature::HEADER);
    let endpoint = match found.endpoint {
        Endpoint::OfProgram => {
            let program = found.params.get("programId");
            endpoints
                .iter()
                .find(|e| e.program.as_str() == program)
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::NotFound,
                        "No Stripe endpoint is configured for this program.",
                    )
                })?
        }
        Endpoint::BySecret => signed_by(ctx, endpoints, header, &request.body)?,
    };
    let received = stripe::receive(ctx, signer, endpoint, header, &request.body)
        .await
        .map_err(api_error)?;
    log(&received);
    Ok(json(StatusCode::OK, &StripeWebhookResponse::of(&received)))
}

/// The endpoint whose secret signed the event (the signature is checked again by `receive`).
fn signed_by<'a>(
    ctx: &AppContext,
    endpoints: &'a [StripeEndpoint],
    header: Option<&str>,
    body: &[u8],
) -> Result<&'a StripeEndpoint, ApiError> {
    let now = ctx.clock.now();
    let mut error = signature::SignatureError::Mismatch;
    for endpoint in endpoints {
        match signature::verify(header, body, &endpoint.secrets, now) {
            Ok(_) => return Ok(endpoint),
            Err(signature::SignatureError::Mismatch) => {}
            Err(other) => error = other,
        }
    }
    Err(api_error(ReceiveError::Signature(error)))
}

fn api_error(error: ReceiveError) -> ApiError {
    match error {
        ReceiveError::Signature(e) => ApiError::new(ErrorCode::BadRequest, e.to_string()),
        ReceiveError::Malformed(reason) => ApiError::new(
            ErrorCode::BadRequest,
            format!("The body is not a Stripe event: {reason}"),
        ),
        ReceiveError::Domain(e) => ApiError::from(e),
    }
}

/// One line per event, with what each step came to; unhandled types are counted by
/// `stripe_unhandled`, unattributed steps by `stripe_unattributed` (metric filters on the logs).
fn log(received: &Received) {
    match received {
        Received::Unhandled { kind, .. } => {
            tracing::info!(event_type = %kind, stripe_unhandled = 1, "stripe event not handled");
        }
        Received::Duplicate { kind, .. } => {
            tracing::info!(event_type = %kind, "stripe event handled before");
        }
        Received::Handled { kind, steps, .. } => {
            let unattributed = steps
                .iter()
                .filter(|(_, o)| matches!(o, stripe::StepOutcome::Unattributed(_)))
                .count();
            tracing::info!(
                event_type = %kind,
                steps = ?steps,
                stripe_unattributed = unattributed,
                "stripe event handled"
            );
        }
    }
}

#[cfg(test)]
mod sample_events;
