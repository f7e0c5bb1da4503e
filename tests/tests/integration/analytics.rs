//! `GET /analytics` and `GET /partners/analytics` over both engines: clicks counted by the
//! aggregator and leads and sales counted at commit, answered in Dub's shapes; a replayed batch
//! and a replayed sale change nothing; bad input is a 422 and another program's ids a 404.

use http::{Method, StatusCode};
use integration_tests::app::{Reply, TestApp, reply, request};
use integration_tests::engine_tests;
use integration_tests::tracking_world::{TestPartner, TrackingProgram, track};
use serde_json::{Value, json};
use shared::auth::Scope;
use shared::clicks::{ClickAggregator, ClickBatch};
use shared::context::AppContext;
use shared::model::Click;
use shared::types::ClickId;
use time::{Duration, OffsetDateTime};

async fn get(ctx: &AppContext, key: &str, path: &str) -> Reply {
    reply(analytics::handle(ctx, request(Method::GET, path, Some(key), None)).await)
}

async fn ok(ctx: &AppContext, key: &str, path: &str) -> Value {
    let answer = get(ctx, key, path).await;
    assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
    answer.body
}

fn click(
    world: &TrackingProgram,
    partner: &TestPartner,
    at: OffsetDateTime,
    serial: usize,
) -> Click {
    let (country, device, referer) = match serial % 3 {
        0 => ("US", "Mobile", Some("news.example.com")),
        1 => ("US", "Desktop", None),
        _ => ("FR", "Mobile", Some("social.example.org")),
    };
    Click {
        id: ClickId::parse(&format!("clk_{serial}")).unwrap(),
        partner_id: Some(partner.id.clone()),
        program_id: world.program.id.clone(),
        country: Some(country.into()),
        device: device.into(),
        browser: "Safari".into(),
        os: "iOS".into(),
        referer: referer.map(str::to_owned),
        ..shared::testkit::a_click(partner.link.as_str(), at)
    }
}

/// Counts clicks through the aggregator, as SQS would deliver one message.
async fn aggregate(app: &TestApp, batch_id: &str, clicks: Vec<Click>) {
    let aggregator = ClickAggregator::new(app.ctx.store.clone(), app.ctx.clock.clone());
    let body = ClickBatch {
        batch_id: batch_id.into(),
        clicks,
    }
    .to_body();
    let report = aggregator.aggregate(vec![("m1".into(), body)]).await;
    assert!(report.failed.is_empty(), "{report:?}");
}

/// A program paying $3 per lead and 20 % of sales; Jane has 6 clicks, a lead and a $49 sale,
/// Omar 2 clicks.
async fn program(app: &TestApp, domain: &str) -> (TrackingProgram, TestPartner, TestPartner) {
    let world = TrackingProgram::create(app, domain).await;
    let group = world.default_group.clone();
    world.pay_percent_of_sales(&app.ctx, &group, 20.0).await;
    world.pay_per_lead(&app.ctx, &group, 300).await;
    let jane = world.partner(&app.ctx, "JANE", &group).await;
    let omar = world.partner(&app.ctx, "OMAR", &group).await;
    let ctx = &app.ctx;
    let an_hour_ago = ctx.clock.now() - Duration::hours(1);
    let mut clicks: Vec<Click> = (0..6)
        .map(|i| click(&world, &jane, an_hour_ago, i))
        .collect();
    clicks.extend((6..8).map(|i| click(&world, &omar, an_hour_ago, i)));
    // Batch ids are unique across programs (the redirect makes them).
    let batch = format!("cb_{domain}");
    aggregate(app, &batch, clicks.clone()).await;
    // The same batch delivered again counts nothing.
    aggregate(app, &batch, clicks).await;
    let lead = json!({"clickId": world.click_at(&jane, an_hour_ago), "eventName": "Sign up",
                      "customerExternalId": "sam", "customerEmail": "sam@example.com"});
    assert_eq!(
        track(ctx, &world.key, "/track/lead", lead, None)
            .await
            .status,
        StatusCode::OK
    );
    let sale = json!({"customerExternalId": "sam", "amount": 4_900, "currency": "usd",
                      "paymentProcessor": "stripe", "invoiceId": "in_1"});
    for _ in 0..2 {
        // The second is a repeat of the invoice: answered, not counted.
        let answer = track(ctx, &world.key, "/track/sale", sale.clone(), None).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }
    (world, jane, omar)
}

engine_tests!(
    counts_series_and_breakdowns_equal_what_was_tracked_once,
    a_partners_figures_carry_its_earnings,
    events_list_leads_and_sales_with_their_link_and_customer,
    a_partner_session_reads_its_own_figures_only,
    bad_queries_are_422_and_other_programs_ids_404
);

