//! Speed and read cost of the analytics endpoints at scale:
//! `cargo run --release -p integration-tests --bin analytics_report`.
//!
//! Seeds one program with `PARTNERS` partners (default 10,000), one link each, and the day
//! items the click aggregator and the conversions would have written: over the last 30 days,
//! each partner's link is active on a day with a chance of `ACTIVE_PERCENT` (default 30) with
//! clicks in a few hours and by country, device and browser, some leads and sales; the first
//! partner's link has a year of days. Then it calls the analytics handler in process
//! (authentication, parsing, reads, sums, JSON) on the embedded engine: p50 and p99 of `RUNS`
//! calls per case. Then the same shape with `MOTO_PARTNERS` partners (default 200: moto
//! copies its table on every transaction action, so seeding more takes long) on DynamoDB
//! (moto): items read, read calls, requests and read units per call. Needs MOTO_SERVER or a
//! moto on PATH for that part (`SKIP_MOTO=1` skips it).

use http::Method;
use integration_tests::app::{TestApp, reply, request};
use integration_tests::counting::{Counting, percentile};
use integration_tests::partner_seed::{ScaleProgram, seed};
use shared::analytics::bucket::{DayCounts, Metric, Scope};
use shared::auth::Scope as AuthScope;
use shared::model::Dimension;
use shared::model::Program;
use shared::ports::{Random, SeededRandom};
use shared::store::embedded::EmbeddedStore;
use shared::store::{ItemStore, TxOp};
use shared::types::{LinkId, PartnerId};
use std::sync::Arc;
use std::time::{Duration, Instant};

const RUNS: usize = 15;
const COUNTRIES: [&str; 5] = ["US", "DE", "GB", "FR", "BR"];
const DEVICES: [&str; 3] = ["Mobile", "Desktop", "Tablet"];

fn count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn pick(random: &dyn Random, n: u32) -> u32 {
    let mut bytes = [0u8; 4];
    random.fill(&mut bytes);
    u32::from_le_bytes(bytes) % n
}

/// One active day of a link: clicks in two hours, by country and device, and now and then a
/// lead and a sale.
fn link_day(random: &dyn Random, partner: &PartnerId) -> DayCounts {
    let mut counts = DayCounts {
        partner: Some(partner.clone()),
        ..Default::default()
    };
    for _ in 0..2 {
        let clicks = i64::from(1 + pick(random, 20));
        counts.add(Metric::Clicks, pick(random, 24) as u8, clicks);
        let country = COUNTRIES[pick(random, 5) as usize].to_owned();
        counts.add_dimension(Metric::Clicks, Dimension::Country, country, clicks);
        let device = DEVICES[pick(random, 3) as usize].to_owned();
        counts.add_dimension(Metric::Clicks, Dimension::Device, device, clicks);
        counts.add_dimension(Metric::Clicks, Dimension::Browser, "Chrome".into(), clicks);
    }
    if pick(random, 4) == 0 {
        let hour = pick(random, 24) as u8;
        counts.add(Metric::Leads, hour, 1);
        counts.add(Metric::Sales, hour, 1);
        counts.add(
            Metric::SaleAmount,
            hour,
            i64::from(1_000 + pick(random, 9_000)),
        );
        counts.add(Metric::Earnings, hour, i64::from(200 + pick(random, 1_800)));
    }
    counts
}

/// The day items of the seeded links, and each day's program item (their sum).
async fn seed_days(store: &dyn ItemStore, program: &Program, links: &[(PartnerId, LinkId)]) {
    let random = SeededRandom::new(11);
    let active = count("ACTIVE_PERCENT", 30) as u32;
    let today = time::OffsetDateTime::now_utc().date();
    let mut ops: Vec<TxOp> = Vec::new();
    let flush = |ops: Vec<TxOp>| async move {
        for chunk in ops.chunks(shared::store::MAX_TRANSACTION_OPS) {
            store
                .transact(chunk.to_vec())
                .await
                .expect("seed day items");
        }
    };
    for days_back in 0..365 {
        let day = today - time::Duration::days(days_back);
        let mut program_day = DayCounts::default();
        for (index, (partner, link)) in links.iter().enumerate() {
            // The first link every day of the year; the others on some of the last 30 days.
            let on = if index == 0 {
                true
            } else {
                days_back < 30 && pick(&random, 100) < active
            };
            if !on {
                continue;
            }
            let counts = link_day(&random, partner);
            program_day.merge(&DayCounts {
                partner: None,
                ..counts.clone()
            });
            ops.push(counts.add_to(&program.id, day, &Scope::Link(link.clone())));
        }
        ops.push(program_day.add_to(&program.id, day, &Scope::Program));
        if ops.len() >= 2_000 {
            flush(std::mem::take(&mut ops)).await;
        }
    }
    flush(ops).await;
}

