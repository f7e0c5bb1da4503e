//! Deliveries per second from the delivery handler to a loopback receiver that verifies every
//! signature (Standard Webhooks and Dub-Signature), over the in-memory embedded engines.
//! Each iteration delivers a batch of 1,000 deliveries: claim, sign, POST, record.
//! Run: `cargo bench -p integration-tests --bench webhook_delivery`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use shared::model::WebhookEndpoint;
use shared::ports::{OsRandom, SystemClock};
use shared::queue::embedded::EmbeddedQueues;
use shared::queue::{MessageQueue, QueueSettings};
use shared::store::ItemStore;
use shared::store::embedded::EmbeddedStore;
use shared::types::{EventId, ProgramId, WebUrl, WebhookId};
use shared::webhooks::{AddressPolicy, DeliveryMessage, WebhookServices, records, signing};
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

const BATCH: usize = 1_000;

/// A receiver that answers 204 to correctly signed requests and 401 otherwise.
async fn verifying_receiver(secret: String, refused: Arc<AtomicU64>) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let secret = Arc::new(secret);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let (secret, refused) = (secret.clone(), refused.clone());
            tokio::spawn(async move {
                let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let (secret, refused) = (secret.clone(), refused.clone());
                    async move {
                        let (parts, body) = request.into_parts();
                        let body = body
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        let header = |name: &str| {
                            parts
                                .headers
                                .get(name)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or_default()
                        };
                        let now = time::OffsetDateTime::now_utc().unix_timestamp();
                        let valid = signing::verify(
                            &secret,
                            header("webhook-id"),
                            header("webhook-timestamp"),
                            header("webhook-signature"),
                            &body,
                            now,
                        )
                        .is_ok()
                            && signing::verify_dub(&secret, header("dub-signature"), &body).is_ok();
                        let mut response = hyper::Response::new(Full::new(bytes::Bytes::new()));
                        *response.status_mut() = if valid {
                            http::StatusCode::NO_CONTENT
                        } else {
                            refused.fetch_add(1, Ordering::Relaxed);
                            http::StatusCode::UNAUTHORIZED
                        };
                        Ok::<_, Infallible>(response)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    address
}

struct Bench {
    services: Arc<WebhookServices>,
    endpoint: WebhookEndpoint,
    refused: Arc<AtomicU64>,
}

async fn setup() -> Bench {
    let store: Arc<dyn ItemStore> = Arc::new(EmbeddedStore::in_memory());
    let queue: Arc<dyn MessageQueue> = EmbeddedQueues::in_memory()
        .create("deliveries", QueueSettings::default())
        .unwrap();
    let policy = AddressPolicy {
        allow_loopback_http: true,
    };
    let clock = Arc::new(SystemClock);
    let random = Arc::new(OsRandom);
    let secret = signing::generate_secret(random.as_ref());
    let refused = Arc::new(AtomicU64::new(0));
    let address = verifying_receiver(secret.clone(), refused.clone()).await;
    let endpoint = WebhookEndpoint {
        id: WebhookId::parse("wh_bench").unwrap(),
        program_id: ProgramId::parse("prog_bench").unwrap(),
        url: WebUrl::parse(&format!("http://{address}/hook")).unwrap(),
        events: vec!["sale.created".into()],
        enabled: true,
        secret,
        previous_secret: None,
        previous_secret_expires_at: None,
        consecutive_failures: 0,
        created_at: time::OffsetDateTime::now_utc(),
    };
    store
        .put(records::endpoint_put(&endpoint, None).unwrap())
        .await
        .unwrap();
    let services = WebhookServices {
        concurrency: 64,
        ..WebhookServices::new(store, queue, clock, random, policy).unwrap()
    };
    Bench {
        services: Arc::new(services),
        endpoint,
        refused,
    }
}

/// Stores `BATCH` new deliveries and returns their first-attempt messages.
async fn prepare(bench: &Bench) -> Vec<(String, String)> {
    let body = serde_json::json!({"event": "sale.created", "data": {"amount": 4900, "currency": "usd", "customer": {"externalId": "user_123"}}}).to_string();
    let mut messages = Vec::with_capacity(BATCH);
    for index in 0..BATCH {
        let event = EventId::generate(bench.services.ids.as_ref());
        let delivery =
            bench
                .services
                .new_delivery(&event, "sale.created", &bench.endpoint, body.clone());
        bench.services.create_delivery(&delivery).await.unwrap();
        let message = serde_json::to_string(&DeliveryMessage::first(delivery.id)).unwrap();
        messages.push((index.to_string(), message));
    }
    messages
}

fn deliveries(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let bench = runtime.block_on(setup());
    let mut group = c.benchmark_group("webhook_delivery");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("deliver_batch_to_verifying_loopback_receiver", |b| {
        b.to_async(&runtime).iter_custom(|iters| {
            let bench = &bench;
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let messages = prepare(bench).await;
                    let started = Instant::now();
                    let failed = bench.services.deliver_batch(messages).await;
                    total += started.elapsed();
                    assert!(failed.is_empty(), "{} deliveries failed", failed.len());
                }
                total
            }
        });
    });
    group.finish();
    assert_eq!(
        bench.refused.load(Ordering::Relaxed),
        0,
        "the receiver refused signatures"
    );
}

criterion_group!(benches, deliveries);
criterion_main!(benches);
