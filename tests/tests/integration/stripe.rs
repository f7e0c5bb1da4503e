//! The Stripe integration over both engines: every mapping rule (checkout, invoices and
//! renewals, refunds in any order, customers, promotion codes, currencies), counting once
//! under repeats and reorderings, and the signature checks. Events are Stripe's published
//! fixtures with the fields each test sets (`stripe_world`).

use http::{Method, StatusCode};
use integration_tests::app::TestApp;
use integration_tests::engine_tests;
use integration_tests::stripe_world::{
    SECRET, endpoints, event, object, outcomes, paid_checkout, paid_invoice, post, post_raw,
    signature,
};
use integration_tests::tracking_world::{TestPartner, TrackingProgram, admin, track};
use serde_json::{Value, json};
use shared::context::AppContext;
use shared::model::Sale;

/// A program whose default group pays 20 % of sales and $3 per lead, with two partners.
async fn program(app: &TestApp, domain: &str) -> (TrackingProgram, TestPartner, TestPartner) {
    let world = TrackingProgram::create(app, domain).await;
    let group = world.default_group.clone();
    world.pay_percent_of_sales(&app.ctx, &group, 20.0).await;
    world.pay_per_lead(&app.ctx, &group, 300).await;
    let jane = world.partner(&app.ctx, "JANE", &group).await;
    let omar = world.partner(&app.ctx, "OMAR", &group).await;
    (world, jane, omar)
}

async fn commissions(ctx: &AppContext, world: &TrackingProgram) -> Vec<Value> {
    let reply = admin(ctx, &world.key, Method::GET, "/commissions", None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body.as_array().unwrap().clone()
}

async fn sale_of(ctx: &AppContext, world: &TrackingProgram, invoice: &str) -> Option<Sale> {
    let store = ctx.store.as_ref();
    let claim = shared::conversions::records::find_invoice(store, &world.program.id, invoice)
        .await
        .unwrap()?;
    shared::conversions::records::find_sale(store, &claim.sale_id)
        .await
        .unwrap()
}

fn checkout_event(id: &str, session: Value) -> Value {
    event(id, "checkout.session.completed", session)
}

engine_tests!(
    a_checkout_with_a_click_records_a_lead_and_a_sale_once,
    renewals_are_sales_of_the_mapped_customer_and_zero_invoices_record_nothing,
    a_customer_event_links_a_stripe_customer_to_a_tracked_one,
    refunds_count_once_in_any_order_of_their_events,
    a_promotion_code_attributes_a_new_customer_unless_a_click_does,
    a_sale_in_another_currency_uses_stripes_conversion_or_records_nothing,
    bad_signatures_and_bad_bodies_are_refused_and_record_nothing,
    a_one_megabyte_event_is_handled_and_a_larger_one_refused,
    concurrent_deliveries_of_one_checkout_count_once
);

async fn a_checkout_with_a_click_records_a_lead_and_a_sale_once(app: TestApp) {
    let (world, jane, _) = program(&app, "go.stripe-checkout.test").await;
    let ctx = &app.ctx;
    let click = world.click_at(&jane, ctx.clock.now() - time::Duration::hours(1));
    let session = paid_checkout(
        "cus_1",
        4_900,
        "usd",
        json!({
        "client_reference_id": format!("dub_id_{click}"),
        "customer_details": {"email": "sam@example.com", "name": "Sam"},
        "invoice": "in_1", "mode": "subscription"}),
    );
    let first = post(
        ctx,
        &world.program.id,
        &checkout_event("evt_1", session.clone()),
    )
    .await;
    assert_eq!(outcomes(&first), ["lead:recorded", "sale:recorded"]);
    assert_eq!(first.body["status"], "handled");

    // Stripe's retry of the event: answered from its claim.
    let again = post(
        ctx,
        &world.program.id,
        &checkout_event("evt_1", session.clone()),
    )
    .await;
    assert_eq!(again.body["status"], "duplicate", "{}", again.body);
    // The same checkout in another event (or after the event's claim expired).
    let twin = post(ctx, &world.program.id, &checkout_event("evt_2", session)).await;
    assert_eq!(
        outcomes(&twin),
        ["lead:already_recorded", "sale:already_recorded"]
    );
    // The business's backend also reports the invoice: it counts once.
    let manual = track(
        ctx,
        &world.key,
        "/track/sale",
        json!({"customerExternalId": "cus_1",
        "amount": 4_900, "invoiceId": "in_1", "paymentProcessor": "stripe"}),
        None,
    )
    .await;
    assert_eq!(manual.status, StatusCode::OK, "{}", manual.body);
    // invoice.paid of the checkout's first invoice: the same sale.
    let invoice = paid_invoice("in_1", "cus_1", 4_900, json!({}));
    let paid = post(
        ctx,
        &world.program.id,
        &event("evt_3", "invoice.paid", invoice),
    )
    .await;
    assert_eq!(outcomes(&paid), ["sale:already_recorded"]);

    let totals = world.partner_record(ctx, &jane).await.totals;
    assert_eq!(
        (
            totals.total_leads,
            totals.total_sales,
            totals.total_sale_amount
        ),
        (1, 1, 4_900)
    );
    assert_eq!(totals.total_commissions, 300 + 980);
    let all = commissions(ctx, &world).await;
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all[0]["invoiceId"], "in_1");
    assert_eq!(all[0]["customer"]["externalId"], "cus_1");
    assert_eq!(all[0]["customer"]["email"], "sam@example.com");
    assert_eq!(all[0]["customer"]["stripeCustomerId"], "cus_1");
}

