//! The cost of a payout run: `MOTO_SERVER=.venv/bin/moto_server cargo run --release -p
//! integration-tests --bin payout_run_report [-- --partners 10000 --commissions 20]`.
//!
//! 1. On the embedded engine (in memory): a program with `--partners` partners of
//!    `--commissions` processed commissions each, written directly; the time of one run that pays
//!    them all (read, plan, build every payout: start, claim in chunks of 50, seal).
//! 2. On moto through the DynamoDB engine: the same for 20 partners, with the DynamoDB requests
//!    per partner (`DynamoDbStore::stats`) and the write and read units per partner as DynamoDB
//!    bills them (`metering::MeteredStore`, from the items' sizes: moto reports no capacity for
//!    transactions).

use integration_tests::app::TestApp;
use integration_tests::metering::MeteredStore;
use integration_tests::tracking_world::TrackingProgram;
use integration_tests::{dynamodb_client, fresh_queue, fresh_store};
use shared::context::AppContext;
use shared::model::{Actor, Commission, CommissionStatus, CommissionType};
use shared::payouts::run_program;
use shared::ports::{OsRandom, SystemClock};
use shared::queue::QueueSettings;
use shared::queue::embedded::EmbeddedQueues;
use shared::store::dynamodb::DynamoDbStore;
use shared::store::embedded::EmbeddedStore;
use shared::store::{ItemStore, TxOp};
use shared::types::{CommissionId, Currency};
use std::sync::Arc;
use std::time::Instant;

struct Options {
    partners: usize,
    commissions: usize,
}

impl Options {
    fn from_args() -> Self {
        let mut options = Self {
            partners: 10_000,
            commissions: 20,
        };
        let args: Vec<String> = std::env::args().collect();
        for pair in args.windows(2) {
            let value = || pair[1].parse().expect("a number");
            match pair[0].as_str() {
                "--partners" => options.partners = value(),
                "--commissions" => options.commissions = value(),
                _ => {}
            }
        }
        options
    }
}

/// `partners` partners with `commissions` processed commissions of 1,000 each, written directly.
async fn seed(app: &TestApp, world: &TrackingProgram, partners: usize, commissions: usize) {
    let ctx = &app.ctx;
    let mut ops: Vec<TxOp> = Vec::new();
    for n in 0..partners {
        let partner = world
            .partner(ctx, &format!("P{n:06}"), &world.default_group)
            .await;
        for _ in 0..commissions {
            let now = ctx.clock.now();
            let commission = Commission {
                id: CommissionId::generate(ctx.ids.as_ref()),
                program_id: world.program.id.clone(),
                partner_id: partner.id.clone(),
                group_id: world.default_group.clone(),
                customer_id: None,
                kind: CommissionType::Sale,
                amount: 5_000,
                earnings: 1_000,
                currency: Currency::USD,
                quantity: 1,
                status: CommissionStatus::Processed,
                reward_id: None,
                invoice_id: None,
                description: None,
                lead_id: None,
                sale_id: None,
                link_id: Some(partner.link.clone()),
                clawback_of: None,
                note: None,
                payout_id: None,
                holds_until: now,
                paid_at: None,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            ops.extend(
                shared::commissions::records::insert_commission(&commission)
                    .expect("a commission item"),
            );
            if ops.len() >= 25 {
                app.store
                    .transact(std::mem::take(&mut ops))
                    .await
                    .expect("seed");
            }
        }
    }
    if !ops.is_empty() {
        app.store.transact(ops).await.expect("seed");
    }
}

#[allow(clippy::print_stdout)]
async fn embedded(options: &Options) {
    let queues = EmbeddedQueues::in_memory();
    let queue = |name| {
        queues
            .create(name, QueueSettings::default())
            .expect("a queue")
    };
    let app = TestApp::over(
        Arc::new(EmbeddedStore::in_memory()),
        queue("events"),
        queue("deliveries"),
    );
    let world = TrackingProgram::create(&app, "go.payouts.test").await;
    seed(&app, &world, options.partners, options.commissions).await;
    let started = Instant::now();
    let report = run_program(&app.ctx, &world.program, false, Actor::System)
        .await
        .expect("a run");
    let seconds = started.elapsed().as_secs_f64();
    let commissions = options.partners * options.commissions;
    assert_eq!(
        report.payouts.len(),
        options.partners,
        "every partner is paid"
    );
    println!("\nEmbedded engine (in memory), one run");
    println!("| partners | commissions | run | per partner | per commission |");
    println!("| --- | --- | --- | --- | --- |");
    println!(
        "| {} | {commissions} | {seconds:.2} s | {:.0} µs | {:.1} µs |",
        options.partners,
        seconds * 1e6 / options.partners as f64,
        seconds * 1e6 / commissions as f64,
    );
}

#[allow(clippy::print_stdout)]
async fn moto(commissions: usize) {
    const PARTNERS: usize = 20;
    let table = fresh_store().await;
    let probe: Arc<dyn ItemStore> = Arc::new(DynamoDbStore::new(
        dynamodb_client().await,
        table.table_name(),
    ));
    let seeding = TestApp::over(
        probe.clone(),
        fresh_queue(QueueSettings::default()).await.queue,
        fresh_queue(QueueSettings::default()).await.queue,
    );
    let world = TrackingProgram::create(&seeding, "go.payouts.test").await;
    seed(&seeding, &world, PARTNERS, commissions).await;
    let metered = Arc::new(MeteredStore::new(table.clone(), probe.clone()));
    let ctx = AppContext::new(
        metered.clone(),
        Arc::new(SystemClock),
        Arc::new(OsRandom),
        None,
    );
    let before = table.stats().total();
    let report = run_program(&ctx, &world.program, false, Actor::System)
        .await
        .expect("a run");
    let after = table.stats().total();
    assert_eq!(report.payouts.len(), PARTNERS, "every partner is paid");
    let per = PARTNERS as f64;
    println!(
        "\nDynamoDB engine on moto, {PARTNERS} partners of {commissions} commissions, per partner paid"
    );
    println!(
        "| DynamoDB requests | transactions | transaction actions | write units | read units |"
    );
    println!("| --- | --- | --- | --- | --- |");
    let counts = &metered.counts;
    let load =
        |n: &std::sync::atomic::AtomicU64| n.load(std::sync::atomic::Ordering::Relaxed) as f64;
    println!(
        "| {:.1} | {:.1} | {:.1} | {:.1} | {:.2} |",
        (after.requests - before.requests) as f64 / per,
        load(&counts.transactions) / per,
        load(&counts.transaction_actions) / per,
        counts.write_units() as f64 / per,
        counts.read_units() / per,
    );
}

#[tokio::main]
async fn main() {
    let options = Options::from_args();
    embedded(&options).await;
    moto(options.commissions).await;
}
