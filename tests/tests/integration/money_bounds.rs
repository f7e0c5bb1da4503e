//! Amounts and totals stay in range on both engines: an absurd sale is refused and changes
//! nothing, a total at its ceiling refuses the next sale, lists skip a record they cannot read,
//! the repair recomputes a poisoned partner's counters from its records, and a paid
//! commission's clawbacks add up to what was paid, whatever the refunds.

use http::{Method, StatusCode};
use integration_tests::app::{Reply, TestApp, reply, request};
use integration_tests::engine_tests;
use integration_tests::link_world::{call, track_services};
use integration_tests::tracking_world::{TestPartner, TrackingProgram, admin, track};
use serde_json::{Value, json};
use shared::context::AppContext;
use shared::conversions::records;
use shared::layout;
use shared::partner_listing::PartnerDirectory;
use shared::ports::{ManualClock, OsRandom};
use shared::store::{AttributeValue, TxOp, Update, UpdateItem};
use shared::types::{CommissionId, MAX_AMOUNT, MAX_TOTAL, SaleId};
use std::sync::Arc;
use std::time::Duration;

/// A program whose default group pays 20 % of sales, with one partner.
async fn program_with_partner(app: &TestApp) -> (TrackingProgram, TestPartner) {
    let world = TrackingProgram::create(app, "go.acme.test").await;
    let group = world.default_group.clone();
    world.pay_percent_of_sales(&app.ctx, &group, 20.0).await;
    let partner = world.partner(&app.ctx, "JANE", &group).await;
    (world, partner)
}

async fn lead(
    ctx: &AppContext,
    world: &TrackingProgram,
    partner: &TestPartner,
    customer: &str,
) -> Reply {
    let click = world.click_at(partner, ctx.clock.now());
    let body = json!({"clickId": click, "eventName": "Sign up", "customerExternalId": customer});
    track(ctx, &world.key, "/track/lead", body, None).await
}

async fn sale(
    ctx: &AppContext,
    world: &TrackingProgram,
    customer: &str,
    amount: Value,
    invoice: &str,
) -> Reply {
    let body = json!({"customerExternalId": customer, "amount": amount, "invoiceId": invoice});
    track(ctx, &world.key, "/track/sale", body, None).await
}

async fn refund(ctx: &AppContext, world: &TrackingProgram, invoice: &str, amount: i64) -> Reply {
    let body = json!({"invoiceId": invoice, "amount": amount});
    track(ctx, &world.key, "/track/refund", body, None).await
}

async fn list(ctx: &AppContext, world: &TrackingProgram, path: &str) -> Reply {
    let reply = if path.starts_with("/commissions") {
        admin(ctx, &world.key, Method::GET, path, None).await
    } else {
        let directory = PartnerDirectory::new(Duration::ZERO);
        let request = request(Method::GET, path, Some(&world.key), None);
        reply(partner_admin::handle(ctx, &directory, request).await)
    };
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    reply
}

async fn recompute(ctx: &AppContext, world: &TrackingProgram, partner: &TestPartner) -> Reply {
    let path = format!(
        "/programs/{}/partners/{}/recompute-totals",
        world.program.id, partner.id
    );
    reply(program_admin::handle(ctx, request(Method::POST, &path, Some(&world.key), None)).await)
}

/// Sets a counter of `key` to a raw stored number, as an earlier version without bounds left it.
async fn plant_counter(app: &TestApp, key: shared::store::Key, name: &str, value: &str) {
    let update = Update::new().set(name, AttributeValue::N(value.into()));
    app.store
        .transact(vec![TxOp::Update(UpdateItem {
            key,
            update,
            condition: None,
        })])
        .await
        .unwrap();
}

/// A copy of a recorded sale and its commission with an amount of `i64::MAX`, as an earlier
/// version accepted it.
async fn plant_absurd_sale(app: &TestApp, world: &TrackingProgram, commission: &str) {
    let store = app.store.as_ref();
    let id = CommissionId::parse(commission).unwrap();
    let real = shared::commissions::records::find_commission(store, &world.program.id, &id)
        .await
        .unwrap()
        .unwrap();
    let real_sale = records::find_sale(store, real.sale_id.as_ref().unwrap())
        .await
        .unwrap()
        .unwrap();
    let sale_id = SaleId::generate(app.ctx.ids.as_ref());
    let absurd = shared::model::Commission {
        id: CommissionId::generate(app.ctx.ids.as_ref()),
        amount: i64::MAX,
        earnings: i64::MAX / 5,
        sale_id: Some(sale_id.clone()),
        ..real
    };
    let absurd_sale = shared::model::Sale {
        id: sale_id,
        amount: i64::MAX,
        commission_id: Some(absurd.id.clone()),
        invoice_id: Some("in_absurd".into()),
        ..real_sale
    };
    let mut ops = vec![records::insert_sale(&absurd_sale).unwrap()];
    ops.extend(shared::commissions::records::insert_commission(&absurd).unwrap());
    store.transact(ops).await.unwrap();
}

