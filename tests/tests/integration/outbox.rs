//! The outbox on both engines: an event committed with its change is delivered even when the
//! process dies before relaying it, or when the queue fails during the relay.

use async_trait::async_trait;
use integration_tests::app::TestApp;
use integration_tests::engine_tests;
use shared::model::Actor;
use shared::model::EventName;
use shared::outbox::{self, OutboxRelay};
use shared::queue::{MessageQueue, OutgoingMessage, QueueError, ReceivedMessage};
use shared::store::{Key, Put, TxOp, s};
use shared::types::ProgramId;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Commits a business record and its event in one transaction, as every use case does.
async fn commit_change_with_event(app: &TestApp, name: &str) -> String {
    let program = ProgramId::parse("prog_outbox").unwrap();
    let event = outbox::new_event(
        app.ctx.ids.as_ref(),
        app.ctx.clock.as_ref(),
        &program,
        EventName::ProgramUpdated,
        Actor::System,
        serde_json::json!({"n": name}),
    );
    let mut record = Key::new("TEST#record", name).to_item();
    record.insert("value".into(), s("changed"));
    app.store
        .transact(vec![
            TxOp::Put(Put {
                item: record,
                condition: None,
            }),
            outbox::record(&event).unwrap(),
        ])
        .await
        .unwrap();
    event.id.to_string()
}

/// Everything the queue holds now, deleting as it reads; stops after a quiet receive.
async fn take_all(queue: &dyn MessageQueue) -> Vec<serde_json::Value> {
    let mut bodies = Vec::new();
    loop {
        let batch = queue.receive(10, Duration::from_millis(300)).await.unwrap();
        if batch.is_empty() {
            return bodies;
        }
        for message in batch {
            queue.delete(&message.receipt_handle).await.unwrap();
            bodies.push(serde_json::from_str(&message.body).unwrap());
        }
    }
}

/// A queue that refuses every send while `down` is set.
struct FlakyQueue {
    inner: Arc<dyn MessageQueue>,
    down: AtomicBool,
}

#[async_trait]
impl MessageQueue for FlakyQueue {
    async fn send_batch(&self, messages: &[OutgoingMessage]) -> Result<Vec<String>, QueueError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(QueueError::Validation("queue unavailable (test)".into()));
        }
        self.inner.send_batch(messages).await
    }
    async fn receive(&self, max: u32, wait: Duration) -> Result<Vec<ReceivedMessage>, QueueError> {
        self.inner.receive(max, wait).await
    }
    async fn delete(&self, receipt_handle: &str) -> Result<(), QueueError> {
        self.inner.delete(receipt_handle).await
    }
    async fn change_visibility(
        &self,
        receipt_handle: &str,
        timeout: Duration,
    ) -> Result<(), QueueError> {
        self.inner.change_visibility(receipt_handle, timeout).await
    }
}

engine_tests!(
    an_event_survives_a_crash_between_commit_and_enqueue,
    a_queue_failure_keeps_events_for_the_next_run
);

async fn an_event_survives_a_crash_between_commit_and_enqueue(app: TestApp) {
    // The process that committed dies here: nothing was relayed.
    let id = commit_change_with_event(&app, "thing.changed").await;
    // A new process starts with a new relay.
    let relay = OutboxRelay::new(app.store.clone(), app.events.clone());
    assert_eq!(relay.drain().await.unwrap().relayed, 1);
    let delivered = take_all(app.events.as_ref()).await;
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0]["id"], id.as_str());
    assert_eq!(delivered[0]["event"], "program.updated");
    assert_eq!(
        delivered[0]["data"],
        serde_json::json!({"n": "thing.changed"})
    );
    // Relayed events leave the outbox but stay in the audit trail.
    assert_eq!(relay.drain().await.unwrap().relayed, 0);
    let audit = app
        .store
        .query(
            shared::store::Query::table(shared::layout::events_pk(
                &ProgramId::parse("prog_outbox").unwrap(),
            ))
            .consistent(),
        )
        .await
        .unwrap();
    assert_eq!(audit.items.len(), 1);
}

async fn a_queue_failure_keeps_events_for_the_next_run(app: TestApp) {
    let flaky = Arc::new(FlakyQueue {
        inner: app.events.clone(),
        down: AtomicBool::new(true),
    });
    let relay = OutboxRelay::new(app.store.clone(), flaky.clone());
    let mut ids: Vec<String> = Vec::new();
    for n in 0..15 {
        ids.push(commit_change_with_event(&app, &format!("thing.{n}")).await);
    }
    assert!(relay.drain().await.is_err());
    flaky.down.store(false, Ordering::SeqCst);
    assert_eq!(relay.drain().await.unwrap().relayed, 15);
    let mut delivered: Vec<String> = take_all(app.events.as_ref())
        .await
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    delivered.sort();
    ids.sort();
    assert_eq!(delivered, ids, "every event exactly once");
}