async fn counts_series_and_breakdowns_equal_what_was_tracked_once(app: TestApp) {
    let (world, jane, omar) = program(&app, "go.analytics-counts.test").await;
    let (ctx, key) = (&app.ctx, world.key.as_str());
    let count = ok(ctx, key, "/analytics?event=composite").await;
    assert_eq!(
        count,
        json!({"clicks": 8, "leads": 1, "sales": 1, "saleAmount": 4_900})
    );
    // The default is clicks, counted over the last 24 hours, hour by hour.
    let series = ok(ctx, key, "/analytics?groupBy=timeseries").await;
    let rows = series.as_array().unwrap();
    assert_eq!(rows.len(), 25);
    assert_eq!(
        rows.iter()
            .map(|r| r["clicks"].as_i64().unwrap())
            .sum::<i64>(),
        8
    );
    assert!(rows[0]["start"].as_str().unwrap().ends_with('Z'));
    // Daily in a time zone: the offset is in each bucket's start.
    let daily = ok(
        ctx,
        key,
        "/analytics?groupBy=timeseries&interval=7d&timezone=Asia/Tokyo&event=sales",
    )
    .await;
    let rows = daily.as_array().unwrap();
    assert!((7..=8).contains(&rows.len()));
    assert!(
        rows.iter()
            .all(|r| r["start"].as_str().unwrap().ends_with("T00:00:00+09:00"))
    );
    assert_eq!(
        rows.iter()
            .map(|r| r["saleAmount"].as_i64().unwrap())
            .sum::<i64>(),
        4_900
    );

    let countries = ok(ctx, key, "/analytics?groupBy=countries&event=composite").await;
    assert_eq!(
        countries[0],
        json!({"country": "US", "region": "*", "city": "*",
        "clicks": 6, "leads": 0, "sales": 0, "saleAmount": 0})
    );
    // The lead and the sale came through a click from Germany.
    let de = countries
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["country"] == "DE")
        .unwrap();
    assert_eq!(
        (de["leads"].as_i64(), de["sales"].as_i64()),
        (Some(1), Some(1))
    );
    let devices = ok(ctx, key, "/analytics?groupBy=devices").await;
    assert_eq!(
        devices,
        json!([
        {"device": "Mobile", "clicks": 5, "leads": 0, "sales": 0, "saleAmount": 0},
        {"device": "Desktop", "clicks": 3, "leads": 0, "sales": 0, "saleAmount": 0}])
    );
    let referers = ok(ctx, key, "/analytics?groupBy=referers").await;
    assert_eq!(referers[0]["referer"], "news.example.com");
    assert_eq!(ok(ctx, key, "/analytics?groupBy=os").await[0]["clicks"], 8);
    assert_eq!(
        ok(ctx, key, "/analytics?groupBy=browsers").await[0]["browser"],
        "Safari"
    );
    assert_eq!(ok(ctx, key, "/analytics?country=FR").await["clicks"], 2);
    assert_eq!(
        ok(ctx, key, "/analytics?country=FR,US&device=").await["clicks"],
        8
    );

    // One link, one partner.
    let path = format!("/analytics?linkId={}", omar.link);
    assert_eq!(ok(ctx, key, &path).await["clicks"], 2);
    let path = format!("/analytics?tenantId={}&event=composite", jane.tenant_id);
    assert_eq!(
        ok(ctx, key, &path).await,
        json!({"clicks": 6, "leads": 1, "sales": 1, "saleAmount": 4_900})
    );
    let path = "/analytics?domain=go.analytics-counts.test&key=omar";
    assert_eq!(ok(ctx, key, path).await["clicks"], 2);

    let top = ok(ctx, key, "/analytics?groupBy=top_links").await;
    assert_eq!(top.as_array().unwrap().len(), 2);
    assert_eq!(top[0]["id"], jane.link.to_string());
    assert_eq!(top[0]["clicks"], 6);
    assert_eq!(top[0]["shortLink"], "https://go.analytics-counts.test/jane");
    assert_eq!(top[0]["partnerId"], jane.id.to_string());
    let top = ok(ctx, key, "/analytics?groupBy=top_partners&event=sales").await;
    assert_eq!(top[0]["partnerId"], jane.id.to_string());
    assert_eq!(top[0]["partner"]["name"], "Partner JANE");
    assert_eq!(top[0]["saleAmount"], 4_900);
    assert_eq!(top[0]["earnings"], 300 + 980);
    // The tops cache a day's figures while the day's program totals stay: new clicks show.
    let by_clicks = ok(ctx, key, "/analytics?groupBy=top_partners").await;
    assert_eq!(by_clicks[0]["partnerId"], jane.id.to_string());
    let an_hour_ago = ctx.clock.now() - Duration::hours(1);
    let more: Vec<Click> = (20..30)
        .map(|i| click(&world, &omar, an_hour_ago, i))
        .collect();
    aggregate(&app, "cb_more", more).await;
    let by_clicks = ok(ctx, key, "/analytics?groupBy=top_partners").await;
    assert_eq!(by_clicks[0]["partnerId"], omar.id.to_string());
    assert_eq!(by_clicks[0]["clicks"], 12);
    let links = ok(
        ctx,
        key,
        "/analytics?groupBy=top_links&interval=7d&timezone=Asia/Kolkata",
    )
    .await;
    assert_eq!(
        (&links[0]["id"], &links[0]["clicks"]),
        (&json!(omar.link.to_string()), &json!(12))
    );
}

