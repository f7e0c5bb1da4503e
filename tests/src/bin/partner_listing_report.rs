//! Speed and read cost of `GET /partners` at scale:
//! `cargo run --release -p integration-tests --bin partner_listing_report`.
//!
//! Seeds one program with `PARTNERS` partners (default 100,000) with skewed, realistic stats
//! (most partners earn little, a few earn most) and one link each, then calls the partner-admin
//! handler in process (authentication, parsing, the projection, hydration of the page, JSON) for
//! every `sortBy`, with and without filters, at page 1 and page 1,000 of 50, on the embedded
//! engine: p50 and p99 of `RUNS` calls each. Then the same program shape with `MOTO_PARTNERS`
//! partners (default 5,000) on DynamoDB (moto): items read, requests and read units per call,
//! cold (first call of a process: the first reads the whole feed and writes the projection's
//! snapshot, a later one loads the snapshot) and warm. Needs MOTO_SERVER or a moto on PATH for that part.

use http::Method;
use integration_tests::app::{TestApp, reply, request};
use integration_tests::counting::{Counting, percentile};
use integration_tests::partner_seed::{ScaleProgram, seed};
use shared::auth::Scope;
use shared::partner_listing::{PartnerDirectory, SortBy};
use shared::store::ItemStore;
use shared::store::embedded::EmbeddedStore;
use std::sync::Arc;
use std::time::{Duration, Instant};

const RUNS: usize = 15;
const PAGE_SIZE: u32 = 50;

fn count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

struct Bench {
    app: TestApp,
    program: shared::types::ProgramId,
    directory: PartnerDirectory,
    key: String,
    counting: Arc<Counting>,
}

async fn bench(store: Arc<dyn ItemStore>, partners: usize) -> Bench {
    let ScaleProgram {
        app,
        program,
        key,
        counting,
    } = ScaleProgram::create(store, vec![Scope::PartnersRead]).await;
    let started = Instant::now();
    seed(counting.as_ref(), &program, partners).await;
    eprintln!(
        "seeded {partners} partners in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // Let the feed's re-read window pass, as it would after an import.
    tokio::time::sleep(Duration::from_millis(
        shared::partners::feed::REREAD_WINDOW_MS as u64 + 1_000,
    ))
    .await;
    Bench {
        app,
        program: program.id.clone(),
        directory: PartnerDirectory::new(Duration::ZERO),
        key,
        counting,
    }
}

impl Bench {
    async fn call(&self, query: &str) -> (Duration, usize) {
        let started = Instant::now();
        let response = partner_admin::handle(
            &self.app.ctx,
            &self.directory,
            request(
                Method::GET,
                &format!("/partners{query}"),
                Some(&self.key),
                None,
            ),
        )
        .await;
        let elapsed = started.elapsed();
        let reply = reply(response);
        assert_eq!(reply.status, 200, "{query}: {}", reply.body);
        (elapsed, reply.body.as_array().unwrap().len())
    }
}

/// The process's resident memory (Linux), in MB; 0 where it cannot be read.
fn resident_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kb| kb / 1024)
}

fn cases() -> Vec<(String, String)> {
    let mut cases = Vec::new();
    for sort in SortBy::ALL {
        for (filter, filter_query, pages) in [
            ("none", "", &[1, 1000][..]),
            ("status", "&status=approved", &[1, 1000][..]),
            ("status+country", "&status=approved&country=US", &[1][..]),
        ] {
            for &page in pages {
                let name = format!("{:<22} {:<15} page {page:>4}", sort.name(), filter);
                cases.push((
                    name,
                    format!(
                        "?sortBy={}&pageSize={PAGE_SIZE}&page={page}{filter_query}",
                        sort.name()
                    ),
                ));
            }
        }
    }
    cases.push((
        "search=smith".into(),
        format!("?search=smith&pageSize={PAGE_SIZE}"),
    ));
    cases.push(("tenantId (direct)".into(), "?tenantId=user-4242".into()));
    cases
}

