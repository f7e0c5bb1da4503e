//! The HTTP server: one port, every HTTP function, picked by route.

use crate::stack::Stack;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use shared::web::{ApiError, ApiResponse, ErrorCode, matches_any};
use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;

/// Bodies are kept up to the largest of the functions' own limits (a Stripe event's); past it
/// the server answers 413 itself, and each function checks its own.
const READ_LIMIT: usize = stripe_webhook::MAX_EVENT_BYTES;
/// Past the limit the rest of a body is still read, and dropped, up to this much: a server
/// that answers and closes while the client is still sending makes the client's kernel see a
/// reset, which can discard the answer before the client reads it.
const DRAIN_LIMIT: usize = 16 * 1024 * 1024;
/// The whole body must arrive within this time (a client trickling bytes holds a connection).
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn serve(listener: TcpListener, stack: Stack, shutdown: impl Future<Output = ()>) {
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let stack = stack.clone();
                connections.spawn(async move {
                    let service = service_fn(move |request| {
                        let stack = stack.clone();
                        async move { Ok::<_, Infallible>(handle(&stack, request, peer).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            () = &mut shutdown => break,
        }
    }
    // Let requests in flight finish, briefly.
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while connections.join_next().await.is_some() {}
    })
    .await;
}

async fn handle(
    stack: &Stack,
    request: hyper::Request<Incoming>,
    peer: std::net::SocketAddr,
) -> hyper::Response<Full<bytes::Bytes>> {
    let (mut parts, body) = request.into_parts();
    // The client's address, as API Gateway and CloudFront pass it on.
    if !parts.headers.contains_key("x-forwarded-for")
        && let Ok(value) = http::HeaderValue::from_str(&peer.ip().to_string())
    {
        parts.headers.insert("x-forwarded-for", value);
    }
    let response = match read_body(body).await {
        Ok(body) => dispatch(stack, http::Request::from_parts(parts, body)).await,
        Err(error) => {
            let mut response = ApiResponse::from(error);
            response.headers_mut().insert(
                http::header::CONNECTION,
                http::HeaderValue::from_static("close"),
            );
            response
        }
    };
    response.map(|body| Full::new(bytes::Bytes::from(body)))
}

/// Reads a request body of at most [`READ_LIMIT`] bytes within [`BODY_TIMEOUT`], with or
/// without a length. Over the limit: 413, once the rest was drained (see [`DRAIN_LIMIT`]).
async fn read_body(mut body: Incoming) -> Result<Vec<u8>, ApiError> {
    let deadline = tokio::time::Instant::now() + BODY_TIMEOUT;
    let too_large = || {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("The request body is larger than {READ_LIMIT} bytes."),
        )
    };
    let (mut kept, mut seen) = (Vec::new(), 0usize);
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) if seen > READ_LIMIT => return Err(too_large()),
            Err(_) => {
                return Err(ApiError::new(
                    ErrorCode::RequestTimeout,
                    "The request body did not arrive in time.",
                ));
            }
            Ok(None) => break,
            Ok(Some(Err(_))) => {
                return Err(ApiError::new(
                    ErrorCode::BadRequest,
                    "The request body could not be read.",
                ));
            }
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen = seen.saturating_add(data.len());
        if seen <= READ_LIMIT {
            kept.extend_from_slice(&data);
        } else if seen > DRAIN_LIMIT {
            break;
        }
    }
    if seen > READ_LIMIT {
        return Err(too_large());
    }
    Ok(kept)
}

/// Sends the request to the function that owns it, as CloudFront and API Gateway would: a
/// request whose `Host` is not this machine's is a short link of that domain (the redirect);
/// `/r/{domain}/{key}` is a short link of `domain`; the rest goes by route.
async fn dispatch(stack: &Stack, request: http::Request<Vec<u8>>) -> ApiResponse {
    if let Some(domain) = short_link_host(&request) {
        let domain = domain.to_owned();
        let path = request.uri().path().to_owned();
        return link_redirect::handle_at(&stack.redirector, &request, &domain, &path).await;
    }
    if let Some(rest) = request
        .uri()
        .path()
        .strip_prefix(crate::stack::SHORT_LINK_PREFIX)
    {
        let (domain, key) = rest.split_once('/').unwrap_or((rest, ""));
        let (domain, key) = (domain.to_owned(), format!("/{key}"));
        return link_redirect::handle_at(&stack.redirector, &request, &domain, &key).await;
    }
    let path = request.uri().path().to_owned();
    if matches_any(program_admin::ROUTES, &path) {
        return program_admin::handle(&stack.ctx, request).await;
    }
    if matches_any(partner_applications::ROUTES, &path) {
        return partner_applications::handle(&stack.ctx, request).await;
    }
    if matches_any(link_admin::ROUTES, &path) {
        return link_admin::handle(&stack.ctx, &stack.track, request).await;
    }
    if matches_any(partner_admin::ROUTES, &path) {
        return partner_admin::handle(&stack.ctx, &stack.partners, request).await;
    }
    if matches_any(analytics::ROUTES, &path) {
        return analytics::handle(&stack.ctx, request).await;
    }
    if matches_any(webhook_admin::ROUTES, &path) {
        return webhook_admin::handle(&stack.ctx, &stack.webhooks, request).await;
    }
    if matches_any(conversion_tracking::ROUTES, &path) {
        return conversion_tracking::handle(&stack.ctx, &stack.click_ids, request).await;
    }
    if matches_any(stripe_webhook::ROUTES, &path) {
        let endpoints = stack
            .stripe_endpoints
            .read()
            .map(|endpoints| endpoints.clone())
            .unwrap_or_default();
        return stripe_webhook::handle(&stack.ctx, &stack.click_ids, &endpoints, request).await;
    }
    if matches_any(commission_admin::ROUTES, &path) {
        return commission_admin::handle(&stack.ctx, request).await;
    }
    // Last: its exact `/partners/sessions` and `/v1/affiliate…` paths never shadow another
    // function's routes.
    if matches_any(partner_portal::ROUTES, &path) {
        return partner_portal::handle(&stack.ctx, &stack.portal_links, request).await;
    }
    if path == crate::front_page::PATH && request.method() == http::Method::GET {
        return crate::front_page::serve(stack);
    }
    if path == crate::demo::DEMO_CLICK_PATH {
        return crate::demo::demo_click(stack, &request).await;
    }
    if path == crate::demo::DEMO_EMBED_PATH && request.method() == http::Method::GET {
        return crate::demo::demo_embed(stack).await;
    }
    if path == crate::demo::RUN_SCHEDULED_PATH && request.method() == http::Method::POST {
        return crate::demo::run_scheduled(stack, &request).await;
    }
    ApiResponse::from(ApiError::new(
        ErrorCode::NotFound,
        format!("No route for {path}."),
    ))
}

/// The `Host` of a request for a short link: any host but this machine's own names.
fn short_link_host<B>(request: &http::Request<B>) -> Option<&str> {
    let host = request.headers().get(http::header::HOST)?.to_str().ok()?;
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    let local = ["localhost", "127.0.0.1", "[::1]", "0.0.0.0"]
        .iter()
        .any(|own| name.eq_ignore_ascii_case(own));
    (!local && !name.is_empty()).then_some(host)
}
