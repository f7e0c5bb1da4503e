//! The embedded referral dashboard over both engines: the backend gets a public token for a
//! partner (by id, tenant id, or enrolling one on the fly); the page's policy names the
//! program's allowed origins; the token is traded once, even by racing calls, for a session
//! that reads only that partner's figures, rewards in words and commissions page by page; a
//! ban, an expiry or another program's key gets nothing.

use http::{Method, StatusCode};
use integration_tests::app::TestApp;
use integration_tests::app::{Reply, reply, request};
use integration_tests::engine_tests;
use integration_tests::tracking_world::{TestPartner, TrackingProgram, track};
use serde_json::{Value, json};
use shared::auth::Scope;
use shared::context::AppContext;
use shared::portal::PortalLinkSigner;

fn links() -> PortalLinkSigner {
    PortalLinkSigner::new(
        b"portal-link-secret-of-the-tests-32b!",
        "https://partners.example.com/portal".parse().unwrap(),
    )
}

async fn portal(
    ctx: &AppContext,
    method: Method,
    path: &str,
    credential: Option<&str>,
    body: Option<Value>,
) -> Reply {
    reply(partner_portal::handle(ctx, &links(), request(method, path, credential, body)).await)
}

async fn embed_token(ctx: &AppContext, key: &str, body: Value) -> Reply {
    portal(
        ctx,
        Method::POST,
        "/tokens/embed/referrals",
        Some(key),
        Some(body),
    )
    .await
}

async fn public_token(ctx: &AppContext, key: &str, body: Value) -> String {
    let issued = embed_token(ctx, key, body).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    issued.body["publicToken"].as_str().unwrap().to_owned()
}

async fn trade(ctx: &AppContext, token: &str) -> Reply {
    portal(
        ctx,
        Method::POST,
        "/embed/referrals/session",
        None,
        Some(json!({"token": token})),
    )
    .await
}

async fn session(ctx: &AppContext, token: &str) -> String {
    let traded = trade(ctx, token).await;
    assert_eq!(traded.status, StatusCode::CREATED, "{}", traded.body);
    traded.body["sessionToken"].as_str().unwrap().to_owned()
}

async fn get(ctx: &AppContext, path: &str, token: &str) -> Reply {
    portal(ctx, Method::GET, path, Some(token), None).await
}

fn unauthorized(reply: Reply) {
    assert_eq!(
        (reply.status, reply.error_code()),
        (StatusCode::UNAUTHORIZED, "unauthorized"),
        "{}",
        reply.body
    );
}

async fn patch_settings(ctx: &AppContext, world: &TrackingProgram, settings: Value) -> Reply {
    let path = format!("/programs/{}", world.program.id);
    reply(
        program_admin::handle(
            ctx,
            request(
                Method::PATCH,
                &path,
                Some(&world.key),
                Some(json!({"settings": settings})),
            ),
        )
        .await,
    )
}

