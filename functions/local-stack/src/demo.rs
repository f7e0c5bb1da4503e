//! The demo program a newcomer gets on first start, and the credentials printed for it.

use crate::stack::Stack;
use shared::auth::{AdminClaims, CREATE_PROGRAMS_SCOPE, Principal, Scope};
use shared::error::DomainError;
use shared::links;
use shared::program_launch::{self, CreateProgram};
use shared::programs::{self, CreateApiKey, DomainName};
use std::path::Path;

/// What the first start made, saved as `demo.json` in the data directory for scripts.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Demo {
    pub base_url: String,
    pub program_id: String,
    pub api_key: String,
    pub admin_token: String,
    pub platform_token: String,
    /// The demo partner (default group) and its referral link, whose clicks
    /// `GET /local/demo-click` signs; absent in data directories made before they existed.
    #[serde(default)]
    pub demo_partner_id: Option<String>,
    #[serde(default)]
    pub demo_link_id: Option<String>,
    /// A short link of the demo domain, clickable in a browser (`/r/{domain}/{key}`).
    #[serde(default)]
    pub demo_link: Option<String>,
    /// The signing secret of the demo program's Stripe endpoint (`/stripe/webhook/{programId}`):
    /// what Stripe's dashboard (or `stripe listen`) shows as the endpoint's `whsec_...`.
    #[serde(default)]
    pub stripe_webhook_secret: Option<String>,
}

/// Local only (never deployed): a fresh click id on the demo partner's link, as the click
/// redirect would hand out, so that scripts can drive click → lead → sale.
pub const DEMO_CLICK_PATH: &str = "/local/demo-click";
/// Opens the demo partner's embedded referral dashboard: mints a public token (it works
/// once) and redirects to the page, so the printed URL works at every click.
pub const DEMO_EMBED_PATH: &str = "/local/embed";
/// Runs the scheduled jobs (the commission maturation, with the cancel jobs and the payouts
/// left unsettled) now instead of at the next minute.
pub const RUN_SCHEDULED_PATH: &str = "/local/run-scheduled";

const DEMO_DOMAIN: &str = "demo.partnerline.localhost";
const DEMO_LINK_KEY: &str = "welcome";
const DEMO_LINK_URL: &str = "https://example.com/welcome";
const TOKEN_LIFETIME: time::Duration = time::Duration::days(365);

pub async fn ensure_demo(stack: &Stack, data_dir: &Path, base_url: &str) -> Result<Demo, String> {
    let path = data_dir.join("demo.json");
    if let Ok(saved) = std::fs::read_to_string(&path) {
        let mut demo: Demo = serde_json::from_str(&saved)
            .map_err(|e| format!("{} is corrupt: {e}", path.display()))?;
        demo.base_url = base_url.to_owned();
        demo.demo_link = Some(ensure_demo_link(stack, &demo.program_id, base_url).await?);
        if demo.stripe_webhook_secret.is_none() {
            demo.stripe_webhook_secret = Some(new_stripe_secret(stack));
        }
        serve_stripe_endpoint(stack, &demo)?;
        save(&demo, &path)?;
        return Ok(demo);
    }
    let expires = (stack.ctx.clock.now() + TOKEN_LIFETIME).unix_timestamp() as u64;
    let platform_token = stack.tokens.issue(
        "local-platform-admin",
        None,
        Some(CREATE_PROGRAMS_SCOPE),
        expires,
    );
    let platform = Principal::Admin(AdminClaims {
        sub: "local-platform-admin".into(),
        iss: String::new(),
        aud: String::new(),
        exp: expires,
        program_id: None,
        scope: Some(CREATE_PROGRAMS_SCOPE.into()),
    });
    let program = program_launch::create_program(
        &stack.ctx,
        &platform,
        CreateProgram {
            name: "Demo program".into(),
            domain: DomainName::parse(DEMO_DOMAIN).map_err(|e| e.to_string())?,
            currency: Default::default(),
            settings: Default::default(),
        },
    )
    .await
    .map_err(|e| format!("cannot create the demo program: {e}"))?;
    let admin_token = stack
        .tokens
        .issue("local-admin", Some(&program.id), None, expires);
    let admin = Principal::Admin(AdminClaims {
        sub: "local-admin".into(),
        iss: String::new(),
        aud: String::new(),
        exp: expires,
        program_id: Some(program.id.clone()),
        scope: None,
    });
    crate::demo_setup::configure(&stack.ctx, &admin, program.id.as_str()).await?;
    let (partner_id, link_id) = crate::demo_setup::demo_partner(&stack.ctx, &program).await?;
    let key = programs::create_api_key(
        &stack.ctx,
        &admin,
        program.id.as_str(),
        CreateApiKey {
            name: "Demo key".into(),
            scopes: vec![Scope::All],
            expires_at: None,
        },
    )
    .await
    .map_err(|e| format!("cannot create the demo API key: {e}"))?;
    let demo = Demo {
        base_url: base_url.to_owned(),
        program_id: program.id.to_string(),
        api_key: key.key.ok_or("the new key has no secret")?,
        demo_link: Some(ensure_demo_link(stack, program.id.as_str(), base_url).await?),
        admin_token,
        platform_token,
        demo_partner_id: Some(partner_id.to_string()),
        demo_link_id: Some(link_id.to_string()),
        stripe_webhook_secret: Some(new_stripe_secret(stack)),
    };
    serve_stripe_endpoint(stack, &demo)?;
    save(&demo, &path)?;
    Ok(demo)
}

