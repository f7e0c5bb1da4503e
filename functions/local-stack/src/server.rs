//! The HTTP server: one port, every HTTP function, picked by route.

use crate::stack::Stack;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use shared::web::{ApiError, ApiResponse, ErrorCode, matches_any};
use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;

/// Bodies are read up to this size; the functions answer 413 past their own 64 KB limit.
const READ_LIMIT: usize = 1024 * 1024;

pub async fn serve(listener: TcpListener, stack: Stack, shutdown: impl Future<Output = ()>) {
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let stack = stack.clone();
                connections.spawn(async move {
                    let service = service_fn(move |request| {
                        let stack = stack.clone();
                        async move { Ok::<_, Infallible>(handle(&stack, request).await) }
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
) -> hyper::Response<Full<bytes::Bytes>> {
    let (parts, body) = request.into_parts();
    let response = match Limited::new(body, READ_LIMIT).collect().await {
        Ok(collected) => {
            dispatch(
                stack,
                http::Request::from_parts(parts, collected.to_bytes().to_vec()),
            )
            .await
        }
        Err(_) => ApiResponse::from(ApiError::new(
            ErrorCode::PayloadTooLarge,
            "The request body is too large.",
        )),
    };
    response.map(|body| Full::new(bytes::Bytes::from(body)))
}

/// Sends the request to the function that owns its route, as API Gateway would.
async fn dispatch(stack: &Stack, request: http::Request<Vec<u8>>) -> ApiResponse {
    let path = request.uri().path().to_owned();
    if matches_any(program_admin::ROUTES, &path) {
        return program_admin::handle(&stack.ctx, request).await;
    }
    if matches_any(partner_applications::ROUTES, &path) {
        return partner_applications::handle(&stack.ctx, request).await;
    }
    if matches_any(partner_admin::ROUTES, &path) {
        return partner_admin::handle(&stack.ctx, &stack.partners, request).await;
    }
    if matches_any(webhook_admin::ROUTES, &path) {
        return webhook_admin::handle(&stack.ctx, &stack.webhooks, request).await;
    }
    ApiResponse::from(ApiError::new(
        ErrorCode::NotFound,
        format!("No route for {path}."),
    ))
}