/// The page's `Content-Security-Policy`.
async fn page_policy(ctx: &AppContext, token: &str) -> String {
    let page = portal(
        ctx,
        Method::GET,
        &format!("/embed/referrals?token={token}"),
        None,
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(page.headers["referrer-policy"], "no-referrer");
    assert_eq!(page.headers["cache-control"], "no-store");
    page.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned()
}

/// A clicked lead of `customer` and, with `amount`, a sale.
async fn convert(
    ctx: &AppContext,
    world: &TrackingProgram,
    partner: &TestPartner,
    customer: &str,
    amount: Option<i64>,
) {
    let click = world.click_at(partner, ctx.clock.now());
    let lead = track(
        ctx,
        &world.key,
        "/track/lead",
        json!({"clickId": click, "eventName": "Sign up", "customerExternalId": customer,
               "customerEmail": format!("{customer}@example.com"), "customerName": customer}),
        None,
    )
    .await;
    assert_eq!(lead.status, StatusCode::OK, "{}", lead.body);
    if let Some(amount) = amount {
        let sale = track(
            ctx,
            &world.key,
            "/track/sale",
            json!({"customerExternalId": customer, "amount": amount, "paymentProcessor": "stripe",
                   "currency": "usd", "invoiceId": format!("inv-{customer}")}),
            None,
        )
        .await;
        assert_eq!(sale.status, StatusCode::OK, "{}", sale.body);
    }
}

engine_tests!(
    a_token_is_traded_once_for_the_partners_own_dashboard,
    tokens_are_refused_to_other_programs_the_banned_and_the_late
);

async fn a_token_is_traded_once_for_the_partners_own_dashboard(app: TestApp) {
    let ctx = &app.ctx;
    let world = TrackingProgram::create(&app, "go.embed-a.test").await;
    world.pay_per_lead(ctx, &world.default_group, 300).await;
    let jane = world.partner(ctx, "JANE", &world.default_group).await;
    let bob = world.partner(ctx, "BOB", &world.default_group).await;
    convert(ctx, &world, &jane, "ana", Some(10_000)).await;
    convert(ctx, &world, &bob, "ben", None).await;

    let token = public_token(ctx, &world.key, json!({"partnerId": jane.id})).await;
    assert!(token.starts_with("pet_"), "{token}");
    // Framed nowhere until the program names its origins; then by those only.
    assert!(
        page_policy(ctx, &token)
            .await
            .ends_with("frame-ancestors 'none'")
    );
    let set = patch_settings(
        ctx,
        &world,
        json!({"embedAllowedOrigins": ["https://app.acme.test"],
        "embedThemeColor": "#0B57D0", "embedLogoUrl": "https://cdn.acme.test/logo.png"}),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let policy = page_policy(ctx, &token).await;
    assert!(
        policy.ends_with("frame-ancestors https://app.acme.test"),
        "{policy}"
    );
    assert!(
        policy.contains("img-src 'self' data: https://cdn.acme.test;"),
        "{policy}"
    );
    assert!(
        policy.contains("script-src 'self';") && !policy.contains("unsafe"),
        "{policy}"
    );
    // An unknown token's page frames nowhere.
    assert!(
        page_policy(ctx, "pet_unknown")
            .await
            .ends_with("frame-ancestors 'none'")
    );

    let jane_session = session(ctx, &token).await;
    assert!(jane_session.starts_with("pst_"));
    unauthorized(trade(ctx, &token).await);

    let view = get(ctx, "/v1/affiliate/embed", &jane_session).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    let body = &view.body;
    assert_eq!(body["program"]["id"], json!(world.program.id));
    assert_eq!(body["program"]["currency"], "usd");
    assert_eq!(body["program"]["minorDigits"], 2);
    assert_eq!(body["program"]["themeColor"], "#0b57d0");
    assert_eq!(body["program"]["logoUrl"], "https://cdn.acme.test/logo.png");
    assert_eq!(body["partner"]["id"], json!(jane.id));
    let links: Vec<&Value> = body["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["id"])
        .collect();
    assert_eq!(links, vec![&json!(jane.link)]);
    assert_eq!(
        (
            body["links"][0]["leads"].as_i64(),
            body["links"][0]["sales"].as_i64()
        ),
        (Some(1), Some(1))
    );
    let texts: Vec<&str> = body["rewards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert!(texts.contains(&"Earn $3 for each lead"), "{texts:?}");
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Earn 20% for each sale")),
        "{texts:?}"
    );
    // $3 for the lead, 20 % of $100 for the sale, both pending.
    assert_eq!(
        body["earnings"],
        json!({"pending": 2_300, "processed": 0, "paid": 0, "total": 2_300})
    );
    assert_eq!(body["payouts"], json!([]));

    // Commissions, newest first, a page at a time, the customer's email masked.
    let first = get(ctx, "/v1/affiliate/commissions?limit=1", &jane_session).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["commissions"].as_array().unwrap().len(), 1);
    assert_eq!(first.body["commissions"][0]["type"], "sale");
    assert_eq!(first.body["commissions"][0]["earnings"], 2_000);
    assert_eq!(
        first.body["commissions"][0]["customer"]["email"],
        "a***@example.com"
    );
    assert_eq!(first.body["commissions"][0]["customer"]["name"], "ana");
    let cursor = first.body["nextCursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let second = get(
        ctx,
        &format!(
            "/v1/affiliate/commissions?limit=1&cursor={}",
            urlencoding(&cursor)
        ),
        &jane_session,
    )
    .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(second.body["commissions"][0]["type"], "lead");
    let rest = second.body["nextCursor"].as_str().map(|c| c.to_owned());
    if let Some(cursor) = rest {
        let third = get(
            ctx,
            &format!(
                "/v1/affiliate/commissions?limit=1&cursor={}",
                urlencoding(&cursor)
            ),
            &jane_session,
        )
        .await;
        assert_eq!(third.body["commissions"], json!([]), "{}", third.body);
    }
    let bad_limit = get(ctx, "/v1/affiliate/commissions?limit=0", &jane_session).await;
    assert_eq!(
        bad_limit.status,
        StatusCode::BAD_REQUEST,
        "{}",
        bad_limit.body
    );

    // Bob's token reads Bob only; a cursor of Jane's list is not one of his.
    let bob_session = session(
        ctx,
        &public_token(ctx, &world.key, json!({"tenantId": bob.tenant_id})).await,
    )
    .await;
    let bob_view = get(ctx, "/v1/affiliate/embed", &bob_session).await.body;
    assert_eq!(bob_view["partner"]["id"], json!(bob.id));
    assert_eq!(bob_view["earnings"]["total"], 300);
    let stolen = get(
        ctx,
        &format!("/v1/affiliate/commissions?cursor={}", urlencoding(&cursor)),
        &bob_session,
    )
    .await;
    assert_ne!(stolen.status, StatusCode::OK, "{}", stolen.body);

    // Two pages racing with one token: one session, one 401.
    let racing = public_token(ctx, &world.key, json!({"partnerId": jane.id})).await;
    let (a, b) = tokio::join!(trade(ctx, &racing), trade(ctx, &racing));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::UNAUTHORIZED]);
}