/// The demo program's `welcome` link (made when missing, also in data directories older than
/// short links), as a URL of the local stack.
async fn ensure_demo_link(stack: &Stack, program: &str, base_url: &str) -> Result<String, String> {
    let program = shared::types::ProgramId::parse(program).map_err(|e| e.to_string())?;
    let admin = Principal::Admin(AdminClaims {
        sub: "local-admin".into(),
        iss: String::new(),
        aud: String::new(),
        exp: u64::MAX / 2,
        program_id: Some(program),
        scope: None,
    });
    let found = links::link_info(
        &stack.ctx,
        &admin,
        Some(DEMO_DOMAIN),
        Some(DEMO_LINK_KEY),
        None,
        None,
    )
    .await;
    if let Err(DomainError::NotFound(_)) = found {
        let request = links::CreateLink {
            url: DEMO_LINK_URL.into(),
            key: Some(DEMO_LINK_KEY.into()),
            ..Default::default()
        };
        links::create_link(&stack.ctx, &admin, request)
            .await
            .map_err(|e| format!("cannot create the demo link: {e}"))?;
    } else if let Err(error) = found {
        return Err(format!("cannot read the demo link: {error}"));
    }
    Ok(format!(
        "{base_url}{}{DEMO_DOMAIN}/{DEMO_LINK_KEY}",
        crate::stack::SHORT_LINK_PREFIX
    ))
}

/// A Stripe-shaped endpoint secret: `whsec_` and 32 random bytes, base64.
fn new_stripe_secret(stack: &Stack) -> String {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    stack.ctx.random.fill(&mut bytes);
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
    )
}

/// The demo program's Stripe endpoint, with the secret saved in `demo.json`.
fn serve_stripe_endpoint(stack: &Stack, demo: &Demo) -> Result<(), String> {
    let secret = demo
        .stripe_webhook_secret
        .clone()
        .ok_or("the demo has no Stripe secret")?;
    let endpoint = shared::stripe::StripeEndpoint {
        program: shared::types::ProgramId::parse(&demo.program_id).map_err(|e| e.0)?,
        secrets: vec![shared::stripe::StripeSecret::new(secret)],
    };
    stack
        .stripe_endpoints
        .write()
        .map_err(|_| "the Stripe endpoints lock is poisoned")?
        .push(endpoint);
    Ok(())
}

