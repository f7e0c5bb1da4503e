//! Payouts on both engines: a run pays each partner's processed commissions once, carries
//! small, negative and banned balances, is resumed after a crash between its chunks, and the
//! ledger balances after every step; confirm, fail and cancel settle the commissions.

use http::{Method, StatusCode};
use integration_tests::app::{Reply, TestApp, reply, request};
use integration_tests::engine_tests;
use integration_tests::faults::FaultyStore;
use integration_tests::tracking_world::{TestPartner, TrackingProgram, admin, track};
use serde_json::{Value, json};
use shared::context::AppContext;
use shared::model::{Commission, CommissionStatus};
use shared::partner_listing::PartnerDirectory;
use shared::payouts::transfers::StripeTransfers;
use shared::portal::PortalLinkSigner;
use shared::ports::{ManualClock, OsRandom, Random, SeededRandom};
use shared::store::TxOp;
use shared::types::{CommissionId, PartnerId};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// A program whose default group pays 20 % of sales; partners are added by the tests.
async fn program(app: &TestApp) -> TrackingProgram {
    let world = TrackingProgram::create(app, "go.acme.test").await;
    let group = world.default_group.clone();
    world.pay_percent_of_sales(&app.ctx, &group, 20.0).await;
    world
}

/// A context over the app's store whose clock the test moves.
fn manual_context(app: &TestApp) -> (Arc<AppContext>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(app.ctx.clock.now()));
    let ctx = AppContext::new(app.store.clone(), clock.clone(), Arc::new(OsRandom), None);
    (Arc::new(ctx), clock)
}

/// `count` sales of `amount` by one new customer of the partner (commissions of 20 %).
async fn sales(
    ctx: &AppContext,
    world: &TrackingProgram,
    partner: &TestPartner,
    customer: &str,
    amounts: &[i64],
) {
    let click = world.click_at(partner, ctx.clock.now());
    let body = json!({"clickId": click, "eventName": "Sign up", "customerExternalId": customer});
    assert_eq!(
        track(ctx, &world.key, "/track/lead", body, None)
            .await
            .status,
        StatusCode::OK
    );
    for (n, amount) in amounts.iter().enumerate() {
        let body = json!({"customerExternalId": customer, "amount": amount, "invoiceId": format!("in_{customer}_{n}")});
        let sold = track(ctx, &world.key, "/track/sale", body, None).await;
        assert_eq!(sold.status, StatusCode::OK, "{}", sold.body);
    }
}

/// Past the holding period, the pending commissions mature (become processed).
async fn mature(ctx: &AppContext, clock: &ManualClock) {
    clock.advance(time::Duration::days(31));
    shared::commissions::mature_commissions(ctx, 100_000)
        .await
        .unwrap();
}

