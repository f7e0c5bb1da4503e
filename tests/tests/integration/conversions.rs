//! Lead and sale tracking over both engines: attribution, commissions, counters, events,
//! idempotency (invoice ids, duplicate leads, `Idempotency-Key`, concurrency), refunds,
//! maturation, payout marking and group graduation.

use http::{Method, StatusCode};
use integration_tests::app::TestApp;
use integration_tests::engine_tests;
use integration_tests::tracking_world::{TestPartner, TrackingProgram, admin, reward, track};
use serde_json::{Value, json};
use shared::auth::Scope;
use shared::context::AppContext;
use shared::groups::{self, CreateGroup, CreateReward, MoveRuleInput, SetMoveRules};
use shared::model::{MoveRuleBound, MoveRuleCondition, MoveRuleMetric, RewardEvent, RewardType};
use shared::ports::{ManualClock, OsRandom};
use shared::types::{GroupId, Percentage};
use std::sync::Arc;

async fn add_reward(app: &TestApp, world: &TrackingProgram, group: &GroupId, reward: CreateReward) {
    groups::create_reward(
        &app.ctx,
        &world.admin,
        world.program.id.as_str(),
        group.as_str(),
        reward,
    )
    .await
    .expect("create a reward");
}

fn percent(value: f64) -> Option<Percentage> {
    Some(Percentage::from_number(value).unwrap())
}

/// A program whose default group pays 20 % of sales and $3 per lead, with one partner.
async fn program_with_partner(app: &TestApp, domain: &str) -> (TrackingProgram, TestPartner) {
    let world = TrackingProgram::create(app, domain).await;
    let group = world.default_group.clone();
    let sale = CreateReward {
        amount_in_percentage: percent(20.0),
        ..reward(RewardEvent::Sale, RewardType::Percentage)
    };
    add_reward(app, &world, &group, sale).await;
    world.pay_per_lead(&app.ctx, &group, 300).await;
    let partner = world.partner(&app.ctx, "JANE", &group).await;
    (world, partner)
}

async fn lead(
    ctx: &AppContext,
    world: &TrackingProgram,
    click: &str,
    customer: &str,
    event: &str,
) -> integration_tests::app::Reply {
    track(
        ctx,
        &world.key,
        "/track/lead",
        json!({"clickId": click, "eventName": event, "customerExternalId": customer,
               "customerEmail": format!("{customer}@example.com"), "customerName": "Sam"}),
        None,
    )
    .await
}

fn sale_body(customer: &str, amount: i64, invoice: Option<&str>) -> Value {
    let mut body = json!({"customerExternalId": customer, "amount": amount,
                          "paymentProcessor": "stripe", "currency": "usd"});
    if let Some(invoice) = invoice {
        body["invoiceId"] = json!(invoice);
    }
    body
}

async fn sale(
    ctx: &AppContext,
    world: &TrackingProgram,
    customer: &str,
    amount: i64,
    invoice: Option<&str>,
) -> integration_tests::app::Reply {
    track(
        ctx,
        &world.key,
        "/track/sale",
        sale_body(customer, amount, invoice),
        None,
    )
    .await
}

async fn commissions(ctx: &AppContext, world: &TrackingProgram, query: &str) -> Vec<Value> {
    let reply = admin(
        ctx,
        &world.key,
        Method::GET,
        &format!("/commissions{query}"),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body.as_array().unwrap().clone()
}

fn now(app: &TestApp) -> time::OffsetDateTime {
    app.ctx.clock.now()
}

/// A context over the same store with a clock the test moves.
fn manual_context(
    app: &TestApp,
    start: time::OffsetDateTime,
) -> (Arc<AppContext>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(start));
    let ctx = AppContext::new(app.store.clone(), clock.clone(), Arc::new(OsRandom), None);
    (Arc::new(ctx), clock)
}

/// Runs `count` sale requests at once, each in its own task.
async fn concurrently(
    ctx: &Arc<AppContext>,
    key: &str,
    bodies: Vec<Value>,
    idempotency_key: Option<&str>,
) -> Vec<integration_tests::app::Reply> {
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let (ctx, key) = (ctx.clone(), key.to_owned());
            let idempotency_key = idempotency_key.map(str::to_owned);
            tokio::spawn(async move {
                track(&ctx, &key, "/track/sale", body, idempotency_key.as_deref()).await
            })
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.unwrap());
    }
    replies
}

engine_tests!(
    a_click_leads_to_a_customer_a_lead_a_sale_and_their_commissions,
    an_invoice_records_one_sale_per_program_forever,
    twenty_concurrent_identical_sales_record_one_sale_and_one_commission,
    duplicate_leads_inside_seven_days_record_nothing_and_the_lead_reward_is_paid_once,
    an_idempotency_key_replays_its_response_and_refuses_another_body,
    bad_input_and_bad_credentials_change_nothing,
    attribution_needs_a_valid_click_of_the_program_inside_the_window,
    refunds_mark_unpaid_commissions_and_claw_back_paid_ones,
    commission_changes_keep_the_totals,
    bulk_status_changes_apply_to_all_or_none,
    lists_page_after_an_item_as_newer_sdks_do,
    customers_are_updated_and_deleted_as_dub_does,
    the_referral_group_graduates_a_partner_after_its_tenth_lead,
    a_first_sale_only_reward_pays_once_even_under_concurrency,
    keys_and_rewards_are_trusted_for_at_most_thirty_seconds_in_another_process,
    customers_read_with_dubs_expanded_fields
);

