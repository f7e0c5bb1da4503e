//! The click-redirect function, served by a Lambda Function URL (no API Gateway: its
//! $1 per million requests would be five times the Lambda fee). Reads the request into a
//! [`Visit`], lets the [`Redirector`] answer, and writes the answer as an HTTP response.
//!
//! Behind CloudFront the short-link domain arrives in `X-Forwarded-Host` (the Function URL
//! needs its own `Host`), the country in `CloudFront-Viewer-Country` and the viewer's address
//! in `CloudFront-Viewer-Address`.

use http::{HeaderValue, header};
use shared::clicks::RedirectResponse;
use shared::clicks::Redirector;
use shared::clicks::Visit;
use shared::web::Edge;

pub type Response = http::Response<Vec<u8>>;

/// Answers a request for `https://{Host}/{key}`.
pub async fn handle<B>(redirector: &Redirector, request: &http::Request<B>) -> Response {
    let domain = header_str(request, "x-forwarded-host")
        .or_else(|| header_str(request, "host"))
        .unwrap_or_default();
    handle_at(redirector, request, domain, request.uri().path()).await
}

/// Answers a request for link `path` on `domain` (the local stack's `/r/{domain}/{key}`).
pub async fn handle_at<B>(
    redirector: &Redirector,
    request: &http::Request<B>,
    domain: &str,
    path: &str,
) -> Response {
    let ip = shared::aws::client_ip(request, Edge::CloudFront);
    let visit = Visit {
        head: request.method() == http::Method::HEAD,
        domain,
        path,
        query: request.uri().query(),
        user_agent: header_str(request, "user-agent").unwrap_or_default(),
        client_ip: ip.as_deref().unwrap_or_default(),
        country: header_str(request, "cloudfront-viewer-country"),
        referer: header_str(request, "referer"),
        cookies: header_str(request, "cookie"),
    };
    let answer = redirector.visit(&visit).await;
    tracing::debug!(status = answer.status, "redirect");
    response(answer)
}

fn header_str<'a, B>(request: &'a http::Request<B>, name: &str) -> Option<&'a str> {
    request
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
}

fn response(answer: RedirectResponse) -> Response {
    let mut response =
        http::Response::new(answer.page.map(str::as_bytes).unwrap_or_default().to_vec());
    *response.status_mut() =
        http::StatusCode::from_u16(answer.status).unwrap_or(http::StatusCode::NOT_FOUND);
    let headers = response.headers_mut();
    // Every click must reach us: no browser or CDN caching, not even of the 301.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    if let Some(location) = answer.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    if let Some(cookie) = answer
        .set_cookie
        .and_then(|c| HeaderValue::from_str(&c).ok())
    {
        headers.insert(header::SET_COOKIE, cookie);
    }
    if answer.page.is_some() {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
    }
    response
}

#[cfg(test)]
mod sample_events;