async fn renewals_are_sales_of_the_mapped_customer_and_zero_invoices_record_nothing(app: TestApp) {
    let (world, jane, _) = program(&app, "go.stripe-renewals.test").await;
    let ctx = &app.ctx;
    let click = world.click_at(&jane, ctx.clock.now());
    // The business's own id rides in the checkout's metadata (Dub's `dubCustomerExternalId`).
    let session = paid_checkout(
        "cus_7",
        2_000,
        "usd",
        json!({
        "metadata": {"dubClickId": click, "dubCustomerExternalId": "user_7"},
        "invoice": "in_a"}),
    );
    let first = post(ctx, &world.program.id, &checkout_event("evt_a", session)).await;
    assert_eq!(outcomes(&first), ["lead:recorded", "sale:recorded"]);
    for (n, invoice) in ["in_b", "in_c"].iter().enumerate() {
        let renewal = paid_invoice(invoice, "cus_7", 2_000, json!({}));
        let paid = post(
            ctx,
            &world.program.id,
            &event(&format!("evt_r{n}"), "invoice.paid", renewal),
        )
        .await;
        assert_eq!(outcomes(&paid), ["sale:recorded"]);
    }
    let free = paid_invoice("in_free", "cus_7", 0, json!({}));
    let nothing = post(
        ctx,
        &world.program.id,
        &event("evt_free", "invoice.paid", free),
    )
    .await;
    assert_eq!(outcomes(&nothing), ["event:ignored"]);
    let totals = world.partner_record(ctx, &jane).await.totals;
    assert_eq!(
        (
            totals.total_sales,
            totals.total_sale_amount,
            totals.total_conversions
        ),
        (3, 6_000, 1)
    );
    let sale = sale_of(ctx, &world, "in_c").await.unwrap();
    assert_eq!(sale.event_name, "Invoice paid");
    assert_eq!(
        sale.customer_id.as_str(),
        sale_of(ctx, &world, "in_a")
            .await
            .unwrap()
            .customer_id
            .as_str()
    );
}

