//! StackBE's partner tools over both engines: the backend issues a partner session, and with it
//! a partner sees only their own record, balances, links and daily activity; another program's
//! partners are invisible, and an expired, revoked, unknown or banned session is a 401.

use http::{Method, StatusCode};
use integration_tests::app::{Reply, TestApp, reply, request};
use integration_tests::engine_tests;
use integration_tests::tracking_world::{TestPartner, TrackingProgram, admin, track};
use serde_json::{Value, json};
use shared::auth::Scope;
use shared::context::AppContext;
use shared::portal::PortalLinkSigner;
use shared::ports::{ManualClock, OsRandom};
use std::sync::Arc;

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

async fn issue(ctx: &AppContext, key: &str, body: Value) -> Reply {
    portal(
        ctx,
        Method::POST,
        "/partners/sessions",
        Some(key),
        Some(body),
    )
    .await
}

async fn session_for(ctx: &AppContext, key: &str, body: Value) -> String {
    let issued = issue(ctx, key, body).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    issued.body["token"].as_str().unwrap().to_owned()
}

async fn get(ctx: &AppContext, path: &str, token: &str) -> Reply {
    portal(ctx, Method::GET, path, Some(token), None).await
}

/// A program paying $3 per lead (and the default 20 % per sale).
async fn program(app: &TestApp, domain: &str) -> TrackingProgram {
    let world = TrackingProgram::create(app, domain).await;
    world
        .pay_per_lead(&app.ctx, &world.default_group, 300)
        .await;
    world
}

/// A clicked lead for `customer`, then (if `amount`) a sale; returns the sale's commission id.
async fn convert(
    ctx: &AppContext,
    world: &TrackingProgram,
    partner: &TestPartner,
    customer: &str,
    amount: Option<i64>,
) -> Option<String> {
    let click = world.click_at(partner, ctx.clock.now());
    let lead = track(
        ctx,
        &world.key,
        "/track/lead",
        json!({"clickId": click, "eventName": "Sign up", "customerExternalId": customer,
               "customerEmail": format!("{customer}@example.com")}),
        None,
    )
    .await;
    assert_eq!(lead.status, StatusCode::OK, "{}", lead.body);
    let amount = amount?;
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
    let listed = admin(
        ctx,
        &world.key,
        Method::GET,
        &format!("/commissions?partnerId={}&type=sale", partner.id),
        None,
    )
    .await;
    listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["invoiceId"] == json!(format!("inv-{customer}")))
        .map(|c| c["id"].as_str().unwrap().to_owned())
}

async fn set_status(ctx: &AppContext, world: &TrackingProgram, commission: &str, status: &str) {
    let patched = admin(
        ctx,
        &world.key,
        Method::PATCH,
        &format!("/commissions/{commission}"),
        Some(json!({"status": status})),
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
}

/// A context over the app's store with a clock the test moves.
fn manual_context(app: &TestApp) -> (AppContext, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(app.ctx.clock.now()));
    let verifier =
        shared::auth::AdminTokenVerifier::new(&integration_tests::app::token_config()).unwrap();
    let ctx = AppContext::new(
        app.store.clone(),
        clock.clone(),
        Arc::new(OsRandom),
        Some(verifier),
    );
    (ctx, clock)
}

engine_tests!(
    a_partner_sees_only_their_own_record_balances_links_and_days,
    expired_revoked_unknown_or_banned_sessions_are_refused
);

