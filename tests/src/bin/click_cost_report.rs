//! The cost of a million clicks, from a run of real clicks through the real path on moto:
//! `cargo run -p integration-tests --bin click_cost_report [-- --clicks 30000 --window 300]`.
//!
//! Each click is a `GET` handled by a redirect instance (`Redirector`: the link read through
//! its cache from DynamoDB on moto, a signed click id, the click in its `ClickBuffer`, sent
//! to an SQS queue on moto when a batch is full or old, checked at each request as in Lambda,
//! and everything flushed at the end as on SHUTDOWN). Visitors are distinct (no repeat
//! clicks); the clock is simulated, so a run of 30,000 clicks takes minutes. The event source
//! mapping is simulated: every batching window, the queue is drained in invocations of up to
//! 100 messages, each handed to the click-aggregator's handler over DynamoDB on moto, and the
//! acknowledged messages deleted. SQS requests are counted per 64 KB chunk; DynamoDB units
//! are computed by DynamoDB's rules from the item sizes around each write (moto reports none
//! for transactions). The counters are then checked against the clicks sent.
//!
//! Options: `--clicks N` (30000: one full window at the default rate), `--links N` (200), `--partners N` (50), `--instances N`
//! (redirect instances, 2), `--rate N` (clicks per second, 100), `--window N` (batching window
//! in seconds, as in infra/template.yaml), `--batch-age S` (the redirect's buffer age,
//! `RedirectSettings::batch_max_age` by default), `--deleted-share F` (share of clicks on a
//! link deleted while the redirect still has it cached, 0.01), `--fold-min-clicks N` and
//! `--fold-max-delay S` (the aggregator's `FoldPolicy`, `FoldPolicy::DEPLOYED` by default;
//! what the run leaves journaled at its end is folded then, as the schedule would),
//! `--engine moto|embedded`
//! (moto by default; the embedded engines for the long-tail scenario, billed by the same
//! meters: `--links 5000 --partners 2000 --engine embedded`).

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use integration_tests::click_world::{self, link, link_clicks, partner_clicks};
use integration_tests::link_world::IPHONE;
use integration_tests::metering::{CountingQueue, MeteredStore};
use integration_tests::{dynamodb_client, fresh_queue, fresh_store};
use shared::clicks::AgentParser;
use shared::clicks::RedirectPorts;
use shared::clicks::RedirectSettings;
use shared::clicks::Redirector;
use shared::clicks::Visit;
use shared::clicks::{ClickAggregator, FoldOutcome, FoldPolicy};
use shared::layout;

use shared::ports::{ManualClock, Random, SeededRandom, SequentialIds};
use shared::queue::embedded::EmbeddedQueues;
use shared::queue::{MessageQueue, QueueSettings};
use shared::store::dynamodb::DynamoDbStore;
use shared::store::embedded::EmbeddedStore;
use shared::store::{Delete, ItemStore};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

// Prices: AWS's us-east-1 list prices of 2026 (on-demand DynamoDB, SQS standard, Lambda on arm64).
const LAMBDA_REQUEST: f64 = 0.20 / 1e6;
const LAMBDA_ARM_GB_SECOND: f64 = 0.000_013_333_4;
const SQS_REQUEST: f64 = 0.40 / 1e6;
const WRITE_UNIT: f64 = 0.625 / 1e6;
const READ_UNIT: f64 = 0.125 / 1e6;
/// The short-link front (infra/template.yaml, `ShortLinkDistribution`): CloudFront's list price
/// per 10,000 HTTPS requests in the United States and Europe ($0.0100; up to $0.0120
/// elsewhere), the first 10 million requests of a month free; and its viewer-request function,
/// $0.10 per million invocations, the first 2 million of a month free.
const CLOUDFRONT_HTTPS_REQUEST: f64 = 0.0100 / 10_000.0;
const CLOUDFRONT_FUNCTION: f64 = 0.10 / 1e6;
/// The target for what Partnerline itself costs per million clicks (the front is priced apart).
const TARGET: f64 = 0.30;