async fn a_customer_event_links_a_stripe_customer_to_a_tracked_one(app: TestApp) {
    let (world, jane, _) = program(&app, "go.stripe-customers.test").await;
    let ctx = &app.ctx;
    let click = world.click_at(&jane, ctx.clock.now());
    let lead = track(
        ctx,
        &world.key,
        "/track/lead",
        json!({"clickId": click,
        "eventName": "Sign up", "customerExternalId": "user_9"}),
        None,
    )
    .await;
    assert_eq!(lead.status, StatusCode::OK, "{}", lead.body);
    // Before the link, the invoice's customer is unknown: nothing is attributed.
    let early = paid_invoice("in_early", "cus_9", 1_000, json!({}));
    let unattributed = post(
        ctx,
        &world.program.id,
        &event("evt_e", "invoice.paid", early),
    )
    .await;
    assert_eq!(outcomes(&unattributed), ["sale:unattributed"]);
    let customer = object(
        "customer",
        json!({"id": "cus_9",
        "metadata": {"dubCustomerExternalId": "user_9"}}),
    );
    let linked = post(
        ctx,
        &world.program.id,
        &event("evt_c", "customer.created", customer),
    )
    .await;
    assert_eq!(outcomes(&linked), ["customer:remembered"]);
    let bare = object("customer", json!({"id": "cus_10"}));
    let ignored = post(
        ctx,
        &world.program.id,
        &event("evt_c2", "customer.updated", bare),
    )
    .await;
    assert_eq!(outcomes(&ignored), ["event:ignored"]);
    let invoice = paid_invoice("in_9", "cus_9", 1_000, json!({}));
    let paid = post(
        ctx,
        &world.program.id,
        &event("evt_i", "invoice.paid", invoice),
    )
    .await;
    assert_eq!(outcomes(&paid), ["sale:recorded"]);
    let totals = world.partner_record(ctx, &jane).await.totals;
    assert_eq!(
        (
            totals.total_leads,
            totals.total_sales,
            totals.total_sale_amount
        ),
        (1, 1, 1_000)
    );
    assert!(sale_of(ctx, &world, "in_early").await.is_none());
}

