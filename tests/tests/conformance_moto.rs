//! The conformance suite against DynamoDB and SQS, through moto.

use async_trait::async_trait;
use integration_tests::{fresh_queue, fresh_store};
use shared::conformance::QueueFactory;
use shared::queue::{MessageQueue, QueueSettings};
use shared::store::ItemStore;
use std::sync::Arc;

/// Makes uniquely named SQS queues (and their dead-letter queues) on moto.
struct MotoQueues;

#[async_trait]
impl QueueFactory for MotoQueues {
    async fn create(&self, mut settings: QueueSettings) -> (Arc<dyn MessageQueue>, Option<Arc<dyn MessageQueue>>) {
        settings.dead_letter_queue = settings.max_receive_count.map(|_| "dlq".to_owned());
        let created = fresh_queue(settings).await;
        (
            created.queue as Arc<dyn MessageQueue>,
            created.dead_letters.map(|queue| queue as Arc<dyn MessageQueue>),
        )
    }
}

shared::store_conformance_tests!(async { fresh_store().await as Arc<dyn ItemStore> });
shared::queue_conformance_tests!(async { Arc::new(MotoQueues) as Arc<dyn QueueFactory> });