/// The redirect's billed time per click and memory: an assumption (its handler runs in tens
/// of microseconds with a warm cache, Lambda bills at least 1 ms), plus the time of a flush.
const REDIRECT_MEMORY_GB: f64 = 0.25;
const REDIRECT_BILLED_SECONDS_PER_CLICK: f64 = 0.001;
const REDIRECT_SECONDS_PER_FLUSH: f64 = 0.020;
const AGGREGATOR_MEMORY_GB: f64 = 0.25;
/// A DynamoDB request's latency from Lambda in the same region (an assumption: single-digit
/// milliseconds for small items, more for a transaction).
const DYNAMODB_ROUND_TRIP_SECONDS: f64 = 0.010;
/// The event source mapping's batch size.
const MAX_MESSAGES_PER_INVOCATION: usize = 100;
/// Lambda's payload limit for a synchronous invocation (the event source mapping's), and what
/// an SQS record adds to its body (ids, receipt handle, attributes).
const MAX_INVOCATION_BYTES: usize = 6 * 1024 * 1024;
const RECORD_OVERHEAD_BYTES: usize = 1_024;

struct Options {
    clicks: usize,
    links: usize,
    partners: usize,
    instances: usize,
    rate: f64,
    window: f64,
    batch_age: f64,
    deleted_share: f64,
    engine: Engine,
    fold: FoldPolicy,
}

/// Where the run's table and queue live. moto is the real AWS API (the SDK engines); the
/// embedded engines run the same code paths and are billed by the same meters, for scenarios
/// too large for moto (it copies its whole table for each transaction action).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Engine {
    Moto,
    Embedded,
}

impl Options {
    fn from_args() -> Self {
        let mut options = Options {
            clicks: 30_000,
            links: 200,
            partners: 50,
            instances: 2,
            rate: 100.0,
            window: 300.0,
            batch_age: RedirectSettings::default().batch_max_age.as_seconds_f64(),
            deleted_share: 0.01,
            engine: Engine::Moto,
            fold: FoldPolicy::DEPLOYED,
        };
        let args: Vec<String> = std::env::args().skip(1).collect();
        for pair in args.chunks(2) {
            let value = pair.get(1).map(String::as_str).unwrap_or("");
            let number = || -> f64 {
                value
                    .parse()
                    .unwrap_or_else(|_| panic!("{} takes a number", pair[0]))
            };
            match pair[0].as_str() {
                "--clicks" => options.clicks = number() as usize,
                "--links" => options.links = number() as usize,
                "--partners" => options.partners = number() as usize,
                "--instances" => options.instances = number() as usize,
                "--rate" => options.rate = number(),
                "--window" => options.window = number(),
                "--batch-age" => options.batch_age = number(),
                "--deleted-share" => options.deleted_share = number(),
                "--fold-min-clicks" => options.fold.min_clicks_per_counter = number() as u32,
                "--fold-max-delay" => {
                    options.fold.max_delay = time::Duration::seconds_f64(number())
                }
                "--engine" => {
                    options.engine = match value {
                        "moto" => Engine::Moto,
                        "embedded" => Engine::Embedded,
                        _ => panic!("--engine takes moto or embedded"),
                    }
                }
                other => panic!("unknown option {other}"),
            }
        }
        assert!(options.links > 0 && options.partners > 0 && options.instances > 0);
        options
    }
}

/// A uniform number in [0, 1).
fn uniform(random: &dyn Random) -> f64 {
    let mut bytes = [0u8; 8];
    random.fill(&mut bytes);
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

/// Link popularity follows Zipf's law (s = 1): a few links get most clicks.
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize) -> Self {
        let mut total = 0.0;
        let mut cumulative = Vec::with_capacity(n);
        for rank in 1..=n {
            total += 1.0 / rank as f64;
            cumulative.push(total);
        }
        for value in &mut cumulative {
            *value /= total;
        }
        Self { cumulative }
    }

    fn sample(&self, random: &dyn Random) -> usize {
        let u = uniform(random);
        self.cumulative
            .partition_point(|&c| c < u)
            .min(self.cumulative.len() - 1)
    }
}