// A report: its output is the point.
#[allow(clippy::print_stdout)]
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let partners = count("PARTNERS", 100_000);
    println!(
        "# GET /partners, {partners} partners, embedded engine (in memory), pageSize {PAGE_SIZE}, {RUNS} calls per case\n"
    );
    let mut embedded = bench(Arc::new(EmbeddedStore::in_memory()), partners).await;
    let (cold, _) = embedded.call("").await;
    let (items, calls) = embedded.counting.take();
    println!(
        "first call of the first process (reads the whole feed, writes the snapshot): {:.0} ms, {items} items in {calls} reads",
        cold.as_secs_f64() * 1000.0
    );
    let head = embedded
        .app
        .store
        .get(
            &shared::layout::listing_snapshot_head(&embedded.program),
            shared::store::Consistency::Strong,
        )
        .await
        .expect("a read")
        .expect("the snapshot's head");
    println!(
        "snapshot written: {} chunks of at most 350 KB",
        shared::store::get_n(&head, "chunks").unwrap_or_default()
    );
    // A new process: a Lambda cold start once the snapshot exists. The first projection stays
    // alive meanwhile, so the growth of resident memory is the new one's size (and what its
    // load left allocated), not memory freed and reused.
    let first = std::mem::replace(
        &mut embedded.directory,
        PartnerDirectory::new(Duration::ZERO),
    );
    let before = resident_mb();
    let (cold, _) = embedded.call("").await;
    let (items, calls) = embedded.counting.take();
    println!(
        "first call of a new process (loads the snapshot, then the feed since it): {:.0} ms, {items} items in {calls} reads",
        cold.as_secs_f64() * 1000.0
    );
    println!(
        "resident memory grown by that load (the projection, its search text and what the allocator kept): {} MB\n",
        resident_mb().saturating_sub(before)
    );
    drop(first);
    println!("| case | rows | p50 ms | p99 ms | items read per call |");
    println!("| --- | --- | --- | --- | --- |");
    let mut worst_p50: f64 = 0.0;
    for (name, query) in cases() {
        let mut times = Vec::with_capacity(RUNS);
        let mut rows = 0;
        embedded.counting.take();
        for _ in 0..RUNS {
            let (elapsed, n) = embedded.call(&query).await;
            times.push(elapsed);
            rows = n;
        }
        let (items, _) = embedded.counting.take();
        times.sort();
        let p50 = percentile(&times, 0.5);
        worst_p50 = worst_p50.max(p50);
        println!(
            "| {name} | {rows} | {p50:.1} | {:.1} | {} |",
            percentile(&times, 0.99),
            items / RUNS as u64
        );
    }
    println!("\nworst p50: {worst_p50:.1} ms");

    if std::env::var_os("SKIP_MOTO").is_some() {
        return;
    }
    let moto_partners = count("MOTO_PARTNERS", 5_000);
    println!("\n# Read cost on DynamoDB (moto), {moto_partners} partners\n");
    let dynamo = integration_tests::fresh_store().await;
    let mut moto = bench(dynamo.clone(), moto_partners).await;
    for process in ["first process (whole feed)", "new process (snapshot)"] {
        let before = dynamo.stats().total();
        let (_, _) = moto.call("").await;
        let after = dynamo.stats().total();
        let (items, calls) = moto.counting.take();
        println!(
            "first call of the {process}: {items} items, {calls} reads, {} requests, {:.1} read units",
            after.requests - before.requests,
            after.read_units - before.read_units
        );
        moto.directory = PartnerDirectory::new(Duration::ZERO);
    }
    println!();
    println!("| warm case | items read | read calls | DynamoDB requests | read units |");
    println!("| --- | --- | --- | --- | --- |");
    for query in [
        format!("?pageSize={PAGE_SIZE}"),
        format!(
            "?sortBy=earningsPerClick&sortOrder=asc&pageSize={PAGE_SIZE}&page=50&status=approved"
        ),
        "?tenantId=user-42".to_owned(),
    ] {
        moto.counting.take();
        let before = dynamo.stats().total();
        moto.call(&query).await;
        let after = dynamo.stats().total();
        let (items, calls) = moto.counting.take();
        println!(
            "| `{query}` | {items} | {calls} | {} | {:.1} |",
            after.requests - before.requests,
            after.read_units - before.read_units
        );
    }
}