async fn a_partners_figures_carry_its_earnings(app: TestApp) {
    let (world, jane, _) = program(&app, "go.analytics-partner.test").await;
    let (ctx, key) = (&app.ctx, world.key.as_str());
    let path = format!("/partners/analytics?partnerId={}&interval=30d", jane.id);
    assert_eq!(
        ok(ctx, key, &path).await,
        json!({"clicks": 6, "leads": 1, "sales": 1,
        "saleAmount": 4_900, "earnings": 1_280})
    );
    let path = format!(
        "/partners/analytics?tenantId={}&groupBy=timeseries&interval=30d",
        jane.tenant_id
    );
    let rows = ok(ctx, key, &path).await;
    let rows = rows.as_array().unwrap();
    assert!((30..=31).contains(&rows.len()));
    assert_eq!(
        rows.iter()
            .map(|r| r["earnings"].as_i64().unwrap())
            .sum::<i64>(),
        1_280
    );
    let path = format!(
        "/partners/analytics?partnerId={}&groupBy=top_links",
        jane.id
    );
    let links = ok(ctx, key, &path).await;
    assert_eq!(links[0]["id"], jane.link.to_string());
    assert_eq!(links[0]["earnings"], 1_280);
}

async fn events_list_leads_and_sales_with_their_link_and_customer(app: TestApp) {
    let (world, jane, omar) = program(&app, "go.analytics-events.test").await;
    let (ctx, key) = (&app.ctx, world.key.as_str());
    let sales = ok(ctx, key, "/events?event=sales&interval=24h").await;
    let sales = sales.as_array().unwrap();
    // The invoice sent twice is one sale.
    assert_eq!(sales.len(), 1);
    let sale = &sales[0];
    assert_eq!(sale["event"], "sale");
    assert_eq!(sale["sale"]["amount"], 4_900);
    assert_eq!(sale["sale"]["invoiceId"], "in_1");
    assert_eq!(
        (&sale["saleAmount"], &sale["invoice_id"]),
        (&json!(4_900), &json!("in_1"))
    );
    assert_eq!(sale["link"]["id"], jane.link.to_string());
    assert_eq!(sale["link_id"], jane.link.to_string());
    assert_eq!(sale["customer"]["externalId"], "sam");
    // The customer came through a click: the sale carries its id.
    assert!(
        sale["click"]["id"].as_str().unwrap().starts_with("clk_"),
        "{sale}"
    );
    assert_eq!(sale["click_id"], sale["click"]["id"]);
    let leads = ok(ctx, key, "/events?event=leads").await;
    assert_eq!(leads.as_array().unwrap().len(), 1);
    assert_eq!(leads[0]["eventName"], "Sign up");
    assert!(leads[0].get("sale").is_none());
    // By partner, link and customer.
    let path = format!("/events?event=sales&partnerId={}", jane.id);
    assert_eq!(ok(ctx, key, &path).await.as_array().unwrap().len(), 1);
    let path = format!("/events?event=sales&linkId={}", omar.link);
    assert_eq!(ok(ctx, key, &path).await, json!([]));
    assert_eq!(
        ok(ctx, key, "/events?event=leads&customerId=ext_sam")
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        ok(ctx, key, "/events?event=leads&customerId=ext_nobody").await,
        json!([])
    );
    assert_eq!(
        ok(ctx, key, "/events?event=leads&customerId=not%20an%20id").await,
        json!([])
    );
    // Paging: a second page of one is empty.
    assert_eq!(
        ok(ctx, key, "/events?event=sales&limit=1&page=2").await,
        json!([])
    );
    // Clicks are counted, not stored: a clear 422, as is anything unknown.
    for path in [
        "/events",
        "/events?event=clicks",
        "/events?event=sales&limit=0",
        "/events?event=sales&country=US",
        "/events?event=sales&sortBy=amount",
    ] {
        let answer = get(ctx, key, path).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            answer.body
        );
    }
}