struct Aggregation {
    invocations: u64,
    messages: u64,
    seconds: f64,
    /// The aggregator's DynamoDB requests, and the single-item updates among them.
    requests: u64,
    updates: u64,
}

impl Aggregation {
    /// Runs one invocation's work, adding its time and requests.
    async fn time<T>(
        &mut self,
        meter: &MeteredStore,
        work: impl std::future::Future<Output = T>,
    ) -> T {
        let counts = &meter.counts;
        let (probing, requests, updates) = (
            counts.probe_nanos.load(Ordering::Relaxed),
            counts.requests.load(Ordering::Relaxed),
            counts.updates.load(Ordering::Relaxed),
        );
        let started = Instant::now();
        let result = work.await;
        // The meter's own reads, summed over concurrent writes (a fold's), can exceed the
        // wall time: then nothing of the handler's own time is left to count.
        let probed = counts.probe_nanos.load(Ordering::Relaxed) - probing;
        self.seconds += (started.elapsed().as_secs_f64() - probed as f64 / 1e9).max(0.0);
        self.requests += counts.requests.load(Ordering::Relaxed) - requests;
        self.updates += counts.updates.load(Ordering::Relaxed) - updates;
        self.invocations += 1;
        result
    }
}

/// Drains the queue as the event source mapping would at the end of a batching window.
async fn drain(
    queue: &CountingQueue,
    aggregator: &ClickAggregator,
    meter: &MeteredStore,
    totals: &mut Aggregation,
) {
    loop {
        let mut received = Vec::new();
        let mut payload = 0;
        let mut full = false;
        while !full && received.len() < MAX_MESSAGES_PER_INVOCATION {
            let got = queue.receive(10, Duration::ZERO).await.expect("receive");
            if got.is_empty() {
                break;
            }
            for message in got {
                let size = message.body.len() + RECORD_OVERHEAD_BYTES;
                full |= payload + size > MAX_INVOCATION_BYTES;
                if full || received.len() == MAX_MESSAGES_PER_INVOCATION {
                    // Back to the queue for the next invocation, as the mapping would leave it.
                    queue
                        .change_visibility(&message.receipt_handle, Duration::ZERO)
                        .await
                        .expect("release");
                } else {
                    payload += size;
                    received.push(message);
                }
            }
        }
        if received.is_empty() {
            return;
        }
        let mut event = SqsEvent::default();
        event.records = received
            .iter()
            .map(|message| {
                let mut record = SqsMessage::default();
                record.message_id = Some(message.message_id.clone());
                record.receipt_handle = Some(message.receipt_handle.clone());
                record.body = Some(message.body.clone());
                record
            })
            .collect();
        let response = totals
            .time(meter, click_aggregator::handle(aggregator, event))
            .await;
        totals.messages += received.len() as u64;
        assert!(
            response.batch_item_failures.is_empty(),
            "the aggregator failed messages"
        );
        for message in &received {
            queue.delete(&message.receipt_handle).await.expect("delete");
        }
    }
}

