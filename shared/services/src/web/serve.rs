use super::limits::check_identifiers;
use super::{ApiError, ApiRequest, ApiResponse, Route, RouteMatch, match_route};
use std::future::Future;
use std::time::Instant;

/// Routes a request, checks its identifiers' lengths (`limits`), runs its endpoint and logs one line: method, route pattern, status and
/// latency. Never the body, the query or the headers, which can carry secrets.
pub async fn serve<E, F, Fut>(routes: &[Route<E>], request: ApiRequest, endpoint: F) -> ApiResponse
where
    E: Copy,
    F: FnOnce(RouteMatch<E>, ApiRequest) -> Fut,
    Fut: Future<Output = Result<ApiResponse, ApiError>>,
{
    let started = Instant::now();
    let method = request.method.clone();
    let (pattern, result) = match match_route(routes, &request.method, &request.path) {
        Ok(found) => match check_identifiers(&found.params, &request) {
            Ok(()) => (found.pattern, endpoint(found, request).await),
            Err(error) => (found.pattern, Err(error)),
        },
        Err(error) => ("(no route)", Err(error)),
    };
    let response = result.unwrap_or_else(ApiResponse::from);
    tracing::info!(
        method = %method,
        route = pattern,
        status = response.status().as_u16(),
        latency_us = started.elapsed().as_micros() as u64,
        "request"
    );
    response
}
