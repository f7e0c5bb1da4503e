//! Size and start-up report of every deployable function:
//! `cargo run --release -p integration-tests --bin cold_start_report` after
//! `cargo build --release --bins --workspace --exclude local-stack`.
//!
//! For each release binary: the zipped `bootstrap` size (deflate, as Lambda packages it), the
//! init time from process start to its first `invocation/next` request under a local Runtime
//! API (median of 20 starts), and the latency of its first invocation. DynamoDB and SQS are on
//! moto, which the report starts itself.
//!
//! Arguments name the functions to report (all by default); `PARTNERLINE_BIN_DIR` points at
//! another build's binaries (`tests/bench/opt_levels.sh` uses both).

use integration_tests::binaries::{binary, sample_event, start};
use integration_tests::runtime_api::RuntimeApi;
use integration_tests::{fresh_queue, fresh_store};
use shared::queue::QueueSettings;
use std::time::{Duration, Instant};

const STARTS: usize = 20;

/// A function, the sample event of its first invocation and its settings.
struct Subject {
    name: &'static str,
    event: (&'static str, &'static str),
}

const SUBJECTS: &[Subject] = &[
    Subject {
        name: "program-admin",
        event: ("program-admin", "get-program.json"),
    },
    Subject {
        name: "partner-applications",
        event: ("partner-applications", "application-status.json"),
    },
    Subject {
        name: "partner-admin",
        event: ("partner-admin", "list-partners.json"),
    },
    Subject {
        name: "analytics",
        event: ("analytics", "retrieve-analytics.json"),
    },
    Subject {
        name: "partner-portal",
        event: ("partner-portal", "dashboard.json"),
    },
    Subject {
        name: "webhook-admin",
        event: ("webhook-admin", "list-deliveries.json"),
    },
    Subject {
        name: "webhook-fanout",
        event: ("webhook-fanout", "events-batch.json"),
    },
    Subject {
        name: "webhook-delivery",
        event: ("webhook-delivery", "deliveries-batch.json"),
    },
    Subject {
        name: "click-aggregator",
        event: ("click-aggregator", "clicks-batch.json"),
    },
    Subject {
        name: "outbox-relay",
        event: ("outbox-relay", "schedule.json"),
    },
    Subject {
        name: "conversion-tracking",
        event: ("conversion-tracking", "track-sale.json"),
    },
    Subject {
        name: "commission-admin",
        event: ("commission-admin", "list-commissions.json"),
    },
    Subject {
        name: "commission-maturation",
        event: ("commission-maturation", "schedule.json"),
    },
    Subject {
        name: "link-admin",
        event: ("link-admin", "link-info.json"),
    },
    Subject {
        name: "link-redirect",
        event: ("link-redirect", "click.json"),
    },
];

fn zipped_size(path: &std::path::Path) -> u64 {
    let script = "import sys, zipfile, io\nbuf = io.BytesIO()\nwith zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:\n    z.write(sys.argv[1], 'bootstrap')\nprint(len(buf.getvalue()))";
    let output = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("python3 zips the binary");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("a size")
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

#[allow(clippy::print_stdout)]
#[tokio::main]
async fn main() {
    let store = fresh_store().await;
    let queue = fresh_queue(QueueSettings::default()).await.queue;
    let env = vec![
        ("TABLE_NAME", store.table_name().to_owned()),
        ("EVENTS_QUEUE_URL", queue.queue_url().to_owned()),
        ("DELIVERIES_QUEUE_URL", queue.queue_url().to_owned()),
        ("CLICK_QUEUE_URL", queue.queue_url().to_owned()),
        (
            "CLICK_ID_SECRET",
            "a-report-click-secret-of-at-least-32-bytes".to_owned(),
        ),
        ("ADMIN_JWT_ISSUER", "https://idp.example.com".to_owned()),
        ("ADMIN_JWT_AUDIENCE", "partnerline-api".to_owned()),
        (
            "ADMIN_JWT_HS256_SECRET",
            "a-report-secret-of-at-least-32-bytes!!".to_owned(),
        ),
        (
            "PORTAL_LINK_SECRET",
            "a-report-portal-secret-of-32-bytes-or-more".to_owned(),
        ),
        (
            "PORTAL_BASE_URL",
            "https://partners.example.com/portal".to_owned(),
        ),
    ];
    println!("| function | binary | zipped | init (median of {STARTS}) | first invocation |");
    println!("| --- | --- | --- | --- | --- |");
    let only: Vec<String> = std::env::args().skip(1).collect();
    if let Some(unknown) = only
        .iter()
        .find(|name| !SUBJECTS.iter().any(|subject| subject.name == name.as_str()))
    {
        panic!("{unknown} is not a function of this report");
    }
    for subject in SUBJECTS
        .iter()
        .filter(|subject| only.is_empty() || only.iter().any(|name| name == subject.name))
    {
        let path = binary(subject.name);
        let size = std::fs::metadata(&path).expect("binary").len();
        let zipped = zipped_size(&path);
        let mut inits = Vec::with_capacity(STARTS);
        let mut first_invocation = Duration::ZERO;
        for run in 0..STARTS {
            let runtime = RuntimeApi::start().await;
            let started = Instant::now();
            let _process = start(subject.name, &runtime, &env);
            while runtime.first_poll().is_none() {
                tokio::time::sleep(Duration::from_micros(200)).await;
            }
            inits.push(runtime.first_poll().expect("polled") - started);
            if run == 0 {
                let event = sample_event(subject.event.0, subject.event.1);
                let invoked = Instant::now();
                runtime.invoke(&event, Duration::from_secs(30)).await;
                first_invocation = invoked.elapsed();
            }
        }
        println!(
            "| {} | {:.1} MB | {:.2} MB | {:.1} ms | {:.1} ms |",
            subject.name,
            size as f64 / 1e6,
            zipped as f64 / 1e6,
            median(inits).as_secs_f64() * 1e3,
            first_invocation.as_secs_f64() * 1e3,
        );
    }
}