async fn a_partner_sees_only_their_own_record_balances_links_and_days(app: TestApp) {
    let world = program(&app, "go.portal-a.test").await;
    let other = program(&app, "go.portal-b.test").await;
    let jane = world.partner(&app.ctx, "JANE", &world.default_group).await;
    let bob = world.partner(&app.ctx, "BOB", &world.default_group).await;
    let carl = other.partner(&app.ctx, "CARL", &other.default_group).await;

    let (ctx, clock) = manual_context(&app);
    // A month ago Jane made two leads ($3 each) and sales of $100 and $50 (20 %): all past
    // the 30-day holding period now, the $100 one paid out.
    let paid = convert(&ctx, &world, &jane, "jane_c1", Some(10_000))
        .await
        .unwrap();
    convert(&ctx, &world, &jane, "jane_c2", Some(5_000))
        .await
        .unwrap();
    clock.advance(time::Duration::days(31));
    let matured = shared::commissions::mature_commissions(&ctx, 1_000)
        .await
        .unwrap();
    assert_eq!(matured.processed, 4, "{matured:?}");
    set_status(&ctx, &world, &paid, "paid").await;
    // Today: Jane a lead and a $30 sale (pending), Bob a lead, Carl (other program) a lead
    // and a $70 sale.
    convert(&ctx, &world, &jane, "jane_c3", Some(3_000))
        .await
        .unwrap();
    convert(&ctx, &world, &bob, "bob_c1", None).await;
    convert(&ctx, &other, &carl, "carl_c1", Some(7_000)).await;
    // The click aggregator's daily counters: 5 clicks for Jane today, 2 for Carl.
    let today = ctx.clock.now().date();
    ctx.store
        .transact(vec![
            shared::analytics::daily_clicks::add_daily_clicks(
                &world.program.id,
                &jane.id,
                today,
                5,
            ),
            shared::analytics::daily_clicks::add_daily_clicks(
                &other.program.id,
                &carl.id,
                today,
                2,
            ),
        ])
        .await
        .unwrap();
    let app_ctx = &ctx;

    let jane_token = session_for(app_ctx, &world.key, json!({"partnerId": jane.id})).await;
    let bob_token = session_for(app_ctx, &world.key, json!({"tenantId": bob.tenant_id})).await;
    assert!(jane_token.starts_with("pst_"));
    assert_ne!(jane_token, bob_token);

    let me = get(app_ctx, "/v1/affiliate", &jane_token).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.body["id"], json!(jane.id));
    assert_eq!(me.body["code"], "JANE");
    assert_eq!(me.body["status"], "active");
    assert_eq!(
        get(app_ctx, "/v1/affiliate", &bob_token).await.body["id"],
        json!(bob.id)
    );

    let dash = get(app_ctx, "/v1/affiliate/dashboard", &jane_token).await;
    assert_eq!(dash.status, StatusCode::OK, "{}", dash.body);
    let body = &dash.body;
    assert_eq!(body["affiliate"]["id"], json!(jane.id));
    assert_eq!(
        body["balances"],
        json!({"totalEarned": 4_500, "pending": 900, "processed": 1_600, "paid": 2_000})
    );
    assert_eq!(body["affiliate"]["totalEarned"], json!(45.0));
    assert_eq!(body["affiliate"]["pendingBalance"], json!(9.0));
    assert_eq!(body["affiliate"]["processedBalance"], json!(16.0));
    assert_eq!(body["affiliate"]["paidBalance"], json!(20.0));
    assert_eq!(body["currency"], "usd");
    let link_ids: Vec<&Value> = body["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["id"])
        .collect();
    assert_eq!(link_ids, vec![&json!(jane.link)]);
    assert_eq!(body["links"][0]["leads"], 3);
    assert_eq!(body["links"][0]["sales"], 3);
    assert_eq!(body["links"][0]["saleAmount"], 18_000);
    let days = body["activity"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    let last = days.last().unwrap();
    assert_eq!(last["date"], json!(app_ctx.clock.now().date().to_string()));
    assert_eq!(
        (
            last["clicks"].as_i64(),
            last["leads"].as_i64(),
            last["sales"].as_i64()
        ),
        (Some(5), Some(1), Some(1))
    );
    // The month-old leads and sales are outside the 30 days.
    assert!(
        days[..29]
            .iter()
            .all(|d| d["leads"] == 0 && d["sales"] == 0),
        "{days:?}"
    );

    let bob_dash = get(app_ctx, "/v1/affiliate/dashboard", &bob_token)
        .await
        .body;
    assert_eq!(bob_dash["affiliate"]["id"], json!(bob.id));
    assert_eq!(
        bob_dash["balances"],
        json!({"totalEarned": 300, "pending": 300, "processed": 0, "paid": 0})
    );
    assert_eq!(bob_dash["links"].as_array().unwrap().len(), 1);
    assert_eq!(bob_dash["links"][0]["id"], json!(bob.link));
    let bob_today = bob_dash["activity"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (
            bob_today["clicks"].as_i64(),
            bob_today["leads"].as_i64(),
            bob_today["sales"].as_i64()
        ),
        (Some(0), Some(1), Some(0))
    );

    // Another program's partner cannot get a session from this program's key, by id or tenant.
    let by_id = issue(app_ctx, &world.key, json!({"partnerId": carl.id})).await;
    assert_eq!(
        (by_id.status, by_id.error_code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let by_tenant = issue(app_ctx, &world.key, json!({"tenantId": carl.tenant_id})).await;
    assert_eq!(by_tenant.status, StatusCode::NOT_FOUND);
    // Its own program's key can; Carl sees Carl's money only.
    let carl_token = session_for(app_ctx, &other.key, json!({"partnerId": carl.id})).await;
    let carl_dash = get(app_ctx, "/v1/affiliate/dashboard", &carl_token)
        .await
        .body;
    assert_eq!(carl_dash["affiliate"]["id"], json!(carl.id));
    assert_eq!(
        carl_dash["balances"],
        json!({"totalEarned": 1_700, "pending": 1_700, "processed": 0, "paid": 0})
    );
    assert_eq!(carl_dash["links"][0]["id"], json!(carl.link));

    // The portal link is signed for Jane of this program, valid 24 h.
    let link = get(app_ctx, "/v1/affiliate/portal-link", &jane_token).await;
    assert_eq!(link.status, StatusCode::OK, "{}", link.body);
    let url = link.body["url"].as_str().unwrap();
    assert_eq!(
        links().verify(url, app_ctx.clock.now()),
        Ok((world.program.id.clone(), jane.id.clone()))
    );
    assert!(
        links()
            .verify(
                &url.replace(jane.id.as_str(), bob.id.as_str()),
                app_ctx.clock.now()
            )
            .is_err()
    );

    // Issuing needs partners.write, and a partner or tenant id.
    let read_only = TrackingProgram::key_with(
        app_ctx,
        &world.admin,
        &world.program.id,
        vec![Scope::PartnersRead],
    )
    .await;
    let refused = issue(app_ctx, &read_only, json!({"partnerId": jane.id})).await;
    assert_eq!(
        (refused.status, refused.error_code()),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let neither = issue(app_ctx, &world.key, json!({})).await;
    assert_eq!(neither.status, StatusCode::BAD_REQUEST, "{}", neither.body);
    let too_long = issue(
        app_ctx,
        &world.key,
        json!({"partnerId": jane.id, "expiresInSeconds": 31 * 86_400}),
    )
    .await;
    assert_eq!(
        too_long.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        too_long.body
    );
}

async fn expired_revoked_unknown_or_banned_sessions_are_refused(app: TestApp) {
    let world = program(&app, "go.portal-c.test").await;
    let jane = world.partner(&app.ctx, "JANE", &world.default_group).await;
    let bob = world.partner(&app.ctx, "BOB", &world.default_group).await;

    let unauthorized = |reply: Reply| {
        assert_eq!(
            (reply.status, reply.error_code()),
            (StatusCode::UNAUTHORIZED, "unauthorized"),
            "{}",
            reply.body
        );
    };
    // Missing, unknown, and a program API key in place of a session.
    unauthorized(portal(&app.ctx, Method::GET, "/v1/affiliate", None, None).await);
    unauthorized(get(&app.ctx, "/v1/affiliate/dashboard", "pst_unknown-token").await);
    unauthorized(get(&app.ctx, "/v1/affiliate", &world.key).await);

    // Expired: a 60-second session, one minute later.
    let (ctx, clock) = manual_context(&app);
    let short = issue(
        &ctx,
        &world.key,
        json!({"partnerId": jane.id, "expiresInSeconds": 60}),
    )
    .await;
    assert_eq!(short.status, StatusCode::CREATED, "{}", short.body);
    let short_token = short.body["token"].as_str().unwrap().to_owned();
    let default = session_for(&ctx, &world.key, json!({"partnerId": jane.id})).await;
    assert_eq!(
        get(&ctx, "/v1/affiliate", &short_token).await.status,
        StatusCode::OK
    );
    clock.advance(time::Duration::seconds(60));
    unauthorized(get(&ctx, "/v1/affiliate", &short_token).await);
    assert_eq!(
        get(&ctx, "/v1/affiliate", &default).await.status,
        StatusCode::OK
    );
    clock.advance(time::Duration::hours(24));
    unauthorized(get(&ctx, "/v1/affiliate/portal-link", &default).await);

    // Revoked: at once, and only once; another program's key cannot revoke it.
    let token = session_for(&app.ctx, &world.key, json!({"partnerId": jane.id})).await;
    let stranger = program(&app, "go.portal-d.test").await;
    let foreign = portal(
        &app.ctx,
        Method::POST,
        "/partners/sessions/revoke",
        Some(&stranger.key),
        Some(json!({"token": token})),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(
        get(&app.ctx, "/v1/affiliate", &token).await.status,
        StatusCode::OK
    );
    let revoked = portal(
        &app.ctx,
        Method::POST,
        "/partners/sessions/revoke",
        Some(&world.key),
        Some(json!({"token": token})),
    )
    .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.body);
    unauthorized(get(&app.ctx, "/v1/affiliate/dashboard", &token).await);
    let again = portal(
        &app.ctx,
        Method::POST,
        "/partners/sessions/revoke",
        Some(&world.key),
        Some(json!({"token": token})),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);

    // Banned: Bob's live session stops working, and no new one is issued.
    let bob_token = session_for(&app.ctx, &world.key, json!({"partnerId": bob.id})).await;
    let directory = shared::partner_listing::PartnerDirectory::new(std::time::Duration::ZERO);
    let ban = reply(
        partner_admin::handle(
            &app.ctx,
            &directory,
            request(
                Method::POST,
                "/partners/ban",
                Some(&world.key),
                Some(json!({"partnerId": bob.id, "reason": "fraud"})),
            ),
        )
        .await,
    );
    assert_eq!(ban.status, StatusCode::OK, "{}", ban.body);
    unauthorized(get(&app.ctx, "/v1/affiliate", &bob_token).await);
    let refused = issue(&app.ctx, &world.key, json!({"partnerId": bob.id})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
}