fn manual_context(app: &TestApp) -> (Arc<AppContext>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(app.ctx.clock.now()));
    let ctx = AppContext::new(app.store.clone(), clock.clone(), Arc::new(OsRandom), None);
    (Arc::new(ctx), clock)
}

engine_tests!(
    an_absurd_sale_is_refused_and_changes_nothing,
    lists_skip_a_poisoned_partner_and_the_repair_recomputes_it,
    a_paid_commission_refunded_in_parts_is_clawed_back_exactly_once
);

async fn an_absurd_sale_is_refused_and_changes_nothing(app: TestApp) {
    let (world, partner) = program_with_partner(&app).await;
    let ctx = &app.ctx;
    assert_eq!(
        lead(ctx, &world, &partner, "user_1").await.status,
        StatusCode::OK
    );
    for absurd in [
        json!(i64::MAX),
        json!(u64::MAX),
        json!(MAX_AMOUNT + 1),
        json!(-1),
        json!(1e300),
    ] {
        let refused = sale(ctx, &world, "user_1", absurd.clone(), "in_1").await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{absurd}: {}",
            refused.body
        );
        assert_eq!(refused.error_code(), "unprocessable_entity");
    }
    let totals = world.partner_record(ctx, &partner).await.totals;
    assert_eq!((totals.total_sales, totals.total_sale_amount), (0, 0));
    assert!(
        list(ctx, &world, "/commissions")
            .await
            .body
            .as_array()
            .unwrap()
            .is_empty()
    );
    // The largest amount is taken, and a refund over the range is refused.
    let most = sale(ctx, &world, "user_1", json!(MAX_AMOUNT), "in_1").await;
    assert_eq!(most.status, StatusCode::OK, "{}", most.body);
    assert_eq!(
        refund(ctx, &world, "in_1", MAX_AMOUNT + 1).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let totals = world.partner_record(ctx, &partner).await.totals;
    assert_eq!(
        (totals.total_sale_amount, totals.total_commissions),
        (MAX_AMOUNT, MAX_AMOUNT / 5)
    );
    // A partner at its ceiling refuses the next sale and records nothing.
    let near = (MAX_TOTAL - 10).to_string();
    plant_counter(&app, layout::partner(&partner.id), "totalSaleAmount", &near).await;
    let over = sale(ctx, &world, "user_1", json!(11), "in_2").await;
    assert_eq!(
        over.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        over.body
    );
    assert_eq!(
        world.partner_record(ctx, &partner).await.totals.total_sales,
        1
    );
    assert_eq!(
        list(ctx, &world, "/commissions")
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        sale(ctx, &world, "user_1", json!(10), "in_2").await.status,
        StatusCode::OK
    );
    assert_eq!(
        list(ctx, &world, "/partners")
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn lists_skip_a_poisoned_partner_and_the_repair_recomputes_it(app: TestApp) {
    let (world, partner) = program_with_partner(&app).await;
    let ctx = &app.ctx;
    let other = world.partner(ctx, "SAM", &world.default_group).await;
    assert_eq!(
        lead(ctx, &world, &partner, "user_1").await.status,
        StatusCode::OK
    );
    assert_eq!(
        lead(ctx, &world, &partner, "user_2").await.status,
        StatusCode::OK
    );
    assert_eq!(
        lead(ctx, &world, &other, "user_3").await.status,
        StatusCode::OK
    );
    assert_eq!(
        sale(ctx, &world, "user_1", json!(10_000), "in_1")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        sale(ctx, &world, "user_1", json!(5_000), "in_2")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        refund(ctx, &world, "in_2", 1_000).await.status,
        StatusCode::OK
    );
    // On a healthy partner the counters are the sums of the records: nothing to change.
    let healthy = recompute(ctx, &world, &partner).await;
    assert_eq!(healthy.status, StatusCode::OK, "{}", healthy.body);
    assert_eq!(
        healthy.body["partner"]["changes"],
        json!([]),
        "{}",
        healthy.body
    );
    assert_eq!(healthy.body["links"], json!([]));
    let expected = world.partner_record(ctx, &partner).await.totals;

    // The state an unbounded sale left: counters past i64 and an absurd sale on record.
    let commission = list(ctx, &world, "/commissions?invoiceId=in_1").await.body[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    plant_absurd_sale(&app, &world, &commission).await;
    plant_counter(
        &app,
        layout::partner(&partner.id),
        "totalSaleAmount",
        "9223372036854780707",
    )
    .await;
    plant_counter(
        &app,
        layout::link(&partner.link),
        "saleAmount",
        "9223372036854780707",
    )
    .await;

    // Lists answer: the poisoned partner is skipped, the rest is served.
    let partners = list(ctx, &world, "/partners").await.body;
    let ids: Vec<&str> = partners
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [other.id.as_str()]);
    let commissions = list(ctx, &world, "/commissions").await.body;
    assert_eq!(commissions.as_array().unwrap().len(), 3);
    let links_path = format!("/partners/links?partnerId={}", other.id);
    let links = call(
        &app,
        &track_services(&app),
        Method::GET,
        &links_path,
        Some(&world.key),
        None,
    )
    .await;
    assert_eq!(links.status, StatusCode::OK, "{}", links.body);
    // A lead of the poisoned partner is refused with a clear error, not a 500.
    let blocked = lead(ctx, &world, &partner, "user_4").await;
    assert_eq!(blocked.status, StatusCode::CONFLICT, "{}", blocked.body);
    assert!(
        blocked.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("recompute-totals")
    );

    let repaired = recompute(ctx, &world, &partner).await;
    assert_eq!(repaired.status, StatusCode::OK, "{}", repaired.body);
    let changes = &repaired.body["partner"]["changes"];
    assert_eq!(
        changes,
        &json!([{"counter": "totalSaleAmount", "before": "9223372036854780707", "after": 14_000}])
    );
    assert_eq!(repaired.body["links"][0]["changes"][0]["after"], 14_000);
    let excluded: Vec<&str> = repaired.body["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(excluded.len(), 2, "{}", repaired.body); // the absurd sale and its commission
    assert_eq!(world.partner_record(ctx, &partner).await.totals, expected);
    // Everything works again, and a second repair finds nothing to change.
    assert_eq!(
        list(ctx, &world, "/partners")
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        lead(ctx, &world, &partner, "user_4").await.status,
        StatusCode::OK
    );
    assert_eq!(
        sale(ctx, &world, "user_4", json!(2_000), "in_3")
            .await
            .status,
        StatusCode::OK
    );
    let again = recompute(ctx, &world, &partner).await;
    assert_eq!(
        again.body["partner"]["changes"],
        json!([]),
        "{}",
        again.body
    );
    // Another program's partner is not found.
    let stranger = TrackingProgram::create(&app, "go.other.test").await;
    assert_eq!(
        recompute(ctx, &stranger, &partner).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn a_paid_commission_refunded_in_parts_is_clawed_back_exactly_once(app: TestApp) {
    let (world, partner) = program_with_partner(&app).await;
    let (ctx, clock) = manual_context(&app);
    assert_eq!(
        lead(&ctx, &world, &partner, "user_1").await.status,
        StatusCode::OK
    );
    let orders: [(&str, &[i64]); 4] = [
        ("in_halves", &[5_000, 5_000]),
        ("in_small_first", &[1, 2_999, 7_000]),
        ("in_big_first", &[9_999, 1]),
        ("in_one_part", &[3_000]),
    ];
    for (invoice, _) in orders {
        assert_eq!(
            sale(&ctx, &world, "user_1", json!(10_000), invoice)
                .await
                .status,
            StatusCode::OK
        );
    }
    clock.advance(time::Duration::days(31));
    let report = shared::commissions::mature_commissions(&ctx, 1_000)
        .await
        .unwrap();
    assert_eq!(report.processed, 4, "{report:?}");
    for commission in list(&ctx, &world, "/commissions?type=sale")
        .await
        .body
        .as_array()
        .unwrap()
    {
        let path = format!("/commissions/{}", commission["id"].as_str().unwrap());
        let paid = admin(
            &ctx,
            &world.key,
            Method::PATCH,
            &path,
            Some(json!({"status": "paid"})),
        )
        .await;
        assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    }
    assert_eq!(
        world
            .partner_record(&ctx, &partner)
            .await
            .totals
            .total_commissions,
        8_000
    );
    for (invoice, refunds) in orders {
        let mut clawed = 0;
        for part in refunds {
            let reply = refund(&ctx, &world, invoice, *part).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            let taken = reply.body["clawback"]["earnings"].as_i64().unwrap_or(0);
            assert!((-2_000..=0).contains(&taken), "{invoice}: {}", reply.body);
            clawed += taken;
        }
        let refunded: i64 = refunds.iter().sum();
        assert_eq!(clawed, -(2_000 * refunded / 10_000), "{invoice}");
    }
    // Three sales wholly refunded, one 30 %: 2,000 × 0.7 remains of 8,000 paid.
    let totals = world.partner_record(&ctx, &partner).await.totals;
    assert_eq!(totals.total_commissions, 1_400);
    let repair = recompute(&ctx, &world, &partner).await;
    assert_eq!(
        repair.body["partner"]["changes"],
        json!([]),
        "{}",
        repair.body
    );
}
