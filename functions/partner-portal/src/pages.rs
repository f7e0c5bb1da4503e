//! The embedded referral dashboard's page and assets, compiled into the function: no CDN and
//! no build step. The page holds no inline script or style, so its policy allows only this
//! origin's files; `frame-ancestors` names the program's allowed origins, found through the
//! token in the page's URL (an unknown token frames nowhere, and its page says it expired).

use shared::context::AppContext;
use shared::error::DomainError;
use shared::portal::embed::{EmbedLook, embed_look, find_embed_token};
use shared::programs::find_program;
use shared::web::ApiResponse;
use shared::web::static_page::{asset, html_page, page_policy};

const PAGE: &str = include_str!("../assets/embed/index.html");
const SCRIPT: &str = include_str!("../assets/embed/embed.js");
const STYLE: &str = include_str!("../assets/embed/embed.css");

/// Images from the logo's origin too; framed only by the program's origins.
pub fn embed_policy(look: Option<&EmbedLook>) -> String {
    let logo = look
        .and_then(EmbedLook::logo_origin)
        .map(|origin| format!(" {origin}"))
        .unwrap_or_default();
    let ancestors = look.map_or_else(|| "'none'".to_owned(), EmbedLook::frame_ancestors);
    page_policy(&logo, &ancestors)
}

/// The look of the program the URL's token belongs to, traded or not (a reload of a traded
/// token still shows its "expired" message inside the business's frame).
async fn look_of_token(
    ctx: &AppContext,
    token: Option<&str>,
) -> Result<Option<EmbedLook>, DomainError> {
    let Some(token) = token else { return Ok(None) };
    let store = ctx.store.as_ref();
    let Some(record) = find_embed_token(store, token).await? else {
        return Ok(None);
    };
    let program = find_program(store, &record.program_id).await?;
    Ok(program.map(|program| embed_look(&program.settings)))
}

/// `GET /embed/referrals?token=…`.
pub async fn embed_page(ctx: &AppContext, token: Option<&str>) -> Result<ApiResponse, DomainError> {
    let look = look_of_token(ctx, token).await?;
    Ok(html_page(PAGE, &embed_policy(look.as_ref())))
}

/// `GET /embed/assets/embed.js`.
pub fn embed_script() -> ApiResponse {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

/// `GET /embed/assets/embed.css`.
pub fn embed_style() -> ApiResponse {
    asset(STYLE, "text/css; charset=utf-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_the_logo_and_the_programs_frames() {
        assert!(embed_policy(None).ends_with("frame-ancestors 'none'"));
        let look = EmbedLook {
            allowed_origins: vec!["https://app.acme.com".into()],
            theme_color: "#000000".into(),
            logo_url: Some("https://cdn.acme.com/logo.png".into()),
        };
        let policy = embed_policy(Some(&look));
        assert!(policy.ends_with("frame-ancestors https://app.acme.com"));
        assert!(policy.contains("img-src 'self' data: https://cdn.acme.com;"));
    }

    #[test]
    fn the_page_loads_its_assets_from_this_origin_and_holds_no_inline_code() {
        assert!(PAGE.contains("/embed/assets/embed.js"));
        assert!(PAGE.contains("/embed/assets/embed.css"));
        assert!(!shared::web::static_page::has_inline_code(PAGE));
        assert!(
            SCRIPT.len() + STYLE.len() + PAGE.len() > 1_000,
            "the page is there"
        );
    }
}
