//! The sale path on the in-memory embedded engine: authenticate the key (cached in process),
//! read the customer with the invoice claim, then the partner and link (two reads; program and
//! group come from the process's cache), compute the commission, and commit the sale, its
//! invoice claim, the commission, the counters and two outbox events in one transaction. Each iteration is one `POST /track/sale` through the handler, with a new
//! invoice id, for a customer that already has a lead.
//! Run: `cargo bench -p integration-tests --bench sale_path`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use integration_tests::app::{Engine, TestApp};
use integration_tests::tracking_world::{TrackingProgram, track};
use shared::groups::{self, CreateReward};
use shared::model::{RewardEvent, RewardType};
use shared::types::Percentage;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Bench {
    app: TestApp,
    world: TrackingProgram,
    next_invoice: AtomicU64,
}

async fn setup() -> Bench {
    let app = TestApp::spawn(Engine::Embedded).await;
    let world = TrackingProgram::create(&app, "go.bench.test").await;
    groups::create_reward(
        &app.ctx,
        &world.admin,
        world.program.id.as_str(),
        world.default_group.as_str(),
        CreateReward {
            event: RewardEvent::Sale,
            kind: RewardType::Percentage,
            amount_in_cents: None,
            amount_in_percentage: Some(Percentage::from_number(20.0).unwrap()),
            max_duration: None,
            description: None,
            tooltip: None,
            modifiers: Vec::new(),
        },
    )
    .await
    .unwrap();
    let partner = world.partner(&app.ctx, "BENCH", &world.default_group).await;
    let click = world.click_at(&partner, app.ctx.clock.now());
    let lead = track(
        &app.ctx,
        &world.key,
        "/track/lead",
        serde_json::json!({"clickId": click, "eventName": "Sign up", "customerExternalId": "bench"}),
        None,
    )
    .await;
    assert_eq!(lead.status.as_u16(), 200, "{}", lead.body);
    Bench {
        app,
        world,
        next_invoice: AtomicU64::new(0),
    }
}

fn sale_path(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let bench = runtime.block_on(setup());
    let mut group = c.benchmark_group("sale_path");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("track_sale_embedded", |b| {
        b.to_async(&runtime).iter(|| async {
            let invoice = bench.next_invoice.fetch_add(1, Ordering::Relaxed);
            let reply = track(
                &bench.app.ctx,
                &bench.world.key,
                "/track/sale",
                serde_json::json!({"customerExternalId": "bench", "amount": 4_900,
                                   "paymentProcessor": "stripe", "invoiceId": format!("in_{invoice}")}),
                None,
            )
            .await;
            assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
        });
    });
    group.finish();
}

criterion_group!(benches, sale_path);
criterion_main!(benches);
