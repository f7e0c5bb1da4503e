//! Test harness for the engines that talk to AWS: one local moto server per test binary, and
//! SDK clients, tables and queues pointed at it.

pub mod app;
pub mod binaries;
pub mod click_world;
pub mod counting;
pub mod faults;
pub mod link_world;
pub mod metering;
pub mod moto;
pub mod partner_seed;
pub mod receiver;
pub mod runtime_api;
pub mod serial_writes;
pub mod store_layer;
pub mod stripe_world;
pub mod tracking_world;
pub mod webhook_world;

use shared::queue::QueueSettings;
use shared::queue::sqs::SqsQueue;
use shared::store::dynamodb::{DynamoDbStore, create_table};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// SDK settings for moto, built as the functions build theirs: its endpoint, a fixed region
/// and dummy credentials.
pub async fn sdk_config() -> shared::aws::SdkConfig {
    shared::aws::sdk_config_from(|name| match name {
        "AWS_REGION" => Some("us-east-1".into()),
        "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY" => Some("testing".into()),
        "AWS_ENDPOINT_URL" => Some(moto::endpoint().to_owned()),
        _ => None,
    })
    .expect("moto's SDK settings")
}

// Clients are built per test: each #[tokio::test] has its own runtime, and a client's pooled
// connections belong to the runtime that opened them.
pub async fn dynamodb_client() -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&sdk_config().await)
}

pub async fn sqs_client() -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(&sdk_config().await)
}

/// A name no other table or queue of this moto server has.
pub fn unique_name(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let next = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{}-{next}", std::process::id())
}

/// A store on a new, empty table.
pub async fn fresh_store() -> Arc<DynamoDbStore> {
    let client = dynamodb_client().await;
    let table = unique_name("table");
    create_table(&client, &table)
        .await
        .expect("create a table on moto");
    Arc::new(DynamoDbStore::new(client, table))
}

/// A new queue and, when the settings name one, its new dead-letter queue.
pub struct FreshQueue {
    pub queue: Arc<SqsQueue>,
    pub dead_letters: Option<Arc<SqsQueue>>,
}

/// Creates uniquely named queues with `settings`; a dead-letter queue name in the settings is
/// made unique too, and that queue is created first.
pub async fn fresh_queue(mut settings: QueueSettings) -> FreshQueue {
    let client = sqs_client().await;
    let dead_letters = match &settings.dead_letter_queue {
        Some(base) => {
            let name = unique_name(base);
            let queue = SqsQueue::create(client.clone(), &name, &QueueSettings::default())
                .await
                .expect("create a dead-letter queue on moto");
            settings.dead_letter_queue = Some(name);
            Some(Arc::new(queue))
        }
        None => None,
    };
    let queue = SqsQueue::create(client, &unique_name("queue"), &settings)
        .await
        .expect("create a queue on moto");
    FreshQueue {
        queue: Arc::new(queue),
        dead_letters,
    }
}
