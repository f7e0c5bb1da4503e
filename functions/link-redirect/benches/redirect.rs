//! The redirect handler in process with a warm link cache: a counted click (a new visitor each
//! time: click id, cookie, click buffered), a repeat visitor, and a bot. Clicks go to a queue
//! that discards them, so only the redirect is measured. Before criterion runs, 200,000 single
//! counted visits are timed one by one and their p50/p99 printed.
//!
//! `cargo bench -p link-redirect --bench redirect`

use async_trait::async_trait;
use criterion::{Criterion, criterion_group, criterion_main};
use shared::clicks::AgentParser;
use shared::clicks::RedirectPorts;
use shared::clicks::RedirectSettings;
use shared::clicks::Redirector;
use shared::clicks::Visit;
use shared::links::repo;
use shared::model::{Link, LinkStats};
use shared::ports::{OsRandom, SequentialIds, SystemClock};
use shared::queue::{MessageQueue, OutgoingMessage, QueueError, ReceivedMessage};
use shared::store::ItemStore;
use shared::store::embedded::EmbeddedStore;
use shared::types::{LinkId, PartnerId, ProgramId, WebUrl};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct DiscardQueue;

#[async_trait]
impl MessageQueue for DiscardQueue {
    async fn send_batch(&self, _: &[OutgoingMessage]) -> Result<Vec<String>, QueueError> {
        Ok(Vec::new())
    }
    async fn receive(&self, _: u32, _: Duration) -> Result<Vec<ReceivedMessage>, QueueError> {
        Ok(Vec::new())
    }
    async fn delete(&self, _: &str) -> Result<(), QueueError> {
        Ok(())
    }
    async fn change_visibility(&self, _: &str, _: Duration) -> Result<(), QueueError> {
        Ok(())
    }
}

const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn redirector() -> Redirector {
    let store = Arc::new(EmbeddedStore::in_memory());
    let link = Link {
        id: LinkId::parse("link_01JDBENCH00000000000000000").unwrap(),
        program_id: ProgramId::parse("prog_bench").unwrap(),
        domain: "go.acme.com".into(),
        key: "jane20".into(),
        url: WebUrl::parse("https://acme.com/pricing?plan=pro").unwrap(),
        partner_id: Some(PartnerId::parse("pn_bench").unwrap()),
        tenant_id: None,
        expires_at: None,
        expired_url: None,
        disabled: false,
        geo: Default::default(),
        ios: None,
        android: None,
        details: Default::default(),
        stats: LinkStats::default(),
        created_at: time::OffsetDateTime::now_utc(),
        updated_at: None,
    };
    store
        .transact(repo::insert(&link).unwrap().to_vec())
        .await
        .unwrap();
    let redirector = Redirector::new(
        RedirectPorts {
            store,
            queue: Arc::new(DiscardQueue),
            clock: Arc::new(SystemClock),
            random: Arc::new(OsRandom),
            ids: Arc::new(SequentialIds::default()),
            signer: Arc::new(shared::testkit::click_signer()),
        },
        AgentParser::ready(),
        RedirectSettings {
            // Warm for the whole run.
            link_ttl: time::Duration::hours(1),
            program_ttl: time::Duration::hours(1),
            ..Default::default()
        },
    );
    let first = redirector.visit(&visit("192.0.2.1")).await;
    assert_eq!(first.status, 302);
    assert!(
        first.location.unwrap().contains("&dub_id=clk_"),
        "a counted click gets a click id"
    );
    redirector
}

fn visit(ip: &str) -> Visit<'_> {
    Visit {
        head: false,
        domain: "go.acme.com",
        path: "/jane20",
        query: Some("utm_source=newsletter"),
        user_agent: IPHONE,
        client_ip: ip,
        country: Some("DE"),
        referer: Some("https://mail.example.net/inbox"),
        cookies: None,
    }
}

#[allow(clippy::print_stdout)]
fn percentiles(runtime: &tokio::runtime::Runtime, redirector: &Redirector) {
    let mut times = Vec::with_capacity(200_000);
    runtime.block_on(async {
        for n in 0..200_000u32 {
            let ip = format!("10.{}.{}.{}", n >> 16, (n >> 8) & 255, n & 255);
            let started = Instant::now();
            let answer = redirector.visit(&visit(&ip)).await;
            times.push(started.elapsed());
            black_box(answer);
        }
    });
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "counted clicks, one by one (200,000): p50 {:?}, p99 {:?}, p99.9 {:?}",
        at(0.5),
        at(0.99),
        at(0.999)
    );
}

fn bench(c: &mut Criterion) {
    let runtime = runtime();
    let redirector = runtime.block_on(redirector());
    percentiles(&runtime, &redirector);
    let mut n = 0u32;
    c.bench_function("redirect: counted click, new visitor", |b| {
        b.to_async(&runtime).iter(|| {
            n = n.wrapping_add(1);
            let ip = format!("10.{}.{}.{}", n >> 16, (n >> 8) & 255, n & 255);
            let redirector = &redirector;
            async move { black_box(redirector.visit(&visit(&ip)).await) }
        })
    });
    c.bench_function("redirect: repeat visitor", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(redirector.visit(&visit("192.0.2.1")).await) })
    });
    c.bench_function("redirect: bot (HEAD)", |b| {
        b.to_async(&runtime).iter(|| async {
            let head = Visit {
                head: true,
                ..visit("192.0.2.2")
            };
            black_box(redirector.visit(&head).await)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