async fn refunds_count_once_in_any_order_of_their_events(app: TestApp) {
    let (world, jane, _) = program(&app, "go.stripe-refunds.test").await;
    let ctx = &app.ctx;
    let program = &world.program.id;
    // Two one-off payments (no invoice: the sale is recorded under the payment intent).
    for (n, pi) in ["pi_1", "pi_2"].iter().enumerate() {
        let click = world.click_at(&jane, ctx.clock.now());
        let session = paid_checkout(
            &format!("cus_r{n}"),
            10_000,
            "usd",
            json!({
            "client_reference_id": click, "invoice": null, "payment_intent": pi,
            "mode": "payment"}),
        );
        let bought = post(
            ctx,
            program,
            &checkout_event(&format!("evt_buy{n}"), session),
        )
        .await;
        assert_eq!(outcomes(&bought), ["lead:recorded", "sale:recorded"]);
    }
    let refund = |id: &str, amount: i64, charge: &str, pi: &str| {
        object(
            "refund",
            json!({"id": id, "amount": amount, "charge": charge,
            "payment_intent": pi, "currency": "usd", "status": "succeeded"}),
        )
    };
    let charge = |charge: &str, pi: &str, refunded: i64, refunds: Option<Vec<Value>>| {
        let mut object = object(
            "charge",
            json!({"id": charge, "amount": 10_000,
            "amount_refunded": refunded, "refunded": refunded == 10_000,
            "payment_intent": pi, "currency": "usd"}),
        );
        match refunds {
            Some(list) => {
                object["refunds"] = json!({"object": "list", "data": list, "has_more": false})
            }
            None => {
                object.as_object_mut().unwrap().remove("refunds");
            }
        }
        object
    };
    // Sale 1: refund.created, then charge.refunded without its list (API 2022-11-15+),
    // then a second partial refund reported by charge.refunded first.
    let events_1 = vec![
        event(
            "evt_1a",
            "refund.created",
            refund("re_1", 2_500, "ch_1", "pi_1"),
        ),
        event(
            "evt_1b",
            "charge.refunded",
            charge("ch_1", "pi_1", 2_500, None),
        ),
        event(
            "evt_1c",
            "charge.refunded",
            charge("ch_1", "pi_1", 4_000, None),
        ),
        event(
            "evt_1d",
            "refund.created",
            refund("re_2", 1_500, "ch_1", "pi_1"),
        ),
    ];
    // Sale 2: the same refunds, in the reverse order, with the list of old API versions.
    let events_2 = vec![
        event(
            "evt_2d",
            "refund.created",
            refund("re_4", 1_500, "ch_2", "pi_2"),
        ),
        event(
            "evt_2c",
            "charge.refunded",
            charge(
                "ch_2",
                "pi_2",
                4_000,
                Some(vec![
                    refund("re_3", 2_500, "ch_2", "pi_2"),
                    refund("re_4", 1_500, "ch_2", "pi_2"),
                ]),
            ),
        ),
        event(
            "evt_2b",
            "charge.refunded",
            charge("ch_2", "pi_2", 2_500, None),
        ),
        event(
            "evt_2a",
            "refund.created",
            refund("re_3", 2_500, "ch_2", "pi_2"),
        ),
    ];
    for event in events_1.iter().chain(&events_2) {
        let reply = post(ctx, program, event).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    // Every event again under new ids, in a shuffled order: nothing changes.
    for (n, event) in events_2.iter().chain(&events_1).rev().enumerate() {
        let mut replay = event.clone();
        replay["id"] = json!(format!("evt_replay_{n}"));
        let reply = post(ctx, program, &replay).await;
        assert_eq!(
            outcomes(&reply),
            ["refund:already_recorded"],
            "{}",
            reply.body
        );
    }
    for pi in ["pi_1", "pi_2"] {
        let sale = sale_of(ctx, &world, pi).await.unwrap();
        assert_eq!(sale.refunded_amount, 4_000, "{pi}");
    }
    // Each sale's commission lost 40 % of its 2,000 earnings.
    let all = commissions(ctx, &world).await;
    let sales: Vec<_> = all.iter().filter(|c| c["type"] == "sale").collect();
    assert_eq!(sales.len(), 2);
    assert!(sales.iter().all(|c| c["earnings"] == 1_200), "{sales:?}");
    let totals = world.partner_record(ctx, &jane).await.totals;
    assert_eq!(totals.total_commissions, 2 * 300 + 2 * 1_200);
    // A full refund, then more than the sale (a later charge total): capped at the sale.
    let full = post(
        ctx,
        program,
        &event(
            "evt_full",
            "charge.refunded",
            charge("ch_1", "pi_1", 10_000, None),
        ),
    )
    .await;
    assert_eq!(outcomes(&full), ["refund:recorded"]);
    assert_eq!(
        sale_of(ctx, &world, "pi_1").await.unwrap().refunded_amount,
        10_000
    );
    // A refund of a charge no sale was recorded for.
    let stranger = post(
        ctx,
        program,
        &event(
            "evt_x",
            "refund.created",
            refund("re_x", 100, "ch_x", "pi_x"),
        ),
    )
    .await;
    assert_eq!(outcomes(&stranger), ["refund:unattributed"]);
}

async fn a_promotion_code_attributes_a_new_customer_unless_a_click_does(app: TestApp) {
    let (world, jane, omar) = program(&app, "go.stripe-codes.test").await;
    let ctx = &app.ctx;
    let program = &world.program.id;
    // The business made a Stripe promotion code with Jane's referral code as its code.
    let code = object(
        "promotion_code",
        json!({"id": "promo_jane", "code": "jane"}),
    );
    let remembered = post(
        ctx,
        program,
        &event("evt_p", "promotion_code.created", code),
    )
    .await;
    assert_eq!(outcomes(&remembered), ["promotion_code:remembered"]);
    let with_code = paid_checkout(
        "cus_c1",
        3_000,
        "usd",
        json!({"invoice": "in_c1",
        "discounts": [{"coupon": "co_1", "promotion_code": "promo_jane"}]}),
    );
    let coded = post(ctx, program, &checkout_event("evt_c1", with_code)).await;
    assert_eq!(outcomes(&coded), ["lead:recorded", "sale:recorded"]);
    let jane_totals = world.partner_record(ctx, &jane).await.totals;
    assert_eq!((jane_totals.total_leads, jane_totals.total_sales), (1, 1));
    // Omar's click and Jane's code (expanded, with its code): the click wins.
    let click = world.click_at(&omar, ctx.clock.now());
    let both = paid_checkout(
        "cus_c2",
        3_000,
        "usd",
        json!({"invoice": "in_c2",
        "client_reference_id": format!("dub_id_{click}"),
        "discounts": [{"promotion_code": {"id": "promo_x", "code": "JANE", "object": "promotion_code"}}]}),
    );
    let clicked = post(ctx, program, &checkout_event("evt_c2", both)).await;
    assert_eq!(outcomes(&clicked), ["lead:recorded", "sale:recorded"]);
    assert_eq!(world.partner_record(ctx, &omar).await.totals.total_sales, 1);
    assert_eq!(world.partner_record(ctx, &jane).await.totals.total_sales, 1);
    // A code nobody owns, and no click: nothing is attributed, no customer is made.
    let unknown = paid_checkout(
        "cus_c3",
        3_000,
        "usd",
        json!({"invoice": "in_c3",
        "discounts": [{"promotion_code": "promo_unknown"}]}),
    );
    let nobody = post(ctx, program, &checkout_event("evt_c3", unknown)).await;
    assert_eq!(
        outcomes(&nobody),
        ["lead:unattributed", "sale:unattributed"]
    );
    assert!(sale_of(ctx, &world, "in_c3").await.is_none());
    let customers = admin(ctx, &world.key, Method::GET, "/customers", None).await;
    assert_eq!(
        customers.body.as_array().unwrap().len(),
        2,
        "{}",
        customers.body
    );
}

async fn a_sale_in_another_currency_uses_stripes_conversion_or_records_nothing(app: TestApp) {
    let (world, jane, _) = program(&app, "go.stripe-fx.test").await;
    let ctx = &app.ctx;
    let program = &world.program.id;
    let click = world.click_at(&jane, ctx.clock.now());
    // Adaptive Pricing: paid 45.00 EUR, which Stripe converted to 53.00 USD.
    let converted = paid_checkout(
        "cus_fx",
        4_500,
        "eur",
        json!({"invoice": "in_fx",
        "client_reference_id": click,
        "currency_conversion": {"amount_subtotal": 5_300, "amount_total": 5_300,
            "fx_rate": "1.1778", "source_currency": "usd"}}),
    );
    let paid = post(ctx, program, &checkout_event("evt_fx", converted)).await;
    assert_eq!(outcomes(&paid), ["lead:recorded", "sale:recorded"]);
    let sale = sale_of(ctx, &world, "in_fx").await.unwrap();
    assert_eq!((sale.amount, sale.currency.code()), (5_300, "usd"));
    // An invoice in EUR carries no conversion: ignored, with the reason.
    let mut invoice = paid_invoice("in_eur", "cus_fx", 4_500, json!({}));
    invoice["currency"] = json!("eur");
    let eur = post(ctx, program, &event("evt_eur", "invoice.paid", invoice)).await;
    assert_eq!(outcomes(&eur), ["sale:ignored"]);
    assert!(
        eur.body["steps"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("eur")
    );
    assert!(sale_of(ctx, &world, "in_eur").await.is_none());
}

async fn bad_signatures_and_bad_bodies_are_refused_and_record_nothing(app: TestApp) {
    let (world, jane, _) = program(&app, "go.stripe-signatures.test").await;
    let ctx = &app.ctx;
    let program = &world.program.id;
    let endpoints = endpoints(program);
    let path = format!("/stripe/webhook/{program}");
    let now = ctx.clock.now().unix_timestamp();
    let click = world.click_at(&jane, ctx.clock.now());
    let session = paid_checkout(
        "cus_s",
        1_000,
        "usd",
        json!({"invoice": "in_s",
        "client_reference_id": click}),
    );
    let body = serde_json::to_vec(&checkout_event("evt_s", session)).unwrap();
    let mut tampered = body.clone();
    *tampered.last_mut().unwrap() = b' ';
    let attempts = [
        (
            "wrong secret",
            body.clone(),
            Some(signature("whsec_other", &body, now)),
        ),
        (
            "tampered body",
            tampered,
            Some(signature(SECRET, &body, now)),
        ),
        (
            "expired",
            body.clone(),
            Some(signature(SECRET, &body, now - 301)),
        ),
        (
            "from the future",
            body.clone(),
            Some(signature(SECRET, &body, now + 301)),
        ),
        ("no header", body.clone(), None),
        ("no v1", body.clone(), Some(format!("t={now}"))),
    ];
    for (what, body, header) in attempts {
        let reply = post_raw(ctx, &endpoints, &path, body, header).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{what}: {}",
            reply.body
        );
        assert_eq!(reply.error_code(), "bad_request", "{what}");
    }
    // Malformed JSON, and JSON that is no event, with valid signatures.
    for bad in [&b"{\"id\": "[..], &b"{\"hello\": 1}"[..], &b"[]"[..]] {
        let reply = post_raw(
            ctx,
            &endpoints,
            &path,
            bad.to_vec(),
            Some(signature(SECRET, bad, now)),
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    }
    let totals = world.partner_record(ctx, &jane).await.totals;
    assert_eq!((totals.total_leads, totals.total_sales), (0, 0));
    // Signed by the old and the new secret while one is rolled: either secret verifies.
    let rolled = format!(
        "{},v1={}",
        signature("whsec_old", &body, now),
        shared::stripe::StripeSecret::new(SECRET).sign(now, &body)
    );
    let ok = post_raw(ctx, &endpoints, &path, body.clone(), Some(rolled)).await;
    assert_eq!(outcomes(&ok), ["lead:recorded", "sale:recorded"]);
    // Without the program in the path, the secret that signed names it.
    let mut second = checkout_event(
        "evt_s2",
        paid_checkout("cus_s", 500, "usd", json!({"invoice": "in_s2"})),
    );
    second["type"] = json!("invoice.paid");
    second["data"]["object"] = paid_invoice("in_s2", "cus_s", 500, json!({}));
    let body = serde_json::to_vec(&second).unwrap();
    let by_secret = post_raw(
        ctx,
        &endpoints,
        "/stripe/webhook",
        body.clone(),
        Some(signature(SECRET, &body, now)),
    )
    .await;
    assert_eq!(outcomes(&by_secret), ["sale:recorded"]);
    let unknown = post_raw(
        ctx,
        &endpoints,
        "/stripe/webhook/prog_unknown",
        body,
        Some(signature(SECRET, b"x", now)),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
    // A type the integration does not handle: 200, nothing done.
    let plan = post(
        ctx,
        program,
        &event("evt_plan", "plan.created", json!({"id": "plan_1"})),
    )
    .await;
    assert_eq!(plan.status, StatusCode::OK);
    assert_eq!(plan.body["status"], "unhandled");
    // A handled type whose object has the wrong shape: 400.
    let wrong = post(
        ctx,
        program,
        &event("evt_w", "invoice.paid", json!({"amount_paid": "ten"})),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.body);
}

async fn a_one_megabyte_event_is_handled_and_a_larger_one_refused(app: TestApp) {
    let (world, _, _) = program(&app, "go.stripe-size.test").await;
    let ctx = &app.ctx;
    let program = &world.program.id;
    // An invoice with a megabyte of line items, for a customer nobody attributed.
    let lines: Vec<Value> = (0..2_000)
        .map(|n| {
            json!({"id": format!("il_{n}"),
        "description": "x".repeat(480)})
        })
        .collect();
    let invoice = paid_invoice(
        "in_big",
        "cus_big",
        1_000,
        json!({"lines": {"object": "list", "data": lines, "has_more": true}}),
    );
    let big = event("evt_big", "invoice.paid", invoice);
    let size = serde_json::to_vec(&big).unwrap().len();
    assert!(
        (1_000_000..=stripe_webhook::MAX_EVENT_BYTES).contains(&size),
        "{size}"
    );
    let handled = post(ctx, program, &big).await;
    assert_eq!(outcomes(&handled), ["sale:unattributed"]);
    let mut huge = big.clone();
    huge["data"]["object"]["description"] = json!("y".repeat(100_000));
    let refused = post(ctx, program, &huge).await;
    assert_eq!(
        refused.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        refused.body
    );
}

async fn concurrent_deliveries_of_one_checkout_count_once(app: TestApp) {
    let (world, jane, _) = program(&app, "go.stripe-race.test").await;
    let ctx = std::sync::Arc::new(AppContext::new(
        app.store.clone(),
        app.ctx.clock.clone(),
        std::sync::Arc::new(shared::ports::OsRandom),
        None,
    ));
    let click = world.click_at(&jane, ctx.clock.now());
    let session = paid_checkout(
        "cus_race",
        5_000,
        "usd",
        json!({"invoice": "in_race",
        "client_reference_id": click}),
    );
    // Stripe's retries (one event id) racing with the same checkout in other events.
    let tasks: Vec<_> = (0..8)
        .map(|n| {
            let (ctx, program) = (ctx.clone(), world.program.id.clone());
            let event = checkout_event(&format!("evt_race_{}", n % 2), session.clone());
            tokio::spawn(async move { post(&ctx, &program, &event).await })
        })
        .collect();
    for task in tasks {
        let reply = task.await.unwrap();
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let totals = world.partner_record(&ctx, &jane).await.totals;
    assert_eq!(
        (
            totals.total_leads,
            totals.total_sales,
            totals.total_sale_amount
        ),
        (1, 1, 5_000)
    );
    assert_eq!(totals.total_commissions, 300 + 1_000);
    assert_eq!(commissions(&ctx, &world).await.len(), 2);
}