#[allow(clippy::print_stdout)]
#[tokio::main]
async fn main() {
    let options = Options::from_args();
    let (store, probe, queue): (
        Arc<dyn ItemStore>,
        Arc<dyn ItemStore>,
        Arc<dyn MessageQueue>,
    ) = match options.engine {
        Engine::Moto => {
            let table = fresh_store().await;
            let probe = Arc::new(DynamoDbStore::new(
                dynamodb_client().await,
                table.table_name(),
            ));
            let queue = fresh_queue(QueueSettings {
                visibility_timeout: Duration::from_secs(180),
                ..QueueSettings::default()
            })
            .await
            .queue;
            (table, probe, queue)
        }
        Engine::Embedded => {
            // One table, read by the meter's probe as well (the probe is not metered).
            let table = Arc::new(EmbeddedStore::in_memory());
            let queues = EmbeddedQueues::in_memory();
            let queue = queues
                .create(
                    "clicks",
                    QueueSettings {
                        visibility_timeout: Duration::from_secs(180),
                        ..QueueSettings::default()
                    },
                )
                .expect("an embedded queue");
            (table.clone(), table, queue)
        }
    };
    // One more link than asked: deleted below, while the redirect keeps serving it from its
    // key claim (as an instance that cached it does for up to its TTL).
    click_world::seed(probe.as_ref(), options.partners, options.links + 1).await;
    probe
        .delete(Delete {
            key: layout::link(&click_world::link_id(options.links)),
            condition: None,
        })
        .await
        .expect("delete a link");
    let metered = Arc::new(MeteredStore::new(store, probe.clone()));
    let queue = Arc::new(CountingQueue::new(queue));

    let random = Arc::new(SeededRandom::new(2026));
    let zipf = Zipf::new(options.links);
    let start = time::OffsetDateTime::now_utc();
    let clock = Arc::new(ManualClock::new(start));
    let aggregator = ClickAggregator::new(metered.clone(), clock.clone()).with_policy(options.fold);
    // One id source for every instance: batch ids must not collide across instances.
    let ids = Arc::new(SequentialIds::default());
    let signer = Arc::new(shared::testkit::click_signer());
    let settings = RedirectSettings {
        batch_max_age: time::Duration::seconds_f64(options.batch_age),
        ..RedirectSettings::default()
    };
    let redirectors: Vec<Redirector> = (0..options.instances)
        .map(|_| {
            Redirector::new(
                RedirectPorts {
                    store: metered.clone(),
                    queue: queue.clone(),
                    clock: clock.clone(),
                    random: random.clone(),
                    ids: ids.clone(),
                    signer: signer.clone(),
                },
                AgentParser::ready(),
                settings.clone(),
            )
        })
        .collect();
    let links: Vec<shared::model::Link> = (0..=options.links)
        .map(|index| link(index, Some(index % options.partners)))
        .collect();
    let mut expected_links = vec![0i64; options.links];
    let mut aggregation = Aggregation {
        invocations: 0,
        messages: 0,
        seconds: 0.0,
        requests: 0,
        updates: 0,
    };
    let mut next_window = options.window;
    // Clicks an instance holds unsent (lost to the counters if it crashed then), sampled
    // after every request: the loss window, measured.
    let mut pending_sum = 0usize;
    let mut pending_max = 0usize;
    for serial in 0..options.clicks {
        let elapsed = serial as f64 / options.rate;
        clock.set(start + time::Duration::seconds_f64(elapsed));
        // A deleted link keeps its partner; its clicks count for the partner only.
        let deleted = uniform(random.as_ref()) < options.deleted_share;
        let index = if deleted {
            options.links
        } else {
            zipf.sample(random.as_ref())
        };
        if !deleted {
            expected_links[index] += 1;
        }
        let instance = (uniform(random.as_ref()) * options.instances as f64) as usize;
        // A distinct visitor per click: repeat visitors are not counted.
        let ip = format!(
            "10.{}.{}.{}",
            (serial >> 16) & 0xff,
            (serial >> 8) & 0xff,
            serial & 0xff
        );
        let path = format!("/{}", links[index].key);
        let response = redirectors[instance]
            .visit(&Visit {
                head: false,
                domain: &links[index].domain,
                path: &path,
                query: None,
                user_agent: IPHONE,
                client_ip: &ip,
                country: Some("DE"),
                referer: Some("https://news.example.com/article"),
                cookies: None,
            })
            .await;
        assert_eq!(response.status, 302, "click {serial} was redirected");
        for redirector in &redirectors {
            let pending = redirector.pending_clicks();
            pending_sum += pending;
            pending_max = pending_max.max(pending);
        }
        if elapsed >= next_window {
            drain(&queue, &aggregator, &metered, &mut aggregation).await;
            next_window += options.window;
        }
    }
    // SHUTDOWN: every instance flushes what it holds.
    for redirector in &redirectors {
        redirector.flush(true).await.expect("send");
        assert_eq!(redirector.pending_clicks(), 0);
    }
    let flushes = queue.counts.send_calls.load(Ordering::Relaxed);
    drain(&queue, &aggregator, &metered, &mut aggregation).await;
    // The scheduled fold: whatever is still journaled reaches the counters.
    let last = aggregation.time(&metered, aggregator.fold(true)).await;
    for outcome in last {
        let outcome = outcome.expect("the last fold");
        assert!(matches!(
            outcome,
            FoldOutcome::Folded { .. } | FoldOutcome::Empty
        ));
    }

    // Every click counted once.
    for (link, expected) in expected_links.iter().enumerate() {
        assert_eq!(
            link_clicks(probe.as_ref(), link).await,
            *expected,
            "link {link}"
        );
    }
    let mut partner_total = 0;
    for partner in 0..options.partners {
        partner_total += partner_clicks(probe.as_ref(), partner).await;
    }
    assert_eq!(partner_total as usize, options.clicks, "partner totals");

    let clicks = options.clicks as f64;
    let per_million = |dollars: f64| dollars / clicks * 1e6;
    let sqs = &queue.counts;
    let dynamo = &metered.counts;
    let sent_bytes = sqs.bytes_sent.load(Ordering::Relaxed) as f64;
    let messages = sqs.messages_sent.load(Ordering::Relaxed) as f64;

    let redirect_requests = clicks * LAMBDA_REQUEST;
    let redirect_compute = (clicks * REDIRECT_BILLED_SECONDS_PER_CLICK
        + flushes as f64 * REDIRECT_SECONDS_PER_FLUSH)
        * REDIRECT_MEMORY_GB
        * LAMBDA_ARM_GB_SECOND;
    let aggregator_requests = aggregation.invocations as f64 * LAMBDA_REQUEST;
    // Billed time: the handler's own time plus DynamoDB's round trips (a fold's counter
    // updates run 16 at a time, every other request one after the other).
    let updates = aggregation.updates as f64;
    let other_requests = (aggregation.requests - aggregation.updates) as f64;
    let aggregator_seconds =
        aggregation.seconds + (other_requests + updates / 16.0) * DYNAMODB_ROUND_TRIP_SECONDS;
    let aggregator_compute = aggregator_seconds * AGGREGATOR_MEMORY_GB * LAMBDA_ARM_GB_SECOND;
    let sqs_cost = sqs.billed() as f64 * SQS_REQUEST;
    let write_cost = dynamo.write_units() as f64 * WRITE_UNIT;
    // The aggregator only writes: every read is the redirect's (link and program cache misses).
    let read_cost = dynamo.read_units() * READ_UNIT;
    let total = redirect_requests
        + redirect_compute
        + aggregator_requests
        + aggregator_compute
        + sqs_cost
        + write_cost
        + read_cost;

    println!("# Click cost report");
    println!();
    println!(
        "{} clicks over {} links (Zipf) of {} partners, {:.0} clicks/s on {} redirect instances, \
         {}% on a deleted link; redirect buffer age {} s; batching window {} s, up to {} \
         messages per invocation; a fold when {} clicks per counter wait or after {} s; {}.",
        options.clicks,
        options.links,
        options.partners,
        options.rate,
        options.instances,
        options.deleted_share * 100.0,
        options.batch_age,
        options.window,
        MAX_MESSAGES_PER_INVOCATION,
        options.fold.min_clicks_per_counter,
        options.fold.max_delay.whole_seconds(),
        match options.engine {
            Engine::Moto => "DynamoDB and SQS on moto",
            Engine::Embedded => "the embedded engines",
        },
    );
    println!();
    println!("## Measured");
    println!();
    println!("| what | count | per click |");
    println!("| --- | --- | --- |");
    let row = |name: &str, count: f64| {
        println!("| {name} | {count:.0} | {:.5} |", count / clicks);
    };
    row("redirect invocations", clicks);
    row("click messages (batches)", messages);
    println!(
        "| clicks per message | {:.1} | average body {:.1} KB |",
        clicks / messages,
        sent_bytes / messages / 1024.0
    );
    row(
        "SQS SendMessageBatch calls",
        sqs.send_calls.load(Ordering::Relaxed) as f64,
    );
    row(
        "SQS ReceiveMessage calls (incl. empty)",
        sqs.receive_calls.load(Ordering::Relaxed) as f64,
    );
    row(
        "SQS DeleteMessage calls",
        sqs.delete_calls.load(Ordering::Relaxed) as f64,
    );
    row("SQS billed requests (64 KB chunks)", sqs.billed() as f64);
    println!(
        "| clicks held unsent by an instance (lost on a crash) | mean {:.0}, max {} | mean {:.1} s of its clicks |",
        pending_sum as f64 / (clicks * options.instances as f64),
        pending_max,
        pending_sum as f64
            / (clicks * options.instances as f64)
            / (options.rate / options.instances as f64),
    );
    row("aggregator invocations", aggregation.invocations as f64);
    row(
        "aggregator DynamoDB requests (of which counter updates)",
        aggregation.requests as f64,
    );
    row("… counter updates (folds)", aggregation.updates as f64);
    let folds = aggregator.fold_totals();
    println!(
        "| folds (journal to counters) | {} folds of {} tallies | a click waited {:.0} s on average, {} s at most |",
        folds.folds,
        folds.tallies,
        folds.click_wait_seconds as f64 / folds.clicks.max(1) as f64,
        folds.longest_wait_seconds,
    );
    row(
        "DynamoDB transactions (TransactWriteItems)",
        dynamo.transactions.load(Ordering::Relaxed) as f64,
    );
    row(
        "DynamoDB transaction actions",
        dynamo.transaction_actions.load(Ordering::Relaxed) as f64,
    );
    row(
        "canceled transactions (deleted link, retried without it)",
        dynamo.canceled_transactions.load(Ordering::Relaxed) as f64,
    );
    row(
        "DynamoDB write units, table (transactions x2)",
        dynamo.table_write_units.load(Ordering::Relaxed) as f64,
    );
    row(
        "DynamoDB write units, indexes",
        dynamo.index_write_units.load(Ordering::Relaxed) as f64,
    );
    for (kind, units) in dynamo.write_units_by_kind.lock().unwrap().iter() {
        row(&format!("… of which `{kind}#` items"), *units as f64);
    }
    row(
        "DynamoDB read units (redirect cache misses, the folds' reads)",
        dynamo.read_units(),
    );
    println!();
    println!("## Dollars per million clicks");
    println!();
    println!("| item | $ per million clicks |");
    println!("| --- | --- |");
    let cost = |name: &str, dollars: f64| println!("| {name} | {:.4} |", per_million(dollars));
    cost("redirect: Lambda requests", redirect_requests);
    cost(
        "redirect: Lambda compute (assumed 1 ms per click + 20 ms per flush at 256 MB)",
        redirect_compute,
    );
    cost("aggregator: Lambda requests", aggregator_requests);
    cost(
        "aggregator: Lambda compute (handler time + 10 ms per DynamoDB round trip)",
        aggregator_compute,
    );
    cost("SQS requests", sqs_cost);
    cost("DynamoDB writes", write_cost);
    cost("DynamoDB reads", read_cost);
    println!("| **total, Partnerline** | **{:.4}** |", per_million(total));
    let front_requests = clicks * CLOUDFRONT_HTTPS_REQUEST;
    let front_function = clicks * CLOUDFRONT_FUNCTION;
    cost(
        "short-link front: CloudFront HTTPS requests ($0.0100 per 10,000; 10 million a month free)",
        front_requests,
    );
    cost(
        "short-link front: its viewer-request function ($0.10 per million; 2 million a month free)",
        front_function,
    );
    println!(
        "| **total with the short-link front, past its free tier** | **{:.4}** |",
        per_million(total + front_requests + front_function)
    );
    println!();
    println!(
        "Target: Partnerline under ${TARGET:.2} per million: {}. The naive design (API Gateway + \
         Lambda + GetItem + PutItem per click) costs $1.91 (HTTP API) to $4.41 (REST API) before \
         any custom domain; a per-click item alone would add $0.625. Not per click, so not above: \
         Lambda's idle SQS polling (about $0.26 a month) and storage. The short-link front is \
         what a custom domain costs on AWS whatever serves the clicks behind it (an API Gateway \
         custom domain: $1.00 per million with no free tier after the first year); its free tier \
         covers a program's first 10 million clicks a month.",
        if per_million(total) < TARGET {
            "met"
        } else {
            "NOT met"
        }
    );
}