async fn a_partner_session_reads_its_own_figures_only(app: TestApp) {
    let (world, jane, omar) = program(&app, "go.analytics-session.test").await;
    let ctx = &app.ctx;
    let signer = shared::portal::PortalLinkSigner::new(
        b"portal-link-secret-of-the-tests-32b!",
        "https://partners.example.com/portal".parse().unwrap(),
    );
    let portal = |method: Method, path: &str, credential: &str, body: Option<Value>| {
        let request = request(method, path, Some(credential), body);
        let signer = &signer;
        async move { reply(partner_portal::handle(ctx, signer, request).await) }
    };
    let issued = portal(
        Method::POST,
        "/partners/sessions",
        &world.key,
        Some(json!({"partnerId": jane.id})),
    )
    .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let token = issued.body["token"].as_str().unwrap().to_owned();
    let own = portal(
        Method::GET,
        "/v1/affiliate/analytics?interval=7d",
        &token,
        None,
    )
    .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert_eq!(
        own.body,
        json!({"clicks": 6, "leads": 1, "sales": 1, "saleAmount": 4_900, "earnings": 1_280})
    );
    let links = portal(
        Method::GET,
        "/v1/affiliate/analytics?groupBy=top_links",
        &token,
        None,
    )
    .await;
    assert_eq!(links.body.as_array().unwrap().len(), 1, "{}", links.body);
    // Another partner, or another partner's link: refused.
    let other = format!("/v1/affiliate/analytics?partnerId={}", omar.id);
    assert_eq!(
        portal(Method::GET, &other, &token, None).await.status,
        StatusCode::FORBIDDEN
    );
    let other_link = format!("/v1/affiliate/analytics?linkId={}", omar.link);
    assert_eq!(
        portal(Method::GET, &other_link, &token, None).await.status,
        StatusCode::NOT_FOUND
    );
    // A program key is not a session.
    let with_key = portal(Method::GET, "/v1/affiliate/analytics", &world.key, None).await;
    assert_eq!(with_key.status, StatusCode::UNAUTHORIZED);
}

async fn bad_queries_are_422_and_other_programs_ids_404(app: TestApp) {
    let (world, jane, _) = program(&app, "go.analytics-bad.test").await;
    let (other, stranger, _) = program(&app, "go.analytics-other.test").await;
    let (ctx, key) = (&app.ctx, world.key.as_str());
    for path in [
        "/analytics?groupBy=nope",
        "/analytics?groupBy=cities",
        "/analytics?event=views",
        "/analytics?interval=2d",
        "/analytics?timezone=Mars/Olympus",
        "/analytics?start=2026-12-04&end=2026-12-01",
        "/analytics?start=2020-01-01",
        "/analytics?tagId=tag_1",
        "/analytics?groupBy=devices&country=US",
        "/analytics?groupBy=top_links&country=US",
        "/partners/analytics",
        "/partners/analytics?partnerId=pn_x&groupBy=countries",
    ] {
        let answer = get(ctx, key, path).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            answer.body
        );
        answer.error_code();
    }
    for path in [
        format!("/analytics?linkId={}", stranger.link),
        format!("/analytics?partnerId={}", stranger.id),
        format!("/partners/analytics?partnerId={}", stranger.id),
        format!("/analytics?linkId={}&partnerId={}", jane.link, stranger.id),
        "/analytics?domain=go.analytics-other.test".to_string(),
    ] {
        let answer = get(ctx, key, &path).await;
        assert_eq!(
            answer.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            answer.body
        );
        assert_eq!(answer.error_code(), "not_found");
    }
    // The other program's key sees its own figures only.
    assert_eq!(ok(ctx, &other.key, "/analytics").await["clicks"], 8);
    // A key needs `analytics.read`.
    let narrow =
        TrackingProgram::key_with(ctx, &world.admin, &world.program.id, vec![Scope::LinksRead])
            .await;
    let answer = get(ctx, &narrow, "/analytics").await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    let reader = TrackingProgram::key_with(
        ctx,
        &world.admin,
        &world.program.id,
        vec![Scope::AnalyticsRead],
    )
    .await;
    assert_eq!(ok(ctx, &reader, "/analytics").await["clicks"], 8);
}
