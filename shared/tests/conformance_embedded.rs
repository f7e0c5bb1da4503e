//! The conformance suite against the embedded engines, in memory.

use shared::conformance::QueueFactory;
use shared::queue::embedded::EmbeddedQueues;
use shared::store::ItemStore;
use shared::store::embedded::EmbeddedStore;
use std::sync::Arc;

shared::store_conformance_tests!(async {
    Arc::new(EmbeddedStore::in_memory()) as Arc<dyn ItemStore>
});
shared::queue_conformance_tests!(async {
    Arc::new(EmbeddedQueues::in_memory()) as Arc<dyn QueueFactory>
});

#[tokio::test]
async fn store_mixed_type_ordering() {
    shared::conformance::store::store_mixed_type_ordering(Arc::new(EmbeddedStore::in_memory()))
        .await;
}
