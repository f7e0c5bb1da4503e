//! Pages and their assets, compiled into the function that serves them: the same headers for
//! every page (a policy of the caller's making, no referrer, never cached: a page's URL may
//! hold a token) and every asset (its media type, `nosniff`, a short cache).

use super::ApiResponse;
use http::{HeaderValue, StatusCode, header};

/// What every page allows at most: its own scripts, styles, API and images. A page adds its
/// own `img-src` extras and `frame-ancestors`.
pub fn page_policy(extra_img_sources: &str, frame_ancestors: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:{extra_img_sources}; \
         connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors {frame_ancestors}"
    )
}

fn text(body: &'static str, media_type: &'static str) -> ApiResponse {
    let mut response = http::Response::new(body.as_bytes().to_vec());
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// An HTML page under `policy` (which must be a valid header value: it is built from checked
/// origins only).
pub fn html_page(body: &'static str, policy: &str) -> ApiResponse {
    let mut response = text(body, "text/html; charset=utf-8");
    let headers = response.headers_mut();
    if let Ok(policy) = HeaderValue::from_str(policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    } else {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A page's script (`text/javascript`) or style sheet (`text/css`), cached briefly: a deploy
/// changes it in place.
pub fn asset(body: &'static str, media_type: &'static str) -> ApiResponse {
    let mut response = text(body, media_type);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

/// Whether a page's HTML holds inline code that a strict policy would block: a `<style>`
/// element, a `style` attribute, an `on…=` handler, or more than its one `<script src>`.
pub fn has_inline_code(html: &str) -> bool {
    let lower = html.to_ascii_lowercase();
    let handler = lower.split(" on").skip(1).any(|rest| {
        let name: String = rest.chars().take_while(char::is_ascii_lowercase).collect();
        !name.is_empty() && rest[name.len()..].trim_start().starts_with('=')
    });
    let scripts_without_src = lower
        .split("<script")
        .skip(1)
        .any(|tag| !tag.split('>').next().unwrap_or_default().contains("src="));
    lower.contains("<style") || lower.contains(" style=") || handler || scripts_without_src
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_code_is_found() {
        assert!(!has_inline_code(
            "<html lang=en><script src=\"/a.js\" defer></script><p>on time</p></html>"
        ));
        assert!(has_inline_code("<script>alert(1)</script>"));
        assert!(has_inline_code("<p style=\"color:red\">x</p>"));
        assert!(has_inline_code("<img src=x onerror=\"alert(1)\">"));
        assert!(has_inline_code("<style>p{}</style>"));
    }

    #[test]
    fn pages_carry_their_policy_and_are_never_cached() {
        let policy = page_policy("", "'none'");
        let page = html_page("<p>hi</p>", &policy);
        assert_eq!(
            page.headers()[header::CONTENT_SECURITY_POLICY],
            policy.as_str()
        );
        assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(page.headers()["referrer-policy"], "no-referrer");
        assert!(!policy.contains("unsafe"));
        let script = asset("x", "text/javascript; charset=utf-8");
        assert_eq!(script.headers()["x-content-type-options"], "nosniff");
    }
}
