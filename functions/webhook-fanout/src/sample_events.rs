//! The sample SQS batch in `events/webhook-fanout/` (two events and one poisoned message):
//! only the poisoned message is reported as failed, so only it is retried (then dead-lettered).

use shared::ports::{SeededRandom, SystemClock};
use shared::queue::QueueSettings;
use shared::queue::embedded::EmbeddedQueues;
use shared::store::embedded::EmbeddedStore;
use shared::testkit::SampleEvents;
use shared::webhooks::{AddressPolicy, WebhookServices};
use std::sync::Arc;

#[tokio::test]
async fn only_the_poisoned_message_fails() {
    let store = Arc::new(EmbeddedStore::in_memory());
    let services = WebhookServices::new(
        store.clone(),
        EmbeddedQueues::in_memory()
            .create("deliveries", QueueSettings::default())
            .unwrap(),
        Arc::new(SystemClock),
        Arc::new(SeededRandom::new(1)),
        AddressPolicy::default(),
    )
    .unwrap();
    let events = SampleEvents::of("webhook-fanout");
    events.assert_all_named(&["events-batch.json"]);
    let event = serde_json::from_value(events.json("events-batch.json")).unwrap();
    let response = crate::handle(&services, event).await;
    let failed: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, vec!["events-msg-2"]);
}