async fn call(
    ctx: &AppContext,
    world: &TrackingProgram,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Reply {
    admin(ctx, &world.key, method, path, body).await
}

async fn pay_run(ctx: &AppContext, world: &TrackingProgram, dry_run: bool) -> Reply {
    let path = format!("/programs/{}/payouts/run", world.program.id);
    let reply = call(
        ctx,
        world,
        Method::POST,
        &path,
        Some(json!({"dryRun": dry_run})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply
}

async fn payouts(ctx: &AppContext, world: &TrackingProgram, query: &str) -> Vec<Value> {
    let reply = call(ctx, world, Method::GET, &format!("/payouts{query}"), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body.as_array().unwrap().clone()
}

async fn commissions(ctx: &AppContext, world: &TrackingProgram, query: &str) -> Vec<Value> {
    let reply = call(
        ctx,
        world,
        Method::GET,
        &format!("/commissions?pageSize=100{query}"),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body.as_array().unwrap().clone()
}

/// The ledger must balance; returns it.
async fn balanced_ledger(ctx: &AppContext, world: &TrackingProgram) -> Value {
    let path = format!("/programs/{}/ledger", world.program.id);
    let ledger = call(ctx, world, Method::GET, &path, None).await;
    assert_eq!(ledger.status, StatusCode::OK, "{}", ledger.body);
    assert_eq!(ledger.body["balanced"], true, "{}", ledger.body);
    ledger.body
}

async fn act(
    ctx: &AppContext,
    world: &TrackingProgram,
    payout: &str,
    action: &str,
    body: Value,
) -> Reply {
    call(
        ctx,
        world,
        Method::POST,
        &format!("/payouts/{payout}/{action}"),
        Some(body),
    )
    .await
}

/// `count` processed copies of the program's one commission, written directly (tracking 120
/// sales would take minutes on moto; the run is what is tested here).
async fn copies_of_the_commission(app: &TestApp, world: &TrackingProgram, count: usize) {
    let listed = admin(&app.ctx, &world.key, Method::GET, "/commissions", None).await;
    let id = CommissionId::parse(listed.body[0]["id"].as_str().unwrap()).unwrap();
    let store = app.store.as_ref();
    let original = shared::commissions::records::find_commission(store, &world.program.id, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(original.status, CommissionStatus::Processed);
    let copies: Vec<TxOp> = (0..count)
        .flat_map(|_| {
            let copy = Commission {
                id: CommissionId::generate(app.ctx.ids.as_ref()),
                ..original.clone()
            };
            shared::commissions::records::insert_commission(&copy).unwrap()
        })
        .collect();
    for chunk in copies.chunks(25) {
        store.transact(chunk.to_vec()).await.unwrap();
    }
}

/// A partner enrolled by `POST /partners`, with an email (exports need one).
async fn partner_with_email(
    ctx: &AppContext,
    world: &TrackingProgram,
    email: &str,
    name: &str,
) -> TestPartner {
    let tenant_id = format!("tenant-{name}");
    let body = json!({"email": email, "name": name, "tenantId": tenant_id});
    let directory = PartnerDirectory::new(Duration::ZERO);
    let created = reply(
        partner_admin::handle(
            ctx,
            &directory,
            request(Method::POST, "/partners", Some(&world.key), Some(body)),
        )
        .await,
    );
    assert!(created.status.is_success(), "{}", created.body);
    let id = PartnerId::parse(created.body["id"].as_str().unwrap()).unwrap();
    let partner = shared::partners::find_partner(ctx.store.as_ref(), &world.program.id, &id)
        .await
        .unwrap()
        .unwrap();
    TestPartner {
        id,
        link: partner.default_link_id.unwrap(),
        tenant_id,
    }
}

/// A CSV answer's text.
fn text(reply: &Reply) -> String {
    match &reply.body {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A stand-in for Stripe's `POST /v1/transfers` on a loopback port: it checks what the adapter
/// sends (the secret key, the idempotency key, the form) and answers with the shape of Stripe's
/// published Transfer object; the same idempotency key gets the same transfer back, as Stripe
/// does. A destination `acct_refused` is refused as Stripe refuses an unknown account; for
/// `acct_flaky` the first answer is lost after the transfer was made.
struct FakeStripe {
    base: String,
    transfers: Arc<std::sync::Mutex<Vec<(String, String)>>>,
}

async fn fake_stripe() -> FakeStripe {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let transfers: Arc<std::sync::Mutex<Vec<(String, String)>>> = Arc::default();
    let seen = transfers.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut raw = Vec::new();
                let mut buf = [0u8; 4096];
                let (head, body) = loop {
                    let n = socket.read(&mut buf).await.unwrap();
                    raw.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&raw).to_string();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let length: usize = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse().unwrap())
                            })
                            .unwrap_or(0);
                        if body.len() >= length {
                            break (head.to_owned(), body.to_owned());
                        }
                    }
                };
                let header = |name: &str| {
                    head.lines()
                        .find_map(|l| {
                            l.split_once(':')
                                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                                .map(|(_, v)| v.trim().to_owned())
                        })
                        .unwrap_or_default()
                };
                let form: std::collections::HashMap<String, String> =
                    url::form_urlencoded::parse(body.as_bytes())
                        .into_owned()
                        .collect();
                let ok = head.starts_with("POST /v1/transfers ")
                    && header("authorization") == "Bearer sk_test_partnerline"
                    && header("idempotency-key").starts_with("partnerline-payout-po_")
                    && header("content-type") == "application/x-www-form-urlencoded"
                    && form.get("currency").map(String::as_str) == Some("usd")
                    && form
                        .get("amount")
                        .is_some_and(|a| a.parse::<i64>().is_ok_and(|a| a > 0))
                    && form
                        .get("metadata[payoutId]")
                        .is_some_and(|p| p.starts_with("po_"));
                let (status, answer) = if !ok {
                    (
                        "400 Bad Request",
                        json!({"error": {"type": "invalid_request_error", "message": format!("unexpected request: {head} {body}")}}),
                    )
                } else if form["destination"] == "acct_refused" {
                    (
                        "400 Bad Request",
                        json!({"error": {"type": "invalid_request_error", "code": "account_invalid",
                        "message": "No such destination: 'acct_refused'"}}),
                    )
                } else {
                    let key = header("idempotency-key");
                    let (id, first) = {
                        let mut seen = seen.lock().unwrap();
                        let first = !seen.iter().any(|(k, _)| *k == key);
                        if first {
                            let id = format!("tr_{}", seen.len() + 1);
                            seen.push((key.clone(), id));
                        }
                        (
                            seen.iter().find(|(k, _)| *k == key).unwrap().1.clone(),
                            first,
                        )
                    };
                    // `acct_flaky`: the transfer is made, but its first answer is lost.
                    if first && form["destination"] == "acct_flaky" {
                        let body = "{}";
                        let reply = format!(
                            "HTTP/1.1 500 Internal Server Error\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        socket.write_all(reply.as_bytes()).await.unwrap();
                        return;
                    }
                    (
                        "200 OK",
                        json!({
                            "id": id, "object": "transfer", "amount": form["amount"].parse::<i64>().unwrap(),
                            "amount_reversed": 0, "balance_transaction": "txn_1", "created": 1_795_000_000,
                            "currency": "usd", "description": form.get("description"), "destination": form["destination"],
                            "destination_payment": "py_1", "livemode": false, "metadata": {"payoutId": form["metadata[payoutId]"]},
                            "reversals": {"object": "list", "data": [], "has_more": false, "total_count": 0, "url": format!("/v1/transfers/{id}/reversals")},
                            "reversed": false, "source_transaction": null, "source_type": "card", "transfer_group": form.get("transfer_group"),
                        }),
                    )
                };
                let body = answer.to_string();
                let reply = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                socket.write_all(reply.as_bytes()).await.unwrap();
            });
        }
    });
    FakeStripe { base, transfers }
}

