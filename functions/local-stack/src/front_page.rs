//! `GET /`: what a newcomer's browser shows at the local stack's address: where the demo's
//! credentials are (their names and file, never the values), and links to what can be opened.

use crate::demo::Demo;
use base64::Engine;
use sha2::{Digest, Sha256};
use shared::web::ApiResponse;

pub const PATH: &str = "/";

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;\
padding:0 1rem;color:#1b1b1f}code{background:#f1f1f4;padding:.1rem .3rem;border-radius:3px}\
a{color:#0b57d0}li{margin:.3rem 0}";

/// Text made safe to place in HTML: every value is rendered as text.
fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            other => other.to_string(),
        })
        .collect()
}

fn body(demo: &Demo, demo_file: &str) -> String {
    let program = escape(&demo.program_id);
    let link = demo
        .demo_link
        .as_deref()
        .map(|link| format!("<li><a href=\"{0}\">{0}</a>: the demo partner's short link (a click is counted)</li>", escape(link)))
        .unwrap_or_default();
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>Partnerline local stack</title><style>{STYLE}</style></head><body><main>\
<h1>Partnerline local stack</h1>\
<p>Every HTTP function of Partnerline on this port, over the embedded engines, with the queue consumers running in-process.</p>\
<h2>Demo program</h2><p>Program id: <code>{program}</code></p>\
<p>Its credentials are in <code>{file}</code> (they are not shown here):</p><ul>\
<li><code>apiKey</code>: a program API key with every scope (<code>Authorization: Bearer …</code>)</li>\
<li><code>adminToken</code>: an admin token of the program</li>\
<li><code>platformToken</code>: an admin token that may create programs</li>\
<li><code>stripeWebhookSecret</code>: the signing secret of <code>POST /stripe/webhook/{program}</code></li></ul>\
<h2>Open</h2><ul>\
<li><a href=\"/openapi.json\">/openapi.json</a>: the API's OpenAPI document</li>{link}\
<li><a href=\"/local/embed\">/local/embed</a>: the demo partner's embedded referral dashboard</li>\
<li><a href=\"/console\">/console</a>: the program console (sign in with the <code>adminToken</code>)</li></ul>\
<h2>Read</h2><p>The repository's <code>README.md</code> (a five-minute tour with <code>curl</code>) and <code>docs/</code>, one file per area.</p>\
</main></body></html>",
        file = escape(demo_file),
    )
}

/// The page, under a policy that allows nothing but its own inline style.
pub fn page(demo: &Demo, demo_file: &str) -> ApiResponse {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
    let policy = format!(
        "default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    );
    http::Response::builder()
        .status(http::StatusCode::OK)
        .header(http::header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(http::header::CONTENT_SECURITY_POLICY, policy)
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "no-referrer")
        .header(http::header::CACHE_CONTROL, "no-store")
        .body(body(demo, demo_file).into_bytes())
        .expect("a valid response")
}

/// `GET /`: the front page, from the saved demo (a 404 in the envelope before it exists).
pub fn serve(stack: &crate::stack::Stack) -> shared::web::ApiResponse {
    use shared::web::{ApiError, ApiResponse, ErrorCode};
    let path = stack.data_dir.join("demo.json");
    match std::fs::read_to_string(&path)
        .ok()
        .and_then(|raw| serde_json::from_str::<Demo>(&raw).ok())
    {
        Some(demo) => page(&demo, &path.display().to_string()),
        None => ApiResponse::from(ApiError::new(
            ErrorCode::NotFound,
            "The demo program is not set up yet.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Demo {
        Demo {
            base_url: "http://127.0.0.1:3000".into(),
            program_id: "prog_<script>".into(),
            api_key: "plk_secret_value".into(),
            admin_token: "eyJ.secret.token".into(),
            platform_token: "eyJ.platform.token".into(),
            demo_partner_id: None,
            demo_link_id: None,
            demo_link: Some("http://127.0.0.1:3000/r/demo/welcome?a=1&b=\"2\"".into()),
            stripe_webhook_secret: Some("whsec_secret_value".into()),
        }
    }

    #[test]
    fn the_page_names_the_credentials_and_never_shows_them() {
        let response = page(&demo(), ".local-stack/demo.json");
        let html = String::from_utf8(response.body().clone()).unwrap();
        for secret in [
            "plk_secret_value",
            "eyJ.secret",
            "eyJ.platform",
            "whsec_secret_value",
        ] {
            assert!(!html.contains(secret), "{secret} is on the page");
        }
        for name in [
            "apiKey",
            "adminToken",
            "stripeWebhookSecret",
            ".local-stack/demo.json",
            "/openapi.json",
        ] {
            assert!(html.contains(name), "{name} is missing");
        }
        assert!(html.contains("prog_&lt;script&gt;") && !html.contains("<script>"));
        assert!(html.contains("a=1&amp;b=&quot;2&quot;"));
        let policy = response.headers()[http::header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(
            policy.starts_with("default-src 'none'; style-src 'sha256-"),
            "{policy}"
        );
        assert_eq!(
            response.headers()[http::header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
    }
}