async fn tokens_are_refused_to_other_programs_the_banned_and_the_late(app: TestApp) {
    let ctx = &app.ctx;
    let world = TrackingProgram::create(&app, "go.embed-b.test").await;
    let other = TrackingProgram::create(&app, "go.embed-c.test").await;
    let jane = world.partner(ctx, "JANE", &world.default_group).await;
    let carl = other.partner(ctx, "CARL", &other.default_group).await;

    // Enrolled on the fly into the default group, once: the same email is the same partner.
    let enroll = json!({"partner": {"email": "new@example.com", "name": "<b>New</b>", "tenantId": "user_42"}});
    let first = session(ctx, &public_token(ctx, &world.key, enroll.clone()).await).await;
    let again = session(ctx, &public_token(ctx, &world.key, enroll).await).await;
    let first_id = get(ctx, "/v1/affiliate/embed", &first).await.body["partner"].clone();
    assert_eq!(first_id["name"], "<b>New</b>");
    assert_eq!(
        get(ctx, "/v1/affiliate/embed", &again).await.body["partner"]["id"],
        first_id["id"]
    );
    assert_eq!(
        get(ctx, "/v1/affiliate/embed", &first).await.body["links"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Another program's partner, a missing partner, no partner at all, a read-only key.
    let foreign = embed_token(ctx, &world.key, json!({"partnerId": carl.id})).await;
    assert_eq!(
        (foreign.status, foreign.error_code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let missing = embed_token(ctx, &world.key, json!({"tenantId": "nobody"})).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
    let neither = embed_token(ctx, &world.key, json!({})).await;
    assert_eq!(neither.status, StatusCode::BAD_REQUEST, "{}", neither.body);
    let unknown_field =
        embed_token(ctx, &world.key, json!({"partnerId": jane.id, "extra": 1})).await;
    assert_eq!(
        unknown_field.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown_field.body
    );
    let read_only = TrackingProgram::key_with(
        ctx,
        &world.admin,
        &world.program.id,
        vec![Scope::PartnersRead],
    )
    .await;
    let refused = embed_token(ctx, &read_only, json!({"partnerId": jane.id})).await;
    assert_eq!(
        (refused.status, refused.error_code()),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    unauthorized(trade(ctx, "pet_unknown").await);
    unauthorized(trade(ctx, "").await);

    // Bad settings change nothing.
    for bad in [
        json!({"embedAllowedOrigins": ["http://app.acme.test"]}),
        json!({"embedAllowedOrigins": ["https://*.acme.test"]}),
        json!({"embedThemeColor": "red"}),
        json!({"embedLogoUrl": "javascript:alert(1)"}),
    ] {
        let refused = patch_settings(ctx, &world, bad.clone()).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            refused.body
        );
    }

    // A ban ends the live session and the untraded token, and no new token is given.
    let live = session(
        ctx,
        &public_token(ctx, &world.key, json!({"partnerId": jane.id})).await,
    )
    .await;
    let untraded = public_token(ctx, &world.key, json!({"partnerId": jane.id})).await;
    let directory = shared::partner_listing::PartnerDirectory::new(std::time::Duration::ZERO);
    let ban = reply(
        partner_admin::handle(
            ctx,
            &directory,
            request(
                Method::POST,
                "/partners/ban",
                Some(&world.key),
                Some(json!({"partnerId": jane.id, "reason": "fraud"})),
            ),
        )
        .await,
    );
    assert_eq!(ban.status, StatusCode::OK, "{}", ban.body);
    unauthorized(get(ctx, "/v1/affiliate/embed", &live).await);
    unauthorized(trade(ctx, &untraded).await);
    let banned = embed_token(ctx, &world.key, json!({"partnerId": jane.id})).await;
    assert_eq!(banned.status, StatusCode::FORBIDDEN, "{}", banned.body);

    // Two hours later a token cannot be traded.
    let clock = std::sync::Arc::new(shared::ports::ManualClock::new(ctx.clock.now()));
    let verifier =
        shared::auth::AdminTokenVerifier::new(&integration_tests::app::token_config()).unwrap();
    let late = AppContext::new(
        app.store.clone(),
        clock.clone(),
        std::sync::Arc::new(shared::ports::OsRandom),
        Some(verifier),
    );
    let carl_token = public_token(&late, &other.key, json!({"partnerId": carl.id})).await;
    clock.advance(time::Duration::hours(2));
    unauthorized(trade(&late, &carl_token).await);
}

/// A cursor as a query value.
fn urlencoding(raw: &str) -> String {
    url::form_urlencoded::byte_serialize(raw.as_bytes()).collect()
}