/// Sets the partner's Stripe connected account.
async fn connect_account(
    ctx: &AppContext,
    world: &TrackingProgram,
    partner: &TestPartner,
    account: &str,
) {
    let mut record =
        shared::partners::find_partner(ctx.store.as_ref(), &world.program.id, &partner.id)
            .await
            .unwrap()
            .unwrap();
    let read = record.version;
    record.profile.stripe_connect_id = Some(account.into());
    record.version += 1;
    let replace = shared::partners::replace_partner(&record, read).unwrap();
    ctx.store.transact(vec![replace]).await.unwrap();
}

/// A seeded choice of `0..n`.
fn pick(random: &SeededRandom, n: usize) -> usize {
    let mut bytes = [0u8; 8];
    random.fill(&mut bytes);
    (u64::from_le_bytes(bytes) % n as u64) as usize
}

/// The ids of the payouts with `status`.
async fn payout_ids(ctx: &AppContext, world: &TrackingProgram, status: &str) -> Vec<String> {
    payouts(ctx, world, &format!("?status={status}"))
        .await
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

engine_tests!(
    connect_payouts_are_stripe_transfers_made_once,
    a_scheduled_run_pays_on_its_day_once,
    the_ledger_balances_after_every_step_of_a_random_history,
    a_run_pays_each_partner_once_and_carries_small_balances,
    failed_and_canceled_payouts_free_their_commissions,
    clawbacks_and_bans_carry_forward,
    a_run_cut_between_chunks_is_resumed_and_pays_once,
    concurrent_runs_put_each_commission_in_one_payout
);

async fn connect_payouts_are_stripe_transfers_made_once(app: TestApp) {
    let (_, clock) = manual_context(&app);
    let stripe = fake_stripe().await;
    let sender = StripeTransfers::new(&stripe.base, "sk_test_partnerline").unwrap();
    let ctx = Arc::new(
        AppContext::new(app.store.clone(), clock.clone(), Arc::new(OsRandom), None)
            .with_transfers(Some(Arc::new(sender))),
    );
    let ctx = ctx.as_ref();
    let world = program(&app).await;
    let path = format!("/programs/{}", world.program.id);
    let connect = json!({"settings": {"payoutRail": "connect"}});
    let set = reply(
        program_admin::handle(
            ctx,
            request(Method::PATCH, &path, Some(&world.key), Some(connect)),
        )
        .await,
    );
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let jane = world.partner(ctx, "JANE", &world.default_group).await;
    let sam = world.partner(ctx, "SAM", &world.default_group).await;
    let alex = world.partner(ctx, "ALEX", &world.default_group).await;
    sales(ctx, &world, &jane, "user_1", &[50_000]).await;
    sales(ctx, &world, &sam, "user_2", &[50_000]).await;
    sales(ctx, &world, &alex, "user_3", &[50_000]).await;
    mature(ctx, &clock).await;
    let run = pay_run(ctx, &world, false).await;
    let id_of = |partner: &TestPartner| {
        run.body["payouts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["partner"]["id"] == partner.id.as_str())
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (jane_payout, sam_payout, alex_payout) = (id_of(&jane), id_of(&sam), id_of(&alex));
    assert_eq!(run.body["payouts"][0]["method"], "connect");
    // Nobody had a connected account: each payout waits, and the business is told.
    assert_eq!(world.events(ctx, "payout.waiting").await.len(), 3);
    let unlinked = act(ctx, &world, &jane_payout, "send", json!({})).await;
    assert_eq!(
        unlinked.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unlinked.body
    );
    // Jane sets her own account in her session (a bad id is refused).
    let links = PortalLinkSigner::new(
        b"portal-link-secret-of-the-tests-32b!",
        "https://partners.example.com/portal".parse().unwrap(),
    );
    let issued = reply(
        partner_portal::handle(
            ctx,
            &links,
            request(
                Method::POST,
                "/partners/sessions",
                Some(&world.key),
                Some(json!({"partnerId": jane.id})),
            ),
        )
        .await,
    );
    let token = issued.body["token"].as_str().unwrap().to_owned();
    let settings = |body: Value| {
        partner_portal::handle(
            ctx,
            &links,
            request(
                Method::PATCH,
                "/v1/affiliate/payout-settings",
                Some(&token),
                Some(body),
            ),
        )
    };
    assert_eq!(
        reply(settings(json!({"stripeConnectId": "not-an-account"})).await).status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let set = reply(
        settings(json!({"stripeConnectId": "acct_jane", "defaultPayoutMethod": "connect"})).await,
    );
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(
        (
            set.body["stripeConnectId"].clone(),
            set.body["defaultPayoutMethod"].clone()
        ),
        (json!("acct_jane"), json!("connect"))
    );
    assert!(set.body["payoutsEnabledAt"].is_string(), "{}", set.body);
    connect_account(ctx, &world, &sam, "acct_refused").await;
    connect_account(ctx, &world, &alex, "acct_flaky").await;
    let sent = act(ctx, &world, &jane_payout, "send", json!({})).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(
        (
            sent.body["status"].clone(),
            sent.body["externalReference"].clone()
        ),
        (json!("completed"), json!("tr_1"))
    );
    assert!(sent.body["initiatedAt"].is_string(), "{}", sent.body);
    assert_eq!(
        commissions(ctx, &world, &format!("&partnerId={}&status=paid", jane.id))
            .await
            .len(),
        1
    );
    // Sending again: 409, and Stripe was asked once.
    assert_eq!(
        act(ctx, &world, &jane_payout, "send", json!({}))
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(stripe.transfers.lock().unwrap().len(), 1);
    // A refused transfer fails the payout: its commissions are payable again.
    let refused = act(ctx, &world, &sam_payout, "send", json!({})).await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.body);
    assert_eq!(refused.body["status"], "failed");
    assert_eq!(
        refused.body["failureReason"],
        "No such destination: 'acct_refused'"
    );
    assert_eq!(
        commissions(
            ctx,
            &world,
            &format!("&partnerId={}&status=processed", sam.id)
        )
        .await
        .len(),
        1
    );
    // An answer lost after the transfer was made: the payout stays processing, and sending
    // again gets the same transfer (the same idempotency key), never a second one.
    let lost = act(ctx, &world, &alex_payout, "send", json!({})).await;
    assert_eq!(lost.status, StatusCode::CONFLICT, "{}", lost.body);
    let processing = call(
        ctx,
        &world,
        Method::GET,
        &format!("/payouts/{alex_payout}"),
        None,
    )
    .await;
    assert_eq!(processing.body["status"], "processing");
    assert_eq!(
        act(ctx, &world, &alex_payout, "cancel", json!({}))
            .await
            .status,
        StatusCode::CONFLICT
    );
    let again = act(ctx, &world, &alex_payout, "send", json!({})).await;
    assert_eq!(
        (
            again.body["status"].clone(),
            again.body["externalReference"].clone()
        ),
        (json!("completed"), json!("tr_2")),
        "{}",
        again.body
    );
    assert_eq!(stripe.transfers.lock().unwrap().len(), 2);
    balanced_ledger(ctx, &world).await;
}
async fn a_scheduled_run_pays_on_its_day_once(app: TestApp) {
    let (ctx, clock) = manual_context(&app);
    let ctx = ctx.as_ref();
    let world = program(&app).await;
    let jane = world.partner(ctx, "JANE", &world.default_group).await;
    sales(ctx, &world, &jane, "user_1", &[50_000]).await;
    mature(ctx, &clock).await;
    let weekday = format!("{:?}", ctx.clock.now().weekday()).to_lowercase();
    let path = format!("/programs/{}", world.program.id);
    let bad = json!({"settings": {"payoutSchedule": {"frequency": "monthly", "day": 31}}});
    let refused = reply(
        program_admin::handle(
            ctx,
            request(Method::PATCH, &path, Some(&world.key), Some(bad)),
        )
        .await,
    );
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let weekly =
        json!({"settings": {"payoutSchedule": {"frequency": "weekly", "weekday": weekday}}});
    let set = reply(
        program_admin::handle(
            ctx,
            request(Method::PATCH, &path, Some(&world.key), Some(weekly)),
        )
        .await,
    );
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(
        set.body["settings"]["payoutSchedule"]["frequency"],
        "weekly"
    );
    assert_eq!(
        shared::payouts::run_scheduled_payouts(ctx).await.unwrap(),
        1
    );
    assert_eq!(payouts(ctx, &world, "").await.len(), 1);
    // Once a day: the next tick of the same day runs nothing.
    sales(ctx, &world, &jane, "user_2", &[50_000]).await;
    assert_eq!(
        shared::payouts::run_scheduled_payouts(ctx).await.unwrap(),
        0
    );
    // A day later it is not the scheduled weekday.
    clock.advance(time::Duration::days(1));
    assert_eq!(
        shared::payouts::run_scheduled_payouts(ctx).await.unwrap(),
        0
    );
    // Five weeks after the first run (the new commission has matured), it runs again.
    clock.advance(time::Duration::days(34));
    shared::commissions::mature_commissions(ctx, 1_000)
        .await
        .unwrap();
    assert_eq!(
        shared::payouts::run_scheduled_payouts(ctx).await.unwrap(),
        1
    );
    assert_eq!(payouts(ctx, &world, "").await.len(), 2);
}
async fn the_ledger_balances_after_every_step_of_a_random_history(app: TestApp) {
    let (ctx, clock) = manual_context(&app);
    let ctx = ctx.as_ref();
    let world = program(&app).await;
    let partners = [
        world.partner(ctx, "JANE", &world.default_group).await,
        world.partner(ctx, "SAM", &world.default_group).await,
    ];
    let random = SeededRandom::new(20_261_204);
    let mut invoices: Vec<String> = Vec::new();
    // What the history went through: refunds with a clawback, confirmed, failed and canceled payouts.
    let mut seen: HashSet<&str> = HashSet::new();
    for step in 0..40 {
        let what = pick(&random, 7);
        match what {
            // A new customer's sale of 100 to 600.
            0 | 1 => {
                let customer = format!("user_{step}");
                let partner = &partners[pick(&random, 2)];
                sales(
                    ctx,
                    &world,
                    partner,
                    &customer,
                    &[10_000 + 10_000 * pick(&random, 6) as i64],
                )
                .await;
                invoices.push(format!("in_{customer}_0"));
            }
            // A partial or full refund of a sale: unpaid share, clawback, or nothing left.
            2 if !invoices.is_empty() => {
                let invoice = invoices[pick(&random, invoices.len())].clone();
                let body = if pick(&random, 2) == 0 {
                    json!({"invoiceId": invoice, "amount": 2_500})
                } else {
                    json!({"invoiceId": invoice})
                };
                let refund = track(ctx, &world.key, "/track/refund", body, None).await;
                assert!(
                    refund.status == StatusCode::OK
                        || refund.status == StatusCode::CONFLICT
                        || refund.status == StatusCode::UNPROCESSABLE_ENTITY,
                    "{}",
                    refund.body
                );
                if refund.status == StatusCode::OK && !refund.body["clawback"].is_null() {
                    seen.insert("clawback");
                }
            }
            3 => mature(ctx, &clock).await,
            4 => {
                pay_run(ctx, &world, false).await;
            }
            5 | 6 => {
                let pending = payout_ids(ctx, &world, "pending").await;
                if let Some(id) = pending.get(pick(&random, pending.len().max(1))) {
                    let action = ["confirm", "fail", "cancel"][pick(&random, 3)];
                    let done = act(ctx, &world, id, action, json!({})).await;
                    assert_eq!(done.status, StatusCode::OK, "{action}: {}", done.body);
                    seen.insert(action);
                }
            }
            _ => {}
        }
        let ledger = balanced_ledger(ctx, &world).await;
        assert!(
            ledger["currencies"].as_array().unwrap().len() <= 1,
            "step {step}: {ledger}"
        );
    }
    assert_eq!(
        seen.len(),
        4,
        "the seed must go through every kind of step: {seen:?}"
    );
    // Whatever happened, everything payable can still be paid exactly.
    mature(ctx, &clock).await;
    pay_run(ctx, &world, false).await;
    for id in payout_ids(ctx, &world, "pending").await {
        assert_eq!(
            act(ctx, &world, &id, "confirm", json!({})).await.status,
            StatusCode::OK
        );
    }
    let ledger = balanced_ledger(ctx, &world).await;
    let line = &ledger["currencies"][0];
    assert_eq!(
        line["commissions"]["processed"].as_i64().unwrap_or(0),
        line["carried"].as_i64().unwrap(),
        "{ledger}"
    );
}

async fn a_run_pays_each_partner_once_and_carries_small_balances(app: TestApp) {
    let (ctx, clock) = manual_context(&app);
    let ctx = ctx.as_ref();
    let world = program(&app).await;
    let jane = partner_with_email(ctx, &world, "jane@example.com", "Jane").await;
    let sam = world.partner(ctx, "SAM", &world.default_group).await;
    // Jane earns 2,000 + 3,000 + 1,000; Sam 1,000, under the 5,000 minimum.
    sales(ctx, &world, &jane, "user_1", &[10_000, 15_000]).await;
    sales(ctx, &world, &jane, "user_2", &[5_000]).await;
    sales(ctx, &world, &sam, "user_3", &[5_000]).await;
    // Pending commissions are not payable yet.
    let early = pay_run(ctx, &world, true).await;
    assert_eq!(early.body["payouts"], json!([]), "{}", early.body);
    mature(ctx, &clock).await;
    balanced_ledger(ctx, &world).await;

    // A dry run shows who would get what and writes nothing.
    let preview = pay_run(ctx, &world, true).await;
    assert_eq!(preview.body["dryRun"], true);
    assert_eq!(
        preview.body["payouts"].as_array().unwrap().len(),
        1,
        "{}",
        preview.body
    );
    assert_eq!(preview.body["payouts"][0]["amount"], 6_000);
    assert_eq!(
        preview.body["payouts"][0]["partner"]["id"],
        jane.id.as_str()
    );
    assert_eq!(
        preview.body["carried"],
        json!([{"partnerId": sam.id.as_str(), "amount": 1_000,
        "currency": "usd", "commissionCount": 1, "reason": "below_minimum"}])
    );
    assert!(payouts(ctx, &world, "").await.is_empty());

    let done = pay_run(ctx, &world, false).await;
    let payout = done.body["payouts"][0].clone();
    let id = payout["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("po_"), "{payout}");
    assert_eq!(
        (payout["amount"].clone(), payout["status"].clone()),
        (json!(6_000), json!("pending"))
    );
    assert_eq!(payout["commissionCount"], 3);
    assert_eq!(payout["invoiceId"], done.body["id"]);
    assert_eq!(payout["mode"], "external");
    assert_eq!(payout["rail"], "manual");
    assert_eq!(payout["method"], json!(null));
    balanced_ledger(ctx, &world).await;
    // A second run finds nothing new to pay.
    assert_eq!(pay_run(ctx, &world, false).await.body["payouts"], json!([]));
    let listed = payouts(ctx, &world, "").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["partner"]["tenantId"], jane.tenant_id.as_str());
    assert_eq!(
        payouts(ctx, &world, &format!("?partnerId={}", sam.id))
            .await
            .len(),
        0
    );
    assert_eq!(
        payouts(ctx, &world, &format!("?tenantId={}", jane.tenant_id))
            .await
            .len(),
        1
    );
    assert_eq!(payouts(ctx, &world, "?status=completed").await.len(), 0);
    assert_eq!(
        payouts(
            ctx,
            &world,
            &format!("?invoiceId={}", payout["invoiceId"].as_str().unwrap())
        )
        .await
        .len(),
        1
    );
    let events = world.events(ctx, "payout.created").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["amount"], 6_000);

    // The batch files of the pending payouts: PayPal's (no header) and Wise's.
    let export = |format: &str| {
        format!(
            "/programs/{}/payouts/export?format={format}",
            world.program.id
        )
    };
    let paypal = call(ctx, &world, Method::GET, &export("paypal"), None).await;
    assert_eq!(paypal.status, StatusCode::OK);
    let paypal = text(&paypal);
    assert_eq!(
        paypal,
        format!("jane@example.com,60.00,USD,{id},Payout of Acme to Jane,PAYPAL\r\n"),
        "{paypal}"
    );
    let wise = text(&call(ctx, &world, Method::GET, &export("wise"), None).await);
    let rows: Vec<&str> = wise.lines().collect();
    assert_eq!(
        rows[0],
        "name,recipientEmail,paymentReference,receiverType,amountCurrency,amount,sourceCurrency,targetCurrency,type"
    );
    assert_eq!(
        rows[1],
        format!("Jane,jane@example.com,{id},PERSON,USD,60.00,USD,USD,EMAIL")
    );
    let none = call(
        ctx,
        &world,
        Method::GET,
        &format!(
            "/programs/{}/payouts/export?format=wise&status=failed",
            world.program.id
        ),
        None,
    )
    .await;
    assert_eq!(
        text(&none).lines().count(),
        1,
        "an empty batch is its header"
    );
    let unknown = call(
        ctx,
        &world,
        Method::GET,
        &format!("/programs/{}/payouts/export?format=csv", world.program.id),
        None,
    )
    .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);

    // Jane sees her payout in her own session; Sam sees none.
    let links = PortalLinkSigner::new(
        b"portal-link-secret-of-the-tests-32b!",
        "https://partners.example.com/portal".parse().unwrap(),
    );
    let portal = |path: &str, credential: &str, body: Option<Value>| {
        let method = if body.is_some() {
            Method::POST
        } else {
            Method::GET
        };
        partner_portal::handle(ctx, &links, request(method, path, Some(credential), body))
    };
    for (partner, count) in [(&jane, 1), (&sam, 0)] {
        let issued = reply(
            portal(
                "/partners/sessions",
                &world.key,
                Some(json!({"partnerId": partner.id})),
            )
            .await,
        );
        assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
        let own = reply(
            portal(
                "/v1/affiliate/payouts",
                issued.body["token"].as_str().unwrap(),
                None,
            )
            .await,
        );
        assert_eq!(own.status, StatusCode::OK, "{}", own.body);
        assert_eq!(own.body.as_array().unwrap().len(), count, "{}", own.body);
    }

    // A commission in a payout cannot be changed by hand.
    let in_payout = commissions(ctx, &world, &format!("&partnerId={}", jane.id)).await;
    let patch = call(
        ctx,
        &world,
        Method::PATCH,
        &format!("/commissions/{}", in_payout[0]["id"].as_str().unwrap()),
        Some(json!({"status": "paid"})),
    )
    .await;
    assert_eq!(patch.status, StatusCode::CONFLICT, "{}", patch.body);

    // Confirmed: the commissions are paid; confirming again is 409.
    let confirmed = act(
        ctx,
        &world,
        &id,
        "confirm",
        json!({"externalReference": "bank-tx-1"}),
    )
    .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(confirmed.body["status"], "completed");
    assert_eq!(confirmed.body["externalReference"], "bank-tx-1");
    assert!(confirmed.body["paidAt"].is_string());
    assert_eq!(
        commissions(ctx, &world, &format!("&partnerId={}&status=paid", jane.id))
            .await
            .len(),
        3
    );
    assert_eq!(
        act(ctx, &world, &id, "confirm", json!({})).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        act(ctx, &world, &id, "cancel", json!({})).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(world.events(ctx, "payout.confirmed").await.len(), 1);
    let ledger = balanced_ledger(ctx, &world).await;
    assert_eq!(
        ledger["currencies"][0]["payouts"]["completed"], 6_000,
        "{ledger}"
    );
    assert_eq!(ledger["currencies"][0]["carried"], 1_000, "{ledger}");
    let one = call(ctx, &world, Method::GET, &format!("/payouts/{id}"), None).await;
    assert_eq!(
        (one.status, one.body["status"].clone()),
        (StatusCode::OK, json!("completed"))
    );
    assert_eq!(
        call(ctx, &world, Method::GET, "/payouts/po_unknown", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Another program's id is 404.
    let other = call(
        ctx,
        &world,
        Method::POST,
        "/programs/prog_other/payouts/run",
        Some(json!({})),
    )
    .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.body);
}

async fn failed_and_canceled_payouts_free_their_commissions(app: TestApp) {
    let (ctx, clock) = manual_context(&app);
    let ctx = ctx.as_ref();
    let world = program(&app).await;
    let jane = world.partner(ctx, "JANE", &world.default_group).await;
    sales(ctx, &world, &jane, "user_1", &[50_000]).await;
    mature(ctx, &clock).await;
    let first = pay_run(ctx, &world, false).await.body["payouts"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let failed = act(
        ctx,
        &world,
        &first,
        "fail",
        json!({"reason": "account closed"}),
    )
    .await;
    assert_eq!(failed.status, StatusCode::OK, "{}", failed.body);
    assert_eq!(
        (
            failed.body["status"].clone(),
            failed.body["failureReason"].clone()
        ),
        (json!("failed"), json!("account closed"))
    );
    assert_eq!(world.events(ctx, "payout.failed").await.len(), 1);
    assert_eq!(commissions(ctx, &world, "&status=processed").await.len(), 1);
    balanced_ledger(ctx, &world).await;
    // Payable again: the next run pays it in a new payout, which can be canceled.
    let second = pay_run(ctx, &world, false).await.body["payouts"][0].clone();
    assert_eq!(second["amount"], 10_000);
    assert_ne!(second["id"], json!(first));
    let canceled = act(
        ctx,
        &world,
        second["id"].as_str().unwrap(),
        "cancel",
        json!({}),
    )
    .await;
    assert_eq!(canceled.body["status"], "canceled", "{}", canceled.body);
    assert_eq!(
        act(
            ctx,
            &world,
            second["id"].as_str().unwrap(),
            "confirm",
            json!({})
        )
        .await
        .status,
        StatusCode::CONFLICT
    );
    balanced_ledger(ctx, &world).await;
    let third = pay_run(ctx, &world, false).await.body["payouts"][0].clone();
    assert_eq!(third["amount"], 10_000);
    assert_eq!(
        payouts(ctx, &world, "?sortBy=initiatedAt&sortOrder=asc")
            .await
            .iter()
            .map(|p| p["status"].clone())
            .collect::<Vec<_>>(),
        [json!("failed"), json!("canceled"), json!("pending")]
    );
    // Bad input changes nothing.
    let long = act(
        ctx,
        &world,
        third["id"].as_str().unwrap(),
        "fail",
        json!({"reason": "x".repeat(501)}),
    )
    .await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = act(
        ctx,
        &world,
        third["id"].as_str().unwrap(),
        "confirm",
        json!({"amount": 1}),
    )
    .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.body
    );
    assert_eq!(payouts(ctx, &world, "?status=pending").await.len(), 1);
}

async fn clawbacks_and_bans_carry_forward(app: TestApp) {
    let (ctx, clock) = manual_context(&app);
    let ctx = ctx.as_ref();
    let world = program(&app).await;
    let jane = world.partner(ctx, "JANE", &world.default_group).await;
    let sam = world.partner(ctx, "SAM", &world.default_group).await;
    sales(ctx, &world, &jane, "user_1", &[50_000]).await;
    sales(ctx, &world, &sam, "user_2", &[50_000]).await;
    mature(ctx, &clock).await;
    // Jane's payout is made; a refund of her sale is then a clawback, even before payment.
    let payout = pay_run(ctx, &world, false).await;
    let jane_payout = payout.body["payouts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["partner"]["id"] == jane.id.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let refund = track(
        ctx,
        &world.key,
        "/track/refund",
        json!({"invoiceId": "in_user_1_0"}),
        None,
    )
    .await;
    assert_eq!(refund.status, StatusCode::OK, "{}", refund.body);
    assert_eq!(
        refund.body["clawback"]["earnings"], -10_000,
        "{}",
        refund.body
    );
    assert_eq!(
        act(ctx, &world, &jane_payout, "confirm", json!({}))
            .await
            .status,
        StatusCode::OK
    );
    // Sam is banned: his balance waits.
    let directory = PartnerDirectory::new(Duration::ZERO);
    let body = json!({"partnerId": sam.id, "reason": "fraud"});
    let ban = partner_admin::handle(
        ctx,
        &directory,
        request(Method::POST, "/partners/ban", Some(&world.key), Some(body)),
    )
    .await;
    assert_eq!(reply(ban).status, StatusCode::OK);
    mature(ctx, &clock).await;
    let next = pay_run(ctx, &world, false).await;
    assert_eq!(next.body["payouts"], json!([]), "{}", next.body);
    let carried: HashSet<(String, String)> = next.body["carried"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["partnerId"].as_str().unwrap().to_owned(),
                c["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        carried.contains(&(jane.id.to_string(), "negative".into())),
        "{}",
        next.body
    );
    balanced_ledger(ctx, &world).await;
}

async fn a_run_cut_between_chunks_is_resumed_and_pays_once(app: TestApp) {
    let (ctx, clock) = manual_context(&app);
    let world = program(&app).await;
    let jane = world.partner(&ctx, "JANE", &world.default_group).await;
    sales(&ctx, &world, &jane, "user_1", &[25_000]).await;
    mature(&ctx, &clock).await;
    copies_of_the_commission(&app, &world, 119).await;
    // The run's transactions: start, chunk 1, chunk 2 (cut here), chunk 3, seal.
    // Every transaction from the third on fails, as a process that died would.
    let cut = Arc::new(FaultyStore::failing_transactions(app.store.clone(), |n| {
        n >= 3
    }));
    let dying = AppContext::new(cut, clock.clone(), Arc::new(OsRandom), None);
    let path = format!("/programs/{}/payouts/run", world.program.id);
    let died = call(&dying, &world, Method::POST, &path, Some(json!({}))).await;
    assert_eq!(
        died.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        died.body
    );
    assert!(
        payouts(&ctx, &world, "").await.is_empty(),
        "a payout being built is not listed"
    );
    // The next run finishes the same payout: every commission once, the amount exact.
    let resumed = pay_run(&ctx, &world, false).await;
    let payout = &resumed.body["payouts"][0];
    assert_eq!(
        (payout["amount"].clone(), payout["commissionCount"].clone()),
        (json!(600_000), json!(120)),
        "{}",
        resumed.body
    );
    assert_eq!(payouts(&ctx, &world, "").await.len(), 1);
    assert_eq!(
        pay_run(&ctx, &world, false).await.body["payouts"],
        json!([])
    );
    balanced_ledger(&ctx, &world).await;
    // Confirming settles all 120 (three chunks).
    let id = payout["id"].as_str().unwrap();
    assert_eq!(
        act(&ctx, &world, id, "confirm", json!({})).await.status,
        StatusCode::OK
    );
    let paid = commissions(&ctx, &world, "&status=paid").await.len()
        + commissions(&ctx, &world, "&status=paid&page=2").await.len();
    assert_eq!(paid, 120);
    balanced_ledger(&ctx, &world).await;
}

async fn concurrent_runs_put_each_commission_in_one_payout(app: TestApp) {
    let (ctx, clock) = manual_context(&app);
    let world = program(&app).await;
    let partners = [
        world.partner(&ctx, "JANE", &world.default_group).await,
        world.partner(&ctx, "SAM", &world.default_group).await,
        world.partner(&ctx, "ALEX", &world.default_group).await,
    ];
    for (n, partner) in partners.iter().enumerate() {
        sales(&ctx, &world, partner, &format!("user_{n}"), &[30_000; 12]).await;
    }
    mature(&ctx, &clock).await;
    let runs = (0..3).map(|_| {
        let ctx = ctx.clone();
        let path = format!("/programs/{}/payouts/run", world.program.id);
        let key = world.key.clone();
        tokio::spawn(async move { admin(&ctx, &key, Method::POST, &path, Some(json!({}))).await })
    });
    let runs: Vec<_> = runs.collect();
    for handle in runs {
        let reply = handle.await.unwrap();
        assert!(
            reply.status == StatusCode::OK || reply.status == StatusCode::CONFLICT,
            "{}",
            reply.body
        );
    }
    // Whatever the interleaving: the payouts of each partner add up to its earnings once.
    let _ = pay_run(&ctx, &world, false).await;
    for partner in &partners {
        let listed = payouts(&ctx, &world, &format!("?partnerId={}", partner.id)).await;
        let paying: i64 = listed
            .iter()
            .filter(|p| p["status"] == "pending")
            .map(|p| p["amount"].as_i64().unwrap())
            .sum();
        assert_eq!(paying, 12 * 6_000, "{listed:?}");
    }
    balanced_ledger(&ctx, &world).await;
}