async fn a_click_leads_to_a_customer_a_lead_a_sale_and_their_commissions(app: TestApp) {
    let (world, partner) = program_with_partner(&app, "go.acme.test").await;
    let click = world.click_at(&partner, now(&app) - time::Duration::days(2));

    let signup = lead(&app.ctx, &world, &click, "user_1", "Sign up").await;
    assert_eq!(signup.status, StatusCode::OK, "{}", signup.body);
    assert_eq!(signup.body["click"]["id"], click.as_str());
    assert_eq!(signup.body["link"]["id"], partner.link.as_str());
    assert_eq!(
        signup.body["link"]["shortLink"],
        "https://go.acme.test/jane"
    );
    assert_eq!(signup.body["customer"]["externalId"], "user_1");
    assert_eq!(signup.body["customer"]["email"], "user_1@example.com");

    let bought = sale(&app.ctx, &world, "user_1", 4_999, Some("in_1")).await;
    assert_eq!(bought.status, StatusCode::OK, "{}", bought.body);
    assert_eq!(bought.body["eventName"], "Purchase");
    assert_eq!(
        bought.body["sale"],
        json!({"amount": 4999, "currency": "usd",
        "paymentProcessor": "stripe", "invoiceId": "in_1", "metadata": null})
    );
    assert!(
        bought.body["customer"]["id"]
            .as_str()
            .unwrap()
            .starts_with("cus_")
    );

    // 20 % of 49.99 is 9.998: rounded half away from zero to 1000 cents.
    let all = commissions(&app.ctx, &world, "").await;
    assert_eq!(all.len(), 2, "{all:?}");
    let sale_commission = &all[0];
    assert_eq!(sale_commission["type"], "sale");
    assert_eq!(sale_commission["earnings"], 1_000);
    assert_eq!(sale_commission["amount"], 4_999);
    assert_eq!(sale_commission["status"], "pending");
    assert_eq!(sale_commission["invoiceId"], "in_1");
    assert_eq!(sale_commission["partner"]["id"], partner.id.as_str());
    assert_eq!(sale_commission["customer"]["externalId"], "user_1");
    assert_eq!(sale_commission["customer"]["country"], "DE");
    assert_eq!(all[1]["type"], "lead");
    assert_eq!(all[1]["earnings"], 300);

    let record = world.partner_record(&app.ctx, &partner).await;
    assert_eq!(record.totals.total_leads, 1);
    assert_eq!(record.totals.total_sales, 1);
    assert_eq!(record.totals.total_conversions, 1);
    assert_eq!(record.totals.total_sale_amount, 4_999);
    assert_eq!(record.totals.total_commissions, 1_300);

    // A second sale of the customer is no new conversion.
    assert_eq!(
        sale(&app.ctx, &world, "user_1", 1_000, Some("in_2"))
            .await
            .status,
        StatusCode::OK
    );
    let record = world.partner_record(&app.ctx, &partner).await;
    assert_eq!(
        (record.totals.total_sales, record.totals.total_conversions),
        (2, 1)
    );
    assert_eq!(record.totals.total_commissions, 1_500);
    let link = app
        .store
        .get(
            &shared::layout::link(&partner.link),
            shared::store::Consistency::Strong,
        )
        .await
        .unwrap()
        .unwrap();
    let stats = shared::links::stats::link_stats_of(&link).unwrap();
    assert_eq!(
        (
            stats.leads,
            stats.sales,
            stats.conversions,
            stats.sale_amount
        ),
        (1, 2, 1, 5_999)
    );

    // Events carry Dub's shapes: the partner with its tenant id and totals, the reward.
    let leads = world.events(&app.ctx, "lead.created").await;
    assert_eq!(leads.len(), 1);
    assert_eq!(leads[0]["partner"]["tenantId"], partner.tenant_id.as_str());
    assert_eq!(leads[0]["partner"]["totalLeads"], 1);
    assert_eq!(leads[0]["click"]["id"], click.as_str());
    assert_eq!(leads[0]["click"]["country"], "DE");
    assert!(leads[0]["click"]["timestamp"].is_string());
    assert_eq!(leads[0]["link"]["leads"], 1);
    assert_eq!(leads[0]["customer"]["country"], "DE");
    assert_eq!(leads[0]["reward"]["amountInCents"], 300);
    let sales = world.events(&app.ctx, "sale.created").await;
    assert_eq!(sales.len(), 2);
    assert_eq!(sales[0]["sale"]["amount"], 4_999);
    // A known customer's sale carries what its click id says, without any read.
    assert_eq!(
        (&sales[1]["click"]["id"], &sales[1]["click"]["country"]),
        (&json!(click), &json!("DE"))
    );
    assert_eq!(
        sales[1]["click"]["timestamp"],
        leads[0]["click"]["timestamp"]
    );
    assert_eq!(sales[0]["partner"]["totalSaleAmount"], 4_999);
    assert_eq!(sales[0]["reward"]["amountInPercentage"], 20);
    let created = world.events(&app.ctx, "commission.created").await;
    assert_eq!(created.len(), 3);
    assert_eq!(created[1]["earnings"], 1_000);
    assert_eq!(created[1]["partner"]["totalCommissions"], 1_300);
    assert_eq!(created[1]["link"]["shortLink"], "https://go.acme.test/jane");

    // Read endpoints: customers by id and by external id, commissions by filters.
    let customers = admin(&app.ctx, &world.key, Method::GET, "/customers", None).await;
    assert_eq!(customers.body.as_array().unwrap().len(), 1);
    let id = customers.body[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(customers.body[0]["sales"], 2);
    assert_eq!(customers.body[0]["saleAmount"], 5_999);
    let by_ext = admin(
        &app.ctx,
        &world.key,
        Method::GET,
        "/customers/ext_user_1",
        None,
    )
    .await;
    assert_eq!(by_ext.body["id"], id.as_str());
    assert_eq!(
        admin(
            &app.ctx,
            &world.key,
            Method::GET,
            &format!("/customers/{id}"),
            None
        )
        .await
        .body["externalId"],
        "user_1"
    );
    assert_eq!(commissions(&app.ctx, &world, "?type=lead").await.len(), 1);
    assert_eq!(
        commissions(
            &app.ctx,
            &world,
            &format!("?partnerId={}&status=pending", partner.id)
        )
        .await
        .len(),
        3
    );
    assert_eq!(
        commissions(
            &app.ctx,
            &world,
            &format!("?tenantId={}", partner.tenant_id)
        )
        .await
        .len(),
        3
    );
    assert_eq!(commissions(&app.ctx, &world, "?status=paid").await.len(), 0);
    assert_eq!(
        commissions(&app.ctx, &world, "?start=2000-01-01&end=2000-12-31")
            .await
            .len(),
        0
    );
    assert_eq!(commissions(&app.ctx, &world, "?pageSize=1").await.len(), 1);
    assert_eq!(
        admin(
            &app.ctx,
            &world.key,
            Method::GET,
            "/commissions?pageSize=0",
            None
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
}

async fn an_invoice_records_one_sale_per_program_forever(app: TestApp) {
    let (world, partner) = program_with_partner(&app, "go.acme.test").await;
    let (other, other_partner) = program_with_partner(&app, "go.other.test").await;
    for (program, partner) in [(&world, &partner), (&other, &other_partner)] {
        let click = program.click_at(partner, now(&app));
        assert_eq!(
            lead(&app.ctx, program, &click, "user_1", "Sign up")
                .await
                .status,
            StatusCode::OK
        );
    }
    let first = sale(&app.ctx, &world, "user_1", 10_000, Some("in_same")).await;
    assert_eq!(first.status, StatusCode::OK);
    // A repeat, even with another amount, gets the first response and changes nothing.
    let again = sale(&app.ctx, &world, "user_1", 99_999, Some("in_same")).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body, first.body);
    assert_eq!(commissions(&app.ctx, &world, "?type=sale").await.len(), 1);
    assert_eq!(
        world
            .partner_record(&app.ctx, &partner)
            .await
            .totals
            .total_sale_amount,
        10_000
    );
    assert_eq!(world.events(&app.ctx, "sale.created").await.len(), 1);
    // The same invoice id in another program is another sale.
    assert_eq!(
        sale(&app.ctx, &other, "user_1", 5_000, Some("in_same"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(commissions(&app.ctx, &other, "?type=sale").await.len(), 1);
    assert_eq!(
        other
            .partner_record(&app.ctx, &other_partner)
            .await
            .totals
            .total_sale_amount,
        5_000
    );
}

async fn twenty_concurrent_identical_sales_record_one_sale_and_one_commission(app: TestApp) {
    let (world, partner) = program_with_partner(&app, "go.acme.test").await;
    let click = world.click_at(&partner, now(&app));
    assert_eq!(
        lead(&app.ctx, &world, &click, "user_1", "Sign up")
            .await
            .status,
        StatusCode::OK
    );
    let bodies = vec![sale_body("user_1", 7_500, Some("in_race")); 20];
    let replies = concurrently(&app.ctx, &world.key, bodies, None).await;
    let first = &replies[0];
    for reply in &replies {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body, first.body);
    }
    assert_eq!(commissions(&app.ctx, &world, "?type=sale").await.len(), 1);
    let totals = world.partner_record(&app.ctx, &partner).await.totals;
    assert_eq!(
        (
            totals.total_sales,
            totals.total_sale_amount,
            totals.total_commissions
        ),
        (1, 7_500, 300 + 1_500)
    );
    assert_eq!(world.events(&app.ctx, "sale.created").await.len(), 1);
    assert_eq!(world.events(&app.ctx, "commission.created").await.len(), 2);
}

async fn duplicate_leads_inside_seven_days_record_nothing_and_the_lead_reward_is_paid_once(
    app: TestApp,
) {
    let (world, partner) = program_with_partner(&app, "go.acme.test").await;
    let start = now(&app);
    let (ctx, clock) = manual_context(&app, start);
    let click = world.click_at(&partner, start);
    let first = lead(&ctx, &world, &click, "user_1", "Sign up").await;
    assert_eq!(first.status, StatusCode::OK);
    clock.advance(time::Duration::days(6));
    let duplicate = lead(&ctx, &world, &click, "user_1", "Sign up").await;
    assert_eq!(duplicate.status, StatusCode::OK);
    assert_eq!(duplicate.body, first.body);
    assert_eq!(
        world
            .partner_record(&ctx, &partner)
            .await
            .totals
            .total_leads,
        1
    );
    // Another event name is another lead, but the lead reward was paid already.
    assert_eq!(
        lead(&ctx, &world, "", "user_1", "Activated").await.status,
        StatusCode::OK
    );
    let totals = world.partner_record(&ctx, &partner).await.totals;
    assert_eq!((totals.total_leads, totals.total_commissions), (2, 300));
    // After the window the same event name counts again.
    clock.advance(time::Duration::days(2));
    assert_eq!(
        lead(&ctx, &world, "", "user_1", "Sign up").await.status,
        StatusCode::OK
    );
    assert_eq!(
        world
            .partner_record(&ctx, &partner)
            .await
            .totals
            .total_leads,
        3
    );
    assert_eq!(commissions(&ctx, &world, "?type=lead").await.len(), 1);
    assert_eq!(world.events(&ctx, "lead.created").await.len(), 3);
}

async fn an_idempotency_key_replays_its_response_and_refuses_another_body(app: TestApp) {
    let (world, partner) = program_with_partner(&app, "go.acme.test").await;
    let start = now(&app);
    let (ctx, clock) = manual_context(&app, start);
    let click = world.click_at(&partner, start);
    assert_eq!(
        lead(&ctx, &world, &click, "user_1", "Sign up").await.status,
        StatusCode::OK
    );
    let body = sale_body("user_1", 2_000, None);
    let first = track(&ctx, &world.key, "/track/sale", body.clone(), Some("key-1")).await;
    assert_eq!(first.status, StatusCode::OK);
    clock.advance(time::Duration::hours(23));
    let replay = track(&ctx, &world.key, "/track/sale", body.clone(), Some("key-1")).await;
    assert_eq!((replay.status, &replay.body), (StatusCode::OK, &first.body));
    let other = track(
        &ctx,
        &world.key,
        "/track/sale",
        sale_body("user_1", 2_001, None),
        Some("key-1"),
    )
    .await;
    assert_eq!(other.status, StatusCode::CONFLICT);
    assert_eq!(other.error_code(), "conflict");
    assert_eq!(
        world
            .partner_record(&ctx, &partner)
            .await
            .totals
            .total_sales,
        1
    );
    // Concurrent requests with one key: one sale.
    let bodies = vec![sale_body("user_1", 700, None); 5];
    for reply in concurrently(&ctx, &world.key, bodies, Some("key-2")).await {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    assert_eq!(
        world
            .partner_record(&ctx, &partner)
            .await
            .totals
            .total_sales,
        2
    );
    // After the replay window the key is free again.
    clock.advance(time::Duration::hours(2));
    assert_eq!(
        track(&ctx, &world.key, "/track/sale", body, Some("key-1"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        world
            .partner_record(&ctx, &partner)
            .await
            .totals
            .total_sales,
        3
    );
}

async fn bad_input_and_bad_credentials_change_nothing(app: TestApp) {
    let (world, partner) = program_with_partner(&app, "go.acme.test").await;
    let click = world.click_at(&partner, now(&app));
    assert_eq!(
        lead(&app.ctx, &world, &click, "user_1", "Sign up")
            .await
            .status,
        StatusCode::OK
    );
    let events_before = world.events(&app.ctx, "sale.created").await.len();
    let mut bad: Vec<(Value, &str)> = vec![
        (
            json!({"customerExternalId": "user_1", "amount": -1}),
            "unprocessable_entity",
        ),
        (
            json!({"customerExternalId": "user_1", "amount": 10.5}),
            "unprocessable_entity",
        ),
        (
            json!({"customerExternalId": "user_1", "amount": 100, "currency": "xyz"}),
            "unprocessable_entity",
        ),
        (
            json!({"customerExternalId": "user_1", "amount": 100, "currency": "eur"}),
            "unprocessable_entity",
        ),
        (
            json!({"customerExternalId": "user_1", "amount": 100, "invoiceId": "i".repeat(191)}),
            "unprocessable_entity",
        ),
        (
            json!({"customerExternalId": "user_1", "amount": 100, "eventName": "e".repeat(256)}),
            "unprocessable_entity",
        ),
        (
            json!({"customerExternalId": "user_1", "amount": 100, "metadata": {"k": "v".repeat(10_001)}}),
            "unprocessable_entity",
        ),
        (
            json!({"customerExternalId": "user_1", "amount": 100, "admin": true}),
            "unprocessable_entity",
        ),
        (
            json!({"customerExternalId": "user_1", "amount": 100, "pad": "x".repeat(70_000)}),
            "payload_too_large",
        ),
    ];
    for (body, code) in bad.drain(..) {
        let reply = track(&app.ctx, &world.key, "/track/sale", body, Some("bad-input")).await;
        assert_eq!(reply.error_code(), code, "{}", reply.body);
    }
    let long_event = track(
        &app.ctx,
        &world.key,
        "/track/lead",
        json!({"clickId": click, "eventName": "e".repeat(256), "customerExternalId": "user_2"}),
        None,
    )
    .await;
    assert_eq!(long_event.error_code(), "unprocessable_entity");
    // Credentials: missing, unknown, revoked → 401; a key without the scope → 403.
    let missing = integration_tests::app::reply(
        conversion_tracking::handle(
            &app.ctx,
            &integration_tests::tracking_world::signer(),
            integration_tests::app::request(
                Method::POST,
                "/track/sale",
                None,
                Some(sale_body("user_1", 100, None)),
            ),
        )
        .await,
    );
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    let unknown = track(
        &app.ctx,
        "plk_unknown",
        "/track/sale",
        sale_body("user_1", 100, None),
        None,
    )
    .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let reader = TrackingProgram::key_with(
        &app.ctx,
        &world.admin,
        &world.program.id,
        vec![Scope::CommissionsRead],
    )
    .await;
    let forbidden = track(
        &app.ctx,
        &reader,
        "/track/sale",
        sale_body("user_1", 100, None),
        None,
    )
    .await;
    assert_eq!(
        (forbidden.status, forbidden.error_code()),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let revoked = TrackingProgram::key_with(
        &app.ctx,
        &world.admin,
        &world.program.id,
        vec![Scope::ConversionsWrite],
    )
    .await;
    let keys = shared::programs::list_api_keys(
        &app.ctx,
        &world.admin,
        world.program.id.as_str(),
        None,
        100,
    )
    .await
    .unwrap()
    .0;
    let newest = keys.iter().max_by_key(|k| k.created_at).unwrap();
    shared::programs::revoke_api_key(
        &app.ctx,
        &world.admin,
        world.program.id.as_str(),
        newest.id.as_str(),
    )
    .await
    .unwrap();
    assert_eq!(
        track(
            &app.ctx,
            &revoked,
            "/track/sale",
            sale_body("user_1", 100, None),
            None
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );

    assert_eq!(
        world.events(&app.ctx, "sale.created").await.len(),
        events_before
    );
    let totals = world.partner_record(&app.ctx, &partner).await.totals;
    assert_eq!((totals.total_sales, totals.total_sale_amount), (0, 0));
    // The key of a refused request stays free.
    assert_eq!(
        track(
            &app.ctx,
            &world.key,
            "/track/sale",
            sale_body("user_1", 100, None),
            Some("bad-input")
        )
        .await
        .status,
        StatusCode::OK
    );
}

async fn attribution_needs_a_valid_click_of_the_program_inside_the_window(app: TestApp) {
    let (world, partner) = program_with_partner(&app, "go.acme.test").await;
    let (other, other_partner) = program_with_partner(&app, "go.other.test").await;
    let expired = world.click_at(&partner, now(&app) - time::Duration::days(31));
    let foreign = other.click_at(&other_partner, now(&app));
    // One character in the middle changed (to one it was not): the signature fails. (The
    // last character would not do: its low bits are padding.)
    let genuine = world.click_at(&partner, now(&app));
    let (head, rest) = genuine.split_at(30);
    let swapped = if rest.starts_with('A') { "B" } else { "A" };
    let forged = format!("{head}{swapped}{}", &rest[1..]);
    for click in [
        expired.as_str(),
        foreign.as_str(),
        forged.as_str(),
        "clk_unknown",
    ] {
        let reply = lead(&app.ctx, &world, click, "user_1", "Sign up").await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (StatusCode::NOT_FOUND, "not_found"),
            "{click}"
        );
    }
    let no_click = lead(&app.ctx, &world, "", "user_1", "Sign up").await;
    assert_eq!(no_click.status, StatusCode::NOT_FOUND);
    // An unknown customer's sale without a click records nothing (Dub).
    let nothing = sale(&app.ctx, &world, "user_1", 100, Some("in_x")).await;
    assert_eq!(nothing.status, StatusCode::OK);
    assert_eq!(
        nothing.body,
        json!({"eventName": "Purchase", "customer": null, "sale": null})
    );
    // Direct sale tracking: a sale with a click creates the customer.
    let click = world.click_at(&partner, now(&app));
    let mut body = sale_body("user_9", 2_500, Some("in_9"));
    body["clickId"] = json!(click);
    body["customerName"] = json!("Nine");
    let direct = track(&app.ctx, &world.key, "/track/sale", body, None).await;
    assert_eq!(direct.status, StatusCode::OK, "{}", direct.body);
    assert_eq!(direct.body["customer"]["name"], "Nine");
    let totals = world.partner_record(&app.ctx, &partner).await.totals;
    assert_eq!(
        (
            totals.total_sales,
            totals.total_conversions,
            totals.total_commissions
        ),
        (1, 1, 500)
    );
    // Rule: an existing customer keeps its first attribution; another click is ignored.
    let mut switch = sale_body("user_9", 1_000, Some("in_10"));
    switch["clickId"] = json!(other.click_at(&other_partner, now(&app)));
    assert_eq!(
        track(&app.ctx, &world.key, "/track/sale", switch, None)
            .await
            .status,
        StatusCode::OK
    );
    let second = world
        .partner(&app.ctx, "SECOND", &world.default_group)
        .await;
    let mut switch = sale_body("user_9", 1_000, Some("in_11"));
    switch["clickId"] = json!(world.click_at(&second, now(&app)));
    assert_eq!(
        track(&app.ctx, &world.key, "/track/sale", switch, None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        world
            .partner_record(&app.ctx, &partner)
            .await
            .totals
            .total_sales,
        3
    );
    assert_eq!(
        world
            .partner_record(&app.ctx, &second)
            .await
            .totals
            .total_sales,
        0
    );
    // Deferred mode: the customer now, the lead later with an empty click id.
    let click = world.click_at(&second, now(&app));
    let deferred = track(&app.ctx, &world.key, "/track/lead",
        json!({"clickId": click, "eventName": "Sign up", "customerExternalId": "user_d", "mode": "deferred"}), None).await;
    assert_eq!(deferred.status, StatusCode::OK, "{}", deferred.body);
    assert_eq!(
        world
            .partner_record(&app.ctx, &second)
            .await
            .totals
            .total_leads,
        0
    );
    let later = lead(&app.ctx, &world, "", "user_d", "Sign up").await;
    assert_eq!(later.status, StatusCode::OK);
    assert_eq!(later.body["click"]["id"], click.as_str());
    assert_eq!(
        world
            .partner_record(&app.ctx, &second)
            .await
            .totals
            .total_leads,
        1
    );
}

async fn refunds_mark_unpaid_commissions_and_claw_back_paid_ones(app: TestApp) {
    let (world, partner) = program_with_partner(&app, "go.acme.test").await;
    let start = now(&app);
    let (ctx, clock) = manual_context(&app, start);
    let click = world.click_at(&partner, start);
    assert_eq!(
        lead(&ctx, &world, &click, "user_1", "Sign up").await.status,
        StatusCode::OK
    );
    for (invoice, amount) in [
        ("in_full", 10_000),
        ("in_part", 10_000),
        ("in_paid", 10_000),
    ] {
        assert_eq!(
            sale(&ctx, &world, "user_1", amount, Some(invoice))
                .await
                .status,
            StatusCode::OK
        );
    }
    let refund = |invoice: &'static str, amount: Option<i64>| {
        let mut body = json!({"invoiceId": invoice});
        if let Some(amount) = amount {
            body["amount"] = json!(amount);
        }
        track(&ctx, &world.key, "/track/refund", body, None)
    };
    // Unpaid, full: refunded and out of the totals.
    let full = refund("in_full", None).await;
    assert_eq!(full.status, StatusCode::OK, "{}", full.body);
    assert_eq!(full.body["commission"]["status"], "refunded");
    // Unpaid, partial: 25 % of the sale takes 25 % of the earnings.
    let part = refund("in_part", Some(2_500)).await;
    assert_eq!(part.body["commission"]["earnings"], 1_500);
    assert_eq!(part.body["refundedAmount"], 2_500);
    assert_eq!(
        refund("in_part", Some(9_000)).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        refund("in_unknown", None).await.status,
        StatusCode::NOT_FOUND
    );
    let totals = world.partner_record(&ctx, &partner).await.totals;
    assert_eq!(totals.total_sale_amount, 30_000 - 10_000 - 2_500);
    assert_eq!(totals.total_commissions, 300 + 1_500 + 2_000);
    // Paid: the holding period (30 days by default) passes, the payout marks it paid.
    clock.advance(time::Duration::days(31));
    let report = shared::commissions::mature_commissions(&ctx, 1_000)
        .await
        .unwrap();
    assert_eq!(report.processed, 3, "{report:?}"); // lead, in_part, in_paid
    assert_eq!(report.skipped, 0); // the full refund removed in_full's marker
    let paid_id = commissions(&ctx, &world, "?invoiceId=in_paid").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let paid = admin(
        &ctx,
        &world.key,
        Method::PATCH,
        &format!("/commissions/{paid_id}"),
        Some(json!({"status": "paid"})),
    )
    .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    assert_eq!(paid.body["status"], "paid");
    assert!(paid.body["paidAt"].is_string());
    let locked = admin(
        &ctx,
        &world.key,
        Method::PATCH,
        &format!("/commissions/{paid_id}"),
        Some(json!({"status": "fraud"})),
    )
    .await;
    assert_eq!(locked.status, StatusCode::CONFLICT);
    let clawback = refund("in_paid", Some(5_000)).await;
    assert_eq!(clawback.status, StatusCode::OK, "{}", clawback.body);
    assert_eq!(clawback.body["clawback"]["earnings"], -1_000);
    assert_eq!(clawback.body["clawback"]["type"], "custom");
    let created = world.events(&ctx, "commission.created").await;
    assert_eq!(created.last().unwrap()["earnings"], -1_000);
    let totals = world.partner_record(&ctx, &partner).await.totals;
    assert_eq!(totals.total_commissions, 300 + 1_500 + 2_000 - 1_000);
    assert_eq!(refund("in_full", None).await.status, StatusCode::CONFLICT);
}

async fn commission_changes_keep_the_totals(app: TestApp) {
    let (world, partner) = program_with_partner(&app, "go.acme.test").await;
    let click = world.click_at(&partner, now(&app));
    assert_eq!(
        lead(&app.ctx, &world, &click, "user_1", "Sign up")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        sale(&app.ctx, &world, "user_1", 10_000, Some("in_1"))
            .await
            .status,
        StatusCode::OK
    );
    let id = commissions(&app.ctx, &world, "?type=sale").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/commissions/{id}");
    let corrected = admin(
        &app.ctx,
        &world.key,
        Method::PATCH,
        &path,
        Some(json!({"amount": 5_000, "note": "Partial order"})),
    )
    .await;
    assert_eq!(corrected.status, StatusCode::OK, "{}", corrected.body);
    assert_eq!(
        (
            corrected.body["amount"].clone(),
            corrected.body["earnings"].clone()
        ),
        (json!(5_000), json!(1_000))
    );
    assert_eq!(
        world
            .partner_record(&app.ctx, &partner)
            .await
            .totals
            .total_commissions,
        1_300
    );
    let fraud = admin(
        &app.ctx,
        &world.key,
        Method::PATCH,
        &path,
        Some(json!({"status": "fraud"})),
    )
    .await;
    assert_eq!(fraud.body["status"], "fraud");
    assert_eq!(
        world
            .partner_record(&app.ctx, &partner)
            .await
            .totals
            .total_commissions,
        300
    );
    assert_eq!(
        admin(
            &app.ctx,
            &world.key,
            Method::PATCH,
            &path,
            Some(json!({"status": "paid"}))
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        admin(
            &app.ctx,
            &world.key,
            Method::PATCH,
            &path,
            Some(json!({"status": "bogus"}))
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let back = admin(
        &app.ctx,
        &world.key,
        Method::PATCH,
        &path,
        Some(json!({"status": "pending"})),
    )
    .await;
    assert_eq!(back.body["status"], "pending");
    assert_eq!(
        world
            .partner_record(&app.ctx, &partner)
            .await
            .totals
            .total_commissions,
        1_300
    );
    let reader = TrackingProgram::key_with(
        &app.ctx,
        &world.admin,
        &world.program.id,
        vec![Scope::CommissionsRead],
    )
    .await;
    assert_eq!(
        admin(
            &app.ctx,
            &reader,
            Method::PATCH,
            &path,
            Some(json!({"status": "fraud"}))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let (other, _) = program_with_partner(&app, "go.other.test").await;
    assert_eq!(
        admin(&app.ctx, &other.key, Method::GET, &path, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn bulk_status_changes_apply_to_all_or_none(app: TestApp) {
    let (world, partner) = program_with_partner(&app, "go.acme.test").await;
    let click = world.click_at(&partner, now(&app));
    assert_eq!(
        lead(&app.ctx, &world, &click, "user_1", "Sign up")
            .await
            .status,
        StatusCode::OK
    );
    for invoice in ["in_1", "in_2", "in_3"] {
        assert_eq!(
            sale(&app.ctx, &world, "user_1", 10_000, Some(invoice))
                .await
                .status,
            StatusCode::OK
        );
    }
    let ids: Vec<String> = commissions(&app.ctx, &world, "?type=sale")
        .await
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        world
            .partner_record(&app.ctx, &partner)
            .await
            .totals
            .total_commissions,
        300 + 6_000
    );
    let bulk = |body: Value| {
        admin(
            &app.ctx,
            &world.key,
            Method::PATCH,
            "/commissions/bulk",
            Some(body),
        )
    };
    // One id that cannot take the status refuses the whole request.
    let (other, other_partner) = program_with_partner(&app, "go.other.test").await;
    let other_click = other.click_at(&other_partner, now(&app));
    assert_eq!(
        lead(&app.ctx, &other, &other_click, "user_9", "Sign up")
            .await
            .status,
        StatusCode::OK
    );
    let foreign = commissions(&app.ctx, &other, "").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = bulk(json!({"commissionIds": [ids[0], foreign], "status": "fraud"})).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&foreign)
    );
    assert_eq!(
        commissions(&app.ctx, &world, "?status=fraud").await.len(),
        0,
        "nothing changed"
    );
    let done = bulk(json!({"commissionIds": [ids[0], ids[1]], "status": "fraud"})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(
        done.body,
        json!([{"id": ids[0], "status": "fraud"}, {"id": ids[1], "status": "fraud"}])
    );
    assert_eq!(
        world
            .partner_record(&app.ctx, &partner)
            .await
            .totals
            .total_commissions,
        300 + 2_000
    );
    assert_eq!(world.events(&app.ctx, "commission.updated").await.len(), 2);
    // Again: nothing to change, the same answer; back to pending restores the totals.
    assert_eq!(
        bulk(json!({"commissionIds": [ids[0]], "status": "fraud"}))
            .await
            .status,
        StatusCode::OK
    );
    let back = bulk(json!({"commissionIds": [ids[0], ids[1]], "status": "pending"})).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert_eq!(
        world
            .partner_record(&app.ctx, &partner)
            .await
            .totals
            .total_commissions,
        300 + 6_000
    );
    for bad in [
        json!({"commissionIds": [], "status": "fraud"}),
        json!({"commissionIds": [ids[2]], "status": "paid"}),
        json!({"commissionIds": vec![ids[2].clone(); 26].into_iter().enumerate().map(|(n, id)| format!("{id}{n}")).collect::<Vec<_>>(), "status": "fraud"}),
    ] {
        assert_eq!(
            bulk(bad.clone()).await.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}"
        );
    }
}

async fn lists_page_after_an_item_as_newer_sdks_do(app: TestApp) {
    let (world, partner) = program_with_partner(&app, "go.acme.test").await;
    let click = world.click_at(&partner, now(&app));
    for customer in ["user_1", "user_2", "user_3"] {
        assert_eq!(
            lead(&app.ctx, &world, &click, customer, "Sign up")
                .await
                .status,
            StatusCode::OK
        );
    }
    let all: Vec<String> = commissions(&app.ctx, &world, "")
        .await
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(all.len(), 3);
    let mut walked = Vec::new();
    let mut query = "?pageSize=1".to_owned();
    for _ in 0..5 {
        let page = commissions(&app.ctx, &world, &query).await;
        let Some(last) = page.last() else { break };
        walked.push(last["id"].as_str().unwrap().to_owned());
        query = format!("?pageSize=1&startingAfter={}", last["id"].as_str().unwrap());
    }
    assert_eq!(walked, all, "startingAfter walks the whole list once");
    let customers = admin(
        &app.ctx,
        &world.key,
        Method::GET,
        "/customers?pageSize=2",
        None,
    )
    .await;
    let second_id = customers.body[1]["id"].as_str().unwrap().to_owned();
    let after = admin(
        &app.ctx,
        &world.key,
        Method::GET,
        &format!("/customers?pageSize=2&startingAfter={second_id}"),
        None,
    )
    .await;
    assert_eq!(after.body.as_array().unwrap().len(), 1, "{}", after.body);
    let after_one = admin(
        &app.ctx,
        &world.key,
        Method::GET,
        &format!("/customers?externalId=user_1&startingAfter={second_id}"),
        None,
    )
    .await;
    assert_eq!(after_one.body, json!([]));
    for bad in [
        "/commissions?startingAfter=cm_nope",
        "/commissions?endingBefore=x",
        "/commissions?page=2&startingAfter=x",
    ] {
        assert_eq!(
            admin(&app.ctx, &world.key, Method::GET, bad, None)
                .await
                .status,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
}

async fn customers_are_updated_and_deleted_as_dub_does(app: TestApp) {
    let (world, partner) = program_with_partner(&app, "go.acme.test").await;
    let click = world.click_at(&partner, now(&app));
    assert_eq!(
        lead(&app.ctx, &world, &click, "user_1", "Sign up")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        sale(&app.ctx, &world, "user_1", 10_000, Some("in_1"))
            .await
            .status,
        StatusCode::OK
    );
    let call = |method: Method, path: &'static str, body: Option<Value>| {
        admin(&app.ctx, &world.key, method, path, body)
    };
    let updated = call(
        Method::PATCH,
        "/customers/ext_user_1",
        Some(json!({
        "name": "Sam Smith", "email": "Sam@ＥＸＡＭＰＬＥ.com", "country": "de",
        "stripeCustomerId": "cus_Stripe1", "subscriptionCanceledAt": "2026-12-01T00:00:00Z"})),
    )
    .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(
        (
            updated.body["name"].as_str(),
            updated.body["email"].as_str(),
            updated.body["country"].as_str()
        ),
        (Some("Sam Smith"), Some("sam@example.com"), Some("DE"))
    );
    assert_eq!(updated.body["stripeCustomerId"], "cus_Stripe1");
    assert_eq!(updated.body["sales"], 1, "the activity is untouched");
    let cleared = call(
        Method::PATCH,
        "/customers/ext_user_1",
        Some(json!({"name": null})),
    )
    .await;
    assert_eq!(cleared.body["name"], Value::Null);
    for bad in [
        json!({"externalId": "user_2"}),
        json!({"email": "not an email"}),
        json!({"country": "Germany"}),
        json!({"bogus": 1}),
    ] {
        let refused = call(Method::PATCH, "/customers/ext_user_1", Some(bad.clone())).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            refused.body
        );
    }
    assert_eq!(world.events(&app.ctx, "customer.updated").await.len(), 2);
    let reader = TrackingProgram::key_with(
        &app.ctx,
        &world.admin,
        &world.program.id,
        vec![Scope::CustomersRead],
    )
    .await;
    let denied = admin(
        &app.ctx,
        &reader,
        Method::DELETE,
        "/customers/ext_user_1",
        None,
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let deleted = call(Method::DELETE, "/customers/ext_user_1", None).await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert!(deleted.body["id"].as_str().unwrap().starts_with("cus_"));
    assert_eq!(
        call(Method::GET, "/customers/ext_user_1", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(Method::DELETE, "/customers/ext_user_1", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        commissions(&app.ctx, &world, "?type=sale").await.len(),
        1,
        "history stays"
    );
}

async fn the_referral_group_graduates_a_partner_after_its_tenth_lead(app: TestApp) {
    let world = TrackingProgram::create(&app, "go.acme.test").await;
    let default = world.default_group.clone();
    add_reward(
        &app,
        &world,
        &default,
        CreateReward {
            amount_in_percentage: percent(20.0),
            ..reward(RewardEvent::Sale, RewardType::Percentage)
        },
    )
    .await;
    let referral = groups::create_group(
        &app.ctx,
        &world.admin,
        world.program.id.as_str(),
        CreateGroup {
            name: "Referral".into(),
            slug: Some("referral".into()),
            holding_period_days: None,
            auto_approve: Some(true),
            max_links_per_partner: None,
        },
    )
    .await
    .unwrap();
    add_reward(
        &app,
        &world,
        &referral.id,
        CreateReward {
            amount_in_cents: Some(0),
            description: Some("500 free credits for every signup you refer".into()),
            ..reward(RewardEvent::Lead, RewardType::Flat)
        },
    )
    .await;
    groups::set_move_rules(
        &app.ctx,
        &world.admin,
        world.program.id.as_str(),
        referral.id.as_str(),
        SetMoveRules {
            rules: vec![MoveRuleInput {
                conditions: vec![MoveRuleCondition {
                    metric: MoveRuleMetric::TotalLeads,
                    bound: MoveRuleBound::Gte(10),
                }],
                target_group_id: default.clone(),
            }],
        },
    )
    .await
    .unwrap();
    let partner = world.partner(&app.ctx, "JANE", &referral.id).await;
    let stays = world.partner(&app.ctx, "STAYS", &referral.id).await;
    shared::partners::update_partner(
        &app.ctx,
        &world.admin,
        world.program.id.as_str(),
        stays.id.as_str(),
        shared::partners::UpdatePartner {
            exclude_from_moves: true,
        },
    )
    .await
    .unwrap();
    for n in 1..=10 {
        let click = world.click_at(&partner, now(&app));
        assert_eq!(
            lead(&app.ctx, &world, &click, &format!("user_{n}"), "Sign up")
                .await
                .status,
            StatusCode::OK
        );
        let click = world.click_at(&stays, now(&app));
        assert_eq!(
            lead(&app.ctx, &world, &click, &format!("stays_{n}"), "Sign up")
                .await
                .status,
            StatusCode::OK
        );
        let group = world.partner_record(&app.ctx, &partner).await.group_id;
        assert_eq!(group == default, n == 10, "after lead {n}");
    }
    assert_eq!(
        world.partner_record(&app.ctx, &stays).await.group_id,
        referral.id
    );
    // Non-monetary: no cash commission, but each event carries the reward and the totals.
    assert!(commissions(&app.ctx, &world, "").await.is_empty());
    let leads = world.events(&app.ctx, "lead.created").await;
    let jane: Vec<&Value> = leads
        .iter()
        .filter(|l| l["partner"]["id"] == partner.id.as_str())
        .collect();
    assert_eq!(jane.len(), 10);
    assert_eq!(
        jane[9]["reward"]["description"],
        "500 free credits for every signup you refer"
    );
    assert_eq!(jane[9]["reward"]["earnings"], 0);
    assert_eq!(jane[9]["partner"]["totalLeads"], 10);
    let moved = world.events(&app.ctx, "partner.group_moved").await;
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0]["partnerId"], partner.id.as_str());
    assert_eq!(moved[0]["toGroupId"], default.as_str());
    // Future events use the new group's rewards.
    assert_eq!(
        sale(&app.ctx, &world, "user_1", 10_000, None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        commissions(&app.ctx, &world, "?type=sale").await[0]["earnings"],
        2_000
    );
    assert_eq!(
        sale(&app.ctx, &world, "stays_1", 10_000, None).await.status,
        StatusCode::OK
    );
    // The referral group has no sale reward: the program's default rate (20 %) applies.
    assert_eq!(commissions(&app.ctx, &world, "?type=sale").await.len(), 2);
}

async fn a_first_sale_only_reward_pays_once_even_under_concurrency(app: TestApp) {
    let world = TrackingProgram::create(&app, "go.acme.test").await;
    add_reward(
        &app,
        &world,
        &world.default_group.clone(),
        CreateReward {
            amount_in_cents: Some(1_000),
            max_duration: Some(0),
            ..reward(RewardEvent::Sale, RewardType::Flat)
        },
    )
    .await;
    let partner = world.partner(&app.ctx, "JANE", &world.default_group).await;
    let click = world.click_at(&partner, now(&app));
    assert_eq!(
        lead(&app.ctx, &world, &click, "user_1", "Sign up")
            .await
            .status,
        StatusCode::OK
    );
    let bodies = (0..6)
        .map(|n| sale_body("user_1", 5_000, Some(&format!("in_{n}"))))
        .collect();
    for reply in concurrently(&app.ctx, &world.key, bodies, None).await {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    assert_eq!(commissions(&app.ctx, &world, "?type=sale").await.len(), 1);
    let totals = world.partner_record(&app.ctx, &partner).await.totals;
    assert_eq!(
        (
            totals.total_sales,
            totals.total_conversions,
            totals.total_commissions
        ),
        (6, 1, 1_000)
    );
}

async fn keys_and_rewards_are_trusted_for_at_most_thirty_seconds_in_another_process(app: TestApp) {
    let world = TrackingProgram::create(&app, "go.acme.test").await;
    let group = world.default_group.clone();
    let sale_reward = groups::create_reward(
        &app.ctx,
        &world.admin,
        world.program.id.as_str(),
        group.as_str(),
        CreateReward {
            amount_in_percentage: percent(20.0),
            ..reward(RewardEvent::Sale, RewardType::Percentage)
        },
    )
    .await
    .unwrap();
    let partner = world.partner(&app.ctx, "JANE", &group).await;
    let click = world.click_at(&partner, now(&app));
    assert_eq!(
        lead(&app.ctx, &world, &click, "user_1", "Sign up")
            .await
            .status,
        StatusCode::OK
    );
    let created = shared::programs::create_api_key(
        &app.ctx,
        &world.admin,
        world.program.id.as_str(),
        shared::programs::CreateApiKey {
            name: "backend".into(),
            scopes: vec![Scope::ConversionsWrite],
            expires_at: None,
        },
    )
    .await
    .unwrap();
    let (key_id, key) = (created.id, created.key.unwrap());
    // Another process (another Lambda container) over the same table, with a clock we move.
    let (other, clock) = manual_context(&app, now(&app));
    let earned = || async {
        world
            .partner_record(&app.ctx, &partner)
            .await
            .totals
            .total_commissions
    };
    let sell = |ctx: Arc<AppContext>, key: String, invoice: &'static str| async move {
        track(
            &ctx,
            &key,
            "/track/sale",
            sale_body("user_1", 10_000, Some(invoice)),
            None,
        )
        .await
        .status
    };
    assert_eq!(
        sell(other.clone(), key.clone(), "in_1").await,
        StatusCode::OK
    );
    assert_eq!(earned().await, 2_000);

    // A reward change made here applies here at once...
    let update: groups::UpdateReward =
        serde_json::from_value(json!({"amountInPercentage": 30})).unwrap();
    groups::update_reward(
        &app.ctx,
        &world.admin,
        world.program.id.as_str(),
        group.as_str(),
        sale_reward.id.as_str(),
        update,
    )
    .await
    .unwrap();
    assert_eq!(
        sell(app.ctx.clone(), world.key.clone(), "in_2").await,
        StatusCode::OK
    );
    assert_eq!(earned().await, 5_000);
    // ...and in the other process once its copy is 30 s old.
    assert_eq!(
        sell(other.clone(), key.clone(), "in_3").await,
        StatusCode::OK
    );
    assert_eq!(earned().await, 7_000, "the other process still pays 20 %");

    // A revoked key is refused at once by the process that revoked it...
    shared::programs::revoke_api_key(
        &app.ctx,
        &world.admin,
        world.program.id.as_str(),
        key_id.as_str(),
    )
    .await
    .unwrap();
    assert_eq!(
        sell(app.ctx.clone(), key.clone(), "in_4").await,
        StatusCode::UNAUTHORIZED
    );
    // ...and by every other process within 30 s.
    clock.advance(time::Duration::seconds(29));
    assert_eq!(
        sell(other.clone(), key.clone(), "in_5").await,
        StatusCode::OK
    );
    assert_eq!(earned().await, 9_000);
    clock.advance(time::Duration::seconds(1));
    assert_eq!(
        sell(other.clone(), key.clone(), "in_6").await,
        StatusCode::UNAUTHORIZED
    );
    clock.advance(time::Duration::minutes(10));
    assert_eq!(
        sell(other.clone(), key.clone(), "in_7").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sell(other.clone(), world.key.clone(), "in_8").await,
        StatusCode::OK
    );
    assert_eq!(earned().await, 12_000, "the other process now pays 30 %");
}

async fn customers_read_with_dubs_expanded_fields(app: TestApp) {
    let (world, partner) = program_with_partner(&app, "go.acme.test").await;
    let discount = groups::set_discount(
        &app.ctx,
        &world.admin,
        world.program.id.as_str(),
        world.default_group.as_str(),
        serde_json::from_value(json!({"amount": 10, "type": "percentage", "maxDuration": 3}))
            .unwrap(),
    )
    .await
    .unwrap();
    let click = world.click_at(&partner, now(&app));
    assert_eq!(
        lead(&app.ctx, &world, &click, "user_1", "Sign up")
            .await
            .status,
        StatusCode::OK
    );

    let plain = admin(&app.ctx, &world.key, Method::GET, "/customers", None).await;
    assert_eq!(plain.status, StatusCode::OK, "{}", plain.body);
    // The email filter finds the customer however its address is spelled.
    let by_email = admin(
        &app.ctx,
        &world.key,
        Method::GET,
        "/customers?email=User_1%40EXAMPLE.com",
        None,
    )
    .await;
    assert_eq!(
        by_email.body.as_array().map(Vec::len),
        Some(1),
        "{}",
        by_email.body
    );
    assert!(plain.body[0].get("link").is_none() && plain.body[0].get("partner").is_none());
    let expected_link = json!({"id": partner.link, "domain": "go.acme.test", "key": "jane",
        "shortLink": "https://go.acme.test/jane", "url": "https://go.acme.test/", "programId": world.program.id});
    let expected_partner =
        json!({"id": partner.id, "name": "Partner JANE", "email": null, "image": null});
    let expected_discount = json!({"id": discount.id, "amount": 10, "type": "percentage", "maxDuration": 3,
        "couponId": null, "couponTestId": null});
    for path in [
        "/customers?includeExpandedFields=true",
        "/customers?externalId=user_1&includeExpandedFields=true",
    ] {
        let listed = admin(&app.ctx, &world.key, Method::GET, path, None).await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        assert_eq!(listed.body[0]["link"], expected_link, "{path}");
        assert_eq!(listed.body[0]["partner"], expected_partner, "{path}");
        assert_eq!(listed.body[0]["discount"], expected_discount, "{path}");
    }
    let one = admin(
        &app.ctx,
        &world.key,
        Method::GET,
        "/customers/ext_user_1?includeExpandedFields=true",
        None,
    )
    .await;
    assert_eq!(
        (&one.body["link"], &one.body["partner"]),
        (&expected_link, &expected_partner)
    );
    let unexpanded = admin(
        &app.ctx,
        &world.key,
        Method::GET,
        "/customers/ext_user_1?includeExpandedFields=false",
        None,
    )
    .await;
    assert!(
        unexpanded.body.get("discount").is_none(),
        "{}",
        unexpanded.body
    );
    let bad = admin(
        &app.ctx,
        &world.key,
        Method::GET,
        "/customers?includeExpandedFields=yes",
        None,
    )
    .await;
    assert_eq!(
        (bad.status, bad.error_code()),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
}
