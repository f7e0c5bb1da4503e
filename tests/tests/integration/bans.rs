//! A ban over both engines: the partner's pending and held commissions are canceled and leave
//! its totals, processed and paid ones stay, running the cancellation again changes nothing,
//! the cancel job catches a commission the ban request missed, and events after the ban (or a
//! deactivation) are recorded without a commission. A deactivation keeps the commissions.

use http::{Method, StatusCode};
use integration_tests::app::{TestApp, reply, request};
use integration_tests::engine_tests;
use integration_tests::tracking_world::{TestPartner, TrackingProgram, admin, track};
use serde_json::{Value, json};
use shared::commissions::{cancel_pending_commissions, mature_commissions, run_cancel_jobs};
use shared::context::AppContext;
use shared::groups::{self, CreateReward};
use shared::model::{CommissionStatus, PartnerTotals, RewardEvent, RewardType};
use shared::partner_listing::PartnerDirectory;
use shared::ports::{ManualClock, OsRandom};
use shared::types::{CommissionId, Percentage};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// A program whose default group pays 20 % of sales and $3 per lead, with one partner, and a
/// context whose clock the test moves.
async fn program(
    app: &TestApp,
    domain: &str,
) -> (
    TrackingProgram,
    TestPartner,
    Arc<AppContext>,
    Arc<ManualClock>,
) {
    let world = TrackingProgram::create(app, domain).await;
    let group = world.default_group.clone();
    for (event, kind, cents, percent) in [
        (RewardEvent::Sale, RewardType::Percentage, None, Some(20.0)),
        (RewardEvent::Lead, RewardType::Flat, Some(300), None),
    ] {
        let reward = CreateReward {
            event,
            kind,
            amount_in_cents: cents,
            amount_in_percentage: percent.map(|p| Percentage::from_number(p).unwrap()),
            max_duration: None,
            description: None,
            tooltip: None,
            modifiers: Vec::new(),
        };
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
    let partner = world.partner(&app.ctx, "JANE", &group).await;
    let clock = Arc::new(ManualClock::new(app.ctx.clock.now()));
    let ctx = Arc::new(AppContext::new(
        app.store.clone(),
        clock.clone(),
        Arc::new(OsRandom),
        None,
    ));
    (world, partner, ctx, clock)
}

async fn lead(
    ctx: &AppContext,
    world: &TrackingProgram,
    click: Option<&str>,
    customer: &str,
    event: &str,
) {
    let mut body = json!({"eventName": event, "customerExternalId": customer});
    if let Some(click) = click {
        body["clickId"] = json!(click);
    }
    let reply = track(ctx, &world.key, "/track/lead", body, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

async fn sale(
    ctx: &AppContext,
    world: &TrackingProgram,
    customer: &str,
    amount: i64,
    invoice: &str,
) -> Value {
    sale_with(ctx, world, None, customer, amount, invoice).await
}

async fn sale_with(
    ctx: &AppContext,
    world: &TrackingProgram,
    click: Option<&str>,
    customer: &str,
    amount: i64,
    invoice: &str,
) -> Value {
    let mut body = json!({"customerExternalId": customer, "amount": amount, "currency": "usd",
                          "paymentProcessor": "stripe", "invoiceId": invoice});
    if let Some(click) = click {
        body["clickId"] = json!(click);
    }
    let reply = track(ctx, &world.key, "/track/sale", body, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

async fn all_commissions(ctx: &AppContext, world: &TrackingProgram) -> Vec<Value> {
    let reply = admin(
        ctx,
        &world.key,
        Method::GET,
        "/commissions?pageSize=100",
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body.as_array().unwrap().clone()
}

/// Every commission of the program by invoice id (`lead` for the lead's), with its status.
async fn statuses(ctx: &AppContext, world: &TrackingProgram) -> BTreeMap<String, String> {
    all_commissions(ctx, world)
        .await
        .iter()
        .map(|c| {
            let name = c["invoiceId"].as_str().unwrap_or("lead").to_owned();
            (name, c["status"].as_str().unwrap().to_owned())
        })
        .collect()
}

async fn commission_id(ctx: &AppContext, world: &TrackingProgram, invoice: &str) -> String {
    let reply = admin(
        ctx,
        &world.key,
        Method::GET,
        &format!("/commissions?invoiceId={invoice}"),
        None,
    )
    .await;
    reply.body[0]["id"].as_str().unwrap().to_owned()
}

async fn set_status(ctx: &AppContext, world: &TrackingProgram, invoice: &str, status: &str) {
    let id = commission_id(ctx, world, invoice).await;
    let path = format!("/commissions/{id}");
    let reply = admin(
        ctx,
        &world.key,
        Method::PATCH,
        &path,
        Some(json!({"status": status})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

async fn partner_call(ctx: &AppContext, world: &TrackingProgram, path: &str, body: Value) {
    let directory = PartnerDirectory::new(Duration::ZERO);
    let response = partner_admin::handle(
        ctx,
        &directory,
        request(Method::POST, path, Some(&world.key), Some(body)),
    )
    .await;
    let reply = reply(response);
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

async fn totals(ctx: &AppContext, world: &TrackingProgram, partner: &TestPartner) -> PartnerTotals {
    world.partner_record(ctx, partner).await.totals
}

fn expected(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

engine_tests!(
    a_ban_cancels_pending_and_held_commissions_and_keeps_processed_and_paid_ones,
    the_cancel_job_catches_a_commission_the_ban_request_missed,
    a_deactivation_keeps_the_commissions_and_stops_new_ones
);

async fn a_ban_cancels_pending_and_held_commissions_and_keeps_processed_and_paid_ones(
    app: TestApp,
) {
    let (world, partner, ctx, clock) = program(&app, "go.ban.test").await;
    let click = world.click_at(&partner, ctx.clock.now());
    lead(&ctx, &world, Some(&click), "user_1", "Sign up").await; // 300
    // user_3 is attributed by a sale of 0 (no commission) and has no lead yet.
    sale_with(&ctx, &world, Some(&click), "user_3", 0, "in_zero").await;
    sale(&ctx, &world, "user_1", 10_000, "in_old").await; // 2,000
    // 31 days later both are processed; the payout pays the sale's.
    clock.advance(time::Duration::days(31));
    assert_eq!(mature_commissions(&ctx, 100).await.unwrap().processed, 2);
    set_status(&ctx, &world, "in_old", "paid").await;
    sale(&ctx, &world, "user_1", 10_000, "in_a").await; // 2,000 pending
    sale(&ctx, &world, "user_1", 5_000, "in_b").await; // 1,000 pending
    sale(&ctx, &world, "user_1", 5_000, "in_c").await; // 1,000, then held
    set_status(&ctx, &world, "in_c", "hold").await;
    assert_eq!(
        totals(&ctx, &world, &partner).await.total_commissions,
        300 + 2_000 + 2_000 + 1_000
    );

    partner_call(
        &ctx,
        &world,
        "/partners/ban",
        json!({"partnerId": partner.id, "reason": "fraud"}),
    )
    .await;
    assert_eq!(
        statuses(&ctx, &world).await,
        expected(&[
            ("lead", "processed"),
            ("in_old", "paid"),
            ("in_a", "canceled"),
            ("in_b", "canceled"),
            ("in_c", "canceled"),
        ])
    );
    let after_ban = totals(&ctx, &world, &partner).await;
    assert_eq!(after_ban.total_commissions, 300 + 2_000);
    let canceled = world.events(&ctx, "commission.updated").await;
    let canceled: Vec<_> = canceled
        .iter()
        .filter(|e| e["reason"] == "partner.banned")
        .collect();
    assert_eq!(canceled.len(), 3);
    let banned = world.events(&ctx, "partner.banned").await;
    assert_eq!(banned[0]["cancelPendingCommissions"], true);

    // Running it again, by hand or as the job once due, changes nothing.
    let again = cancel_pending_commissions(&ctx, &world.program.id, &partner.id, 10)
        .await
        .unwrap();
    assert_eq!((again.canceled, again.complete), (0, true));
    assert_eq!(
        run_cancel_jobs(&ctx, 10).await.unwrap().finished,
        0,
        "not due yet"
    );
    clock.advance(time::Duration::minutes(16));
    let sweep = run_cancel_jobs(&ctx, 10).await.unwrap();
    assert_eq!((sweep.canceled, sweep.finished, sweep.left), (0, 1, 0));
    assert_eq!(
        run_cancel_jobs(&ctx, 10).await.unwrap().finished,
        0,
        "the job is gone"
    );
    assert_eq!(totals(&ctx, &world, &partner).await, after_ban);
    let reasons = world.events(&ctx, "commission.updated").await;
    assert_eq!(
        reasons
            .iter()
            .filter(|e| e["reason"] == "partner.banned")
            .count(),
        3
    );

    // After the ban, the customer's events are recorded and pay nothing.
    let recorded = sale(&ctx, &world, "user_1", 10_000, "in_after").await;
    assert_eq!(recorded["sale"]["amount"], 10_000);
    lead(&ctx, &world, None, "user_3", "Sign up").await; // a lead reward is due, but not paid
    assert_eq!(statuses(&ctx, &world).await.len(), 5, "no new commission");
    let now = totals(&ctx, &world, &partner).await;
    assert_eq!(now.total_commissions, after_ban.total_commissions);
    assert_eq!(now.total_sales, after_ban.total_sales + 1);
    assert_eq!(now.total_leads, after_ban.total_leads + 1);
    assert_eq!(now.total_sale_amount, after_ban.total_sale_amount + 10_000);
    // A new click on the partner's (disabled) link is refused.
    let fresh = world.click_at(&partner, ctx.clock.now());
    let refused = track(
        &ctx,
        &world.key,
        "/track/lead",
        json!({"clickId": fresh, "eventName": "Sign up", "customerExternalId": "user_2"}),
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
}

async fn the_cancel_job_catches_a_commission_the_ban_request_missed(app: TestApp) {
    let (world, partner, ctx, clock) = program(&app, "go.late.test").await;
    let click = world.click_at(&partner, ctx.clock.now());
    lead(&ctx, &world, Some(&click), "user_1", "Sign up").await;
    partner_call(
        &ctx,
        &world,
        "/partners/ban",
        json!({"tenantId": partner.tenant_id, "reason": "spam"}),
    )
    .await;
    assert_eq!(
        statuses(&ctx, &world).await,
        expected(&[("lead", "canceled")])
    );
    // A sale that read the partner before the ban commits after the ban's pass: its pending
    // commission is written as the sale's transaction would (commission, marker, totals).
    let store = ctx.store.as_ref();
    let lead_id = CommissionId::parse(
        all_commissions(&ctx, &world).await[0]["id"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let mut late =
        shared::commissions::records::find_commission(store, &world.program.id, &lead_id)
            .await
            .unwrap()
            .unwrap();
    late.id = CommissionId::generate(ctx.ids.as_ref());
    late.status = CommissionStatus::Pending;
    late.earnings = 700;
    late.version = 1;
    let mut ops = shared::commissions::records::insert_commission(&late).unwrap();
    ops.extend(shared::partners::totals::add_partner_totals(
        &partner.id,
        &PartnerTotals {
            total_commissions: 700,
            ..Default::default()
        },
    ));
    store.transact(ops).await.unwrap();
    assert_eq!(totals(&ctx, &world, &partner).await.total_commissions, 700);
    // Past its holding period it still does not become payable while the job is open...
    clock.advance(time::Duration::days(31));
    let matured = mature_commissions(&ctx, 100).await.unwrap();
    assert_eq!((matured.processed, matured.deferred), (0, 1));
    // ...and the job cancels it.
    let sweep = run_cancel_jobs(&ctx, 10).await.unwrap();
    assert_eq!((sweep.canceled, sweep.finished), (1, 1));
    assert_eq!(totals(&ctx, &world, &partner).await.total_commissions, 0);
    let listed = all_commissions(&ctx, &world).await;
    assert_eq!(listed.len(), 2);
    assert!(
        listed.iter().all(|c| c["status"] == "canceled"),
        "{listed:?}"
    );
    let matured = mature_commissions(&ctx, 100).await.unwrap();
    assert_eq!(
        (matured.processed, matured.skipped, matured.deferred),
        (0, 0, 0),
        "marker removed"
    );
}

async fn a_deactivation_keeps_the_commissions_and_stops_new_ones(app: TestApp) {
    let (world, partner, ctx, clock) = program(&app, "go.off.test").await;
    let click = world.click_at(&partner, ctx.clock.now());
    lead(&ctx, &world, Some(&click), "user_1", "Sign up").await;
    sale(&ctx, &world, "user_1", 10_000, "in_1").await;
    partner_call(
        &ctx,
        &world,
        "/partners/deactivate",
        json!({"partnerId": partner.id}),
    )
    .await;
    assert_eq!(
        statuses(&ctx, &world).await,
        expected(&[("lead", "pending"), ("in_1", "pending")])
    );
    assert_eq!(
        world.events(&ctx, "partner.deactivated").await[0]["cancelPendingCommissions"],
        false
    );
    clock.advance(time::Duration::minutes(16));
    assert_eq!(
        run_cancel_jobs(&ctx, 10).await.unwrap().finished,
        0,
        "no job"
    );
    sale(&ctx, &world, "user_1", 10_000, "in_2").await;
    assert_eq!(
        statuses(&ctx, &world).await.len(),
        2,
        "no commission after the deactivation"
    );
    let totals = totals(&ctx, &world, &partner).await;
    assert_eq!(
        (totals.total_commissions, totals.total_sales),
        (300 + 2_000, 2)
    );
}
