//! DynamoDB requests and consumed capacity per lead and per sale, measured on moto through the
//! DynamoDB engine's counters (`DynamoDbStore::stats`):
//! `MOTO_SERVER=.venv/bin/moto_server cargo run -p integration-tests --bin tracking_cost_report`.
//!
//! Each lead is a new customer from a click (the lead reward pays); each sale is a sale with an
//! invoice id of a customer that has a lead, then one more with an `Idempotency-Key`, then a
//! repeat of a recorded invoice. API-key authentication is counted with them: the key's
//! `GetItem` when the process's 30 s key cache has no copy, and an `UpdateItem` of its last use
//! at most every 5 minutes. A last row shows one sale in a fresh process (cold caches).

use integration_tests::app::TestApp;
use integration_tests::tracking_world::{TrackingProgram, track};
use integration_tests::{fresh_queue, fresh_store};
use shared::context::AppContext;
use shared::groups::{self, CreateReward};
use shared::model::{RewardEvent, RewardType};
use shared::ports::{OsRandom, SystemClock};
use shared::queue::QueueSettings;
use shared::store::dynamodb::{Operation, StatsSnapshot};
use shared::types::Percentage;
use std::sync::Arc;

const EVENTS: u64 = 50;

fn reward(event: RewardEvent, kind: RewardType) -> CreateReward {
    CreateReward {
        event,
        kind,
        amount_in_cents: (kind == RewardType::Flat).then_some(300),
        amount_in_percentage: (kind == RewardType::Percentage)
            .then(|| Percentage::from_number(20.0).unwrap()),
        max_duration: None,
        description: None,
        tooltip: None,
        modifiers: Vec::new(),
    }
}

fn difference(after: &StatsSnapshot, before: &StatsSnapshot) -> Vec<(Operation, u64, f64, f64)> {
    Operation::ALL
        .iter()
        .map(|&op| {
            let (a, b) = (after.get(op), before.get(op));
            (
                op,
                a.requests - b.requests,
                a.read_units - b.read_units,
                a.write_units - b.write_units,
            )
        })
        .filter(|(_, requests, _, _)| *requests > 0)
        .collect()
}

#[allow(clippy::print_stdout)]
fn print(label: &str, rows: &[(Operation, u64, f64, f64)], events: u64) {
    println!("\n{label} (per event, mean of {events})");
    println!("| operation | requests | read units | write units |");
    println!("| --- | --- | --- | --- |");
    let per = events as f64;
    let (mut requests, mut reads, mut writes) = (0.0, 0.0, 0.0);
    for (op, r, ru, wu) in rows {
        println!(
            "| {op:?} | {:.2} | {:.2} | {:.2} |",
            *r as f64 / per,
            ru / per,
            wu / per
        );
        requests += *r as f64 / per;
        reads += ru / per;
        writes += wu / per;
    }
    println!("| total | {requests:.2} | {reads:.2} | {writes:.2} |");
}

/// A $49 sale by customer `c{n}`; it must be accepted.
async fn sale(ctx: &AppContext, key: &str, n: u64, invoice: &str, idempotency: Option<&str>) {
    let reply = track(
        ctx,
        key,
        "/track/sale",
        serde_json::json!({"customerExternalId": format!("c{n}"), "amount": 4_900,
                           "paymentProcessor": "stripe", "invoiceId": invoice}),
        idempotency,
    )
    .await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
}

#[tokio::main]
async fn main() {
    let store = fresh_store().await;
    let app = TestApp::over(
        store.clone(),
        fresh_queue(QueueSettings::default()).await.queue,
        fresh_queue(QueueSettings::default()).await.queue,
    );
    let world = TrackingProgram::create(&app, "go.cost.test").await;
    for kind in [
        (RewardEvent::Sale, RewardType::Percentage),
        (RewardEvent::Lead, RewardType::Flat),
    ] {
        groups::create_reward(
            &app.ctx,
            &world.admin,
            world.program.id.as_str(),
            world.default_group.as_str(),
            reward(kind.0, kind.1),
        )
        .await
        .unwrap();
    }
    let partner = world.partner(&app.ctx, "COST", &world.default_group).await;

    let before = store.stats();
    for n in 0..EVENTS {
        let click = world.click_at(&partner, app.ctx.clock.now());
        let reply = track(
            &app.ctx,
            &world.key,
            "/track/lead",
            serde_json::json!({"clickId": click, "eventName": "Sign up", "customerExternalId": format!("c{n}")}),
            None,
        )
        .await;
        assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    }
    let leads = store.stats();
    for n in 0..EVENTS {
        sale(&app.ctx, &world.key, n, &format!("in_{n}"), None).await;
    }
    let sales = store.stats();
    for n in 0..EVENTS {
        let key = format!("order-{n}");
        sale(&app.ctx, &world.key, n, &format!("in_k{n}"), Some(&key)).await;
    }
    let keyed = store.stats();
    for n in 0..EVENTS {
        sale(&app.ctx, &world.key, n, &format!("in_{n}"), None).await;
    }
    let repeats = store.stats();
    // A new process (another Lambda container): nothing cached yet.
    let cold = AppContext::new(
        store.clone(),
        Arc::new(SystemClock),
        Arc::new(OsRandom),
        None,
    );
    sale(&cold, &world.key, 0, "in_cold", None).await;
    let cold_sale = store.stats();
    print(
        "lead (new customer from a click)",
        &difference(&leads, &before),
        EVENTS,
    );
    print(
        "sale (known customer, invoice id)",
        &difference(&sales, &leads),
        EVENTS,
    );
    print(
        "sale with an Idempotency-Key",
        &difference(&keyed, &sales),
        EVENTS,
    );
    print(
        "repeat of a recorded invoice (answers the first response)",
        &difference(&repeats, &keyed),
        EVENTS,
    );
    print(
        "sale in a fresh process (key, program and group not cached)",
        &difference(&cold_sale, &repeats),
        1,
    );
}
