//! The program console: the page a program manager opens in a browser, compiled into this
//! function (no CDN, no build step). It signs in with the admin token the business's identity
//! provider issues, keeps it in the page (never in a URL), and calls the same JSON API as
//! everyone else; no endpoint exists for it alone. Framed by no one.

use shared::web::ApiResponse;
use shared::web::static_page::{asset, html_page, page_policy};

const PAGE: &str = include_str!("../assets/console/index.html");
const SCRIPT: &str = include_str!("../assets/console/console.js");
const STYLE: &str = include_str!("../assets/console/console.css");

/// `GET /console`.
pub fn console_page() -> ApiResponse {
    html_page(PAGE, &page_policy("", "'none'"))
}

/// `GET /console/assets/console.js`.
pub fn console_script() -> ApiResponse {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

/// `GET /console/assets/console.css`.
pub fn console_style() -> ApiResponse {
    asset(STYLE, "text/css; charset=utf-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_its_assets_from_this_origin_and_holds_no_inline_code() {
        assert!(PAGE.contains("/console/assets/console.js"));
        assert!(PAGE.contains("/console/assets/console.css"));
        assert!(!shared::web::static_page::has_inline_code(PAGE));
        let policy = console_page().headers()[http::header::CONTENT_SECURITY_POLICY].clone();
        assert!(policy.to_str().unwrap().ends_with("frame-ancestors 'none'"));
    }
}
