//! The sample SQS batch in `events/webhook-delivery/` (two attempts of unknown deliveries, one
//! due later, and one poisoned message): only the poisoned message is reported as failed.

use shared::ports::{SeededRandom, SequentialIds, SystemClock};
use shared::queue::QueueSettings;
use shared::queue::embedded::EmbeddedQueues;
use shared::store::embedded::EmbeddedStore;
use shared::webhooks::{AddressPolicy, HttpSender, WebhookServices};
use std::sync::Arc;

#[tokio::test]
async fn only_the_poisoned_message_fails() {
    let queues = EmbeddedQueues::in_memory();
    let services = WebhookServices {
        store: Arc::new(EmbeddedStore::in_memory()),
        deliveries: queues
            .create("deliveries", QueueSettings::default())
            .unwrap(),
        sender: Arc::new(HttpSender::new(AddressPolicy::default()).unwrap()),
        clock: Arc::new(SystemClock),
        ids: Arc::new(SequentialIds::default()),
        random: Arc::new(SeededRandom::new(1)),
        concurrency: 4,
        policy: AddressPolicy::default(),
    };
    let path = format!(
        "{}/../../events/webhook-delivery/deliveries-batch.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let event = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let response = webhook_delivery::handle(&Arc::new(services), event).await;
    let failed: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, vec!["webhook-deliveries-msg-2"]);
}