struct Bench {
    app: TestApp,
    key: String,
    counting: Arc<Counting>,
    first_partner: PartnerId,
}

async fn bench(store: Arc<dyn ItemStore>, partners: usize) -> Bench {
    let ScaleProgram {
        app,
        program,
        key,
        counting,
    } = ScaleProgram::create(store, vec![AuthScope::AnalyticsRead]).await;
    let started = Instant::now();
    let links = seed(counting.as_ref(), &program, partners).await;
    seed_days(counting.as_ref(), &program, &links).await;
    eprintln!(
        "seeded {partners} partners and their days in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    counting.take();
    Bench {
        app,
        key,
        counting,
        first_partner: links[0].0.clone(),
    }
}

impl Bench {
    async fn call(&self, path: &str) -> (Duration, usize) {
        let started = Instant::now();
        let response = analytics::handle(
            &self.app.ctx,
            request(Method::GET, path, Some(&self.key), None),
        )
        .await;
        let elapsed = started.elapsed();
        let reply = reply(response);
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        let rows = reply.body.as_array().map_or(1, Vec::len);
        (elapsed, rows)
    }

    fn cases(&self) -> Vec<(&'static str, String)> {
        let partner = &self.first_partner;
        vec![
            (
                "a partner's year, daily (`/partners/analytics` timeseries 1y)",
                format!("/partners/analytics?partnerId={partner}&groupBy=timeseries&interval=1y"),
            ),
            (
                "top_partners, 30 days",
                "/analytics?groupBy=top_partners&interval=30d".into(),
            ),
            (
                "top_links, 30 days",
                "/analytics?groupBy=top_links&interval=30d&event=sales".into(),
            ),
            (
                "the program, last 24 hours",
                "/analytics?event=composite".into(),
            ),
            (
                "the program, 30 days daily in New York",
                "/analytics?groupBy=timeseries&interval=30d&timezone=America/New_York".into(),
            ),
            (
                "the program's year, daily",
                "/analytics?groupBy=timeseries&interval=1y&event=composite".into(),
            ),
            (
                "countries, 30 days",
                "/analytics?groupBy=countries&interval=30d".into(),
            ),
        ]
    }
}

// A report: its output is the point.
#[allow(clippy::print_stdout)]
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let partners = count("PARTNERS", 10_000);
    println!(
        "# Analytics, {partners} partners, {}% of links active on each of the last 30 days, embedded engine (in memory), {RUNS} calls per case\n",
        count("ACTIVE_PERCENT", 30)
    );
    let embedded = bench(Arc::new(EmbeddedStore::in_memory()), partners).await;
    println!("| case | rows | p50 ms | p99 ms | items read per call | read calls per call |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for (name, path) in embedded.cases() {
        let mut times = Vec::with_capacity(RUNS);
        let mut rows = 0;
        embedded.counting.take();
        for _ in 0..RUNS {
            let (elapsed, n) = embedded.call(&path).await;
            times.push(elapsed);
            rows = n;
        }
        let (items, calls) = embedded.counting.take();
        times.sort();
        println!(
            "| {name} | {rows} | {:.1} | {:.1} | {} | {} |",
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            items / RUNS as u64,
            calls / RUNS as u64
        );
    }

    if std::env::var_os("SKIP_MOTO").is_some() {
        return;
    }
    let moto_partners = count("MOTO_PARTNERS", 200);
    println!("\n# Reads on DynamoDB (moto), {moto_partners} partners, one call per case\n");
    let dynamo = integration_tests::fresh_store().await;
    let moto = bench(dynamo.clone(), moto_partners).await;
    println!("| case | items read | read calls | DynamoDB requests | read units |");
    println!("| --- | --- | --- | --- | --- |");
    for (name, path) in moto.cases() {
        moto.counting.take();
        let before = dynamo.stats().total();
        moto.call(&path).await;
        let after = dynamo.stats().total();
        let (items, calls) = moto.counting.take();
        println!(
            "| {name} | {items} | {calls} | {} | {:.1} |",
            after.requests - before.requests,
            after.read_units - before.read_units
        );
    }
}