fn save(demo: &Demo, path: &Path) -> Result<(), String> {
    let json = serde_json::to_string_pretty(demo).expect("demo serialises");
    std::fs::write(path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Prints how to call the stack at once. The credentials are local, made for this data
/// directory; printing them is the point.
#[allow(clippy::print_stdout)]
pub fn announce(demo: &Demo, data_dir: &Path, base_url: &str) {
    println!(
        "\nPartnerline local stack on {base_url}\n\
         Data directory: {dir} (delete it to start afresh)\n\
         Credentials (also in {dir}/demo.json):\n  \
           program id:     {program}\n  \
           API key:        {key}\n  \
           admin token:    {token}\n  \
           Stripe webhook: {base_url}/stripe/webhook/{program}\n  \
           its secret:     {stripe}\n\n\
         Try:\n  curl -s {base_url}/programs/{program} -H 'Authorization: Bearer {key}'\n  \
           open {link}   (a short link: 302 to its destination, click counted)\n  \
           open {base_url}{embed}   (the demo partner's embedded referral dashboard)\n  \
           open {base_url}/console   (the program console: sign in with the admin token above)\n",
        dir = data_dir.display(),
        program = demo.program_id,
        key = demo.api_key,
        token = demo.admin_token,
        stripe = demo.stripe_webhook_secret.as_deref().unwrap_or_default(),
        link = demo.demo_link.as_deref().unwrap_or_default(),
        embed = DEMO_EMBED_PATH,
    );
}

/// `POST /local/run-scheduled` with the demo program's API key: the maturation's report.
pub async fn run_scheduled(
    stack: &Stack,
    request: &http::Request<Vec<u8>>,
) -> shared::web::ApiResponse {
    use shared::web::{ApiError, ApiResponse, ErrorCode};
    let saved = std::fs::read_to_string(stack.data_dir.join("demo.json"))
        .ok()
        .and_then(|raw| serde_json::from_str::<Demo>(&raw).ok());
    let principal = match stack.ctx.auth.authenticate(request.headers()).await {
        Ok(principal) => principal,
        Err(error) => return ApiResponse::from(ApiError::from(error)),
    };
    let demo = saved.filter(|demo| {
        principal.program_id().map(|p| p.as_str()) == Some(demo.program_id.as_str())
    });
    if demo.is_none() {
        return ApiResponse::from(ApiError::new(ErrorCode::NotFound, "Not the demo program."));
    }
    match commission_maturation::handle(&stack.ctx, serde_json::Value::Null).await {
        Ok(report) => shared::web::json(http::StatusCode::OK, &report),
        Err(error) => ApiResponse::from(ApiError::new(
            ErrorCode::InternalServerError,
            error.to_string(),
        )),
    }
}

/// `GET /local/demo-click` with the demo program's API key: `{clickId, linkId, partnerId}`.
pub async fn demo_click(
    stack: &Stack,
    request: &http::Request<Vec<u8>>,
) -> shared::web::ApiResponse {
    use shared::web::{ApiError, ApiResponse, ErrorCode};
    let saved = std::fs::read_to_string(stack.data_dir.join("demo.json"))
        .ok()
        .and_then(|raw| serde_json::from_str::<Demo>(&raw).ok());
    let principal = match stack.ctx.auth.authenticate(request.headers()).await {
        Ok(principal) => principal,
        Err(error) => return ApiResponse::from(ApiError::from(error)),
    };
    let Some(demo) = saved.filter(|demo| {
        principal.program_id().map(|p| p.as_str()) == Some(demo.program_id.as_str())
    }) else {
        return ApiResponse::from(ApiError::new(ErrorCode::NotFound, "Not the demo program."));
    };
    let (Some(partner), Some(link)) = (demo.demo_partner_id, demo.demo_link_id) else {
        return ApiResponse::from(ApiError::new(
            ErrorCode::NotFound,
            "This data directory predates the demo partner: delete it to start afresh.",
        ));
    };
    let claims = shared::clicks::ClickClaims {
        clicked_at: stack.ctx.clock.now(),
        link_id: shared::types::LinkId::parse(&link).expect("a saved link id"),
        country: Some("US".into()),
    };
    match stack.click_ids.issue(&claims, stack.ctx.random.as_ref()) {
        Ok(click) => shared::web::json(
            http::StatusCode::OK,
            &serde_json::json!({ "clickId": click, "linkId": link, "partnerId": partner }),
        ),
        Err(error) => ApiResponse::from(ApiError::new(
            ErrorCode::InternalServerError,
            error.to_string(),
        )),
    }
}

/// `GET /local/embed`: a fresh public token of the demo partner, and a redirect to its page.
pub async fn demo_embed(stack: &Stack) -> shared::web::ApiResponse {
    use shared::portal::embed::{CreateEmbedToken, create_embed_token};
    use shared::web::{ApiError, ApiResponse, ErrorCode};
    let saved = std::fs::read_to_string(stack.data_dir.join("demo.json"))
        .ok()
        .and_then(|raw| serde_json::from_str::<Demo>(&raw).ok());
    let Some((program, partner)) =
        saved.and_then(|demo| Some((demo.program_id, demo.demo_partner_id?)))
    else {
        return ApiResponse::from(ApiError::new(
            ErrorCode::NotFound,
            "This data directory has no demo partner: delete it to start afresh.",
        ));
    };
    let admin = Principal::Admin(AdminClaims {
        sub: "local-admin".into(),
        iss: String::new(),
        aud: String::new(),
        exp: u64::MAX / 2,
        program_id: shared::types::ProgramId::parse(&program).ok(),
        scope: None,
    });
    let request = CreateEmbedToken {
        partner_id: Some(partner),
        ..Default::default()
    };
    match create_embed_token(&stack.ctx, &admin, request).await {
        Ok(issued) => http::Response::builder()
            .status(http::StatusCode::FOUND)
            .header(
                http::header::LOCATION,
                format!("/embed/referrals?token={}", issued.public_token),
            )
            .header(http::header::CACHE_CONTROL, "no-store")
            .body(Vec::new())
            .expect("a valid redirect"),
        Err(error) => ApiResponse::from(ApiError::from(error)),
    }
}
