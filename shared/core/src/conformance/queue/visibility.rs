//! The life of one message: visibility timeout, redelivery, deletion, dead-lettering, delay.

use super::settings;
use crate::conformance::QueueFactory;
use crate::conformance::support::receive_count;
use crate::queue::{MessageQueue, OutgoingMessage, QueueError, QueueSettings, ReceivedMessage};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

async fn send_one(queue: &dyn MessageQueue, body: &str) {
    queue
        .send_batch(&[OutgoingMessage::new("only", body)])
        .await
        .unwrap();
}

/// Receives exactly one message within `timeout`.
async fn receive_one(queue: &dyn MessageQueue, timeout: Duration) -> ReceivedMessage {
    let mut received = receive_count(queue, 1, timeout).await;
    assert_eq!(received.len(), 1, "exactly one message: {received:?}");
    received.remove(0)
}

async fn assert_empty(queue: &dyn MessageQueue, wait: Duration, why: &str) {
    let received = queue.receive(10, wait).await.unwrap();
    assert!(received.is_empty(), "{why}: {received:?}");
}

/// A received, undeleted message stays hidden for the visibility timeout, then comes back
/// with receive count 2, the same id and body, and a new receipt handle.
pub async fn queue_redelivery_after_visibility_timeout(factory: Arc<dyn QueueFactory>) {
    let (queue, _) = factory.create(settings(2)).await;
    send_one(&*queue, "redeliver me").await;
    let first = receive_one(&*queue, Duration::from_secs(5)).await;
    let hidden_since = Instant::now();
    assert_eq!(first.receive_count, 1);
    assert_eq!(first.body, "redeliver me");
    assert_empty(&*queue, Duration::from_secs(1), "hidden while in flight").await;

    let second = receive_one(&*queue, Duration::from_secs(6)).await;
    assert!(
        hidden_since.elapsed() >= Duration::from_millis(1500),
        "came back after {:?}, before the visibility timeout",
        hidden_since.elapsed()
    );
    assert_eq!(second.receive_count, 2);
    assert_eq!(second.message_id, first.message_id);
    assert_eq!(second.body, first.body);
    assert_ne!(second.receipt_handle, first.receipt_handle);
    queue.delete(&second.receipt_handle).await.unwrap();
}

/// `change_visibility(0)` makes a message visible at once; a longer one hides it again.
pub async fn queue_change_visibility(factory: Arc<dyn QueueFactory>) {
    let (queue, _) = factory.create(settings(30)).await;
    send_one(&*queue, "look again").await;
    let first = receive_one(&*queue, Duration::from_secs(5)).await;
    queue
        .change_visibility(&first.receipt_handle, Duration::ZERO)
        .await
        .unwrap();
    let started = Instant::now();
    let second = receive_one(&*queue, Duration::from_secs(5)).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "visible at once"
    );
    assert_eq!(second.message_id, first.message_id);
    assert_eq!(second.receive_count, 2);

    queue
        .change_visibility(&second.receipt_handle, Duration::from_secs(30))
        .await
        .unwrap();
    assert_empty(&*queue, Duration::from_secs(1), "hidden again").await;
    queue.delete(&second.receipt_handle).await.unwrap();
}

/// A deleted message never comes back, even after its visibility timeout; a made-up receipt
/// handle is refused.
pub async fn queue_delete(factory: Arc<dyn QueueFactory>) {
    let (queue, _) = factory.create(settings(1)).await;
    send_one(&*queue, "delete me").await;
    let message = receive_one(&*queue, Duration::from_secs(5)).await;
    queue.delete(&message.receipt_handle).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_empty(&*queue, Duration::from_secs(1), "deleted for good").await;

    let invalid = queue.delete("not-a-receipt-handle").await;
    assert!(
        matches!(invalid, Err(QueueError::Validation(_))),
        "made-up handle: {invalid:?}"
    );
}

/// With max_receive_count 2, the third receive moves the message to the dead-letter queue.
pub async fn queue_dead_letter(factory: Arc<dyn QueueFactory>) {
    let (queue, dead_letters) = factory
        .create(QueueSettings {
            max_receive_count: Some(2),
            ..settings(1)
        })
        .await;
    let dead_letters = dead_letters.expect("the factory makes a dead-letter queue");
    send_one(&*queue, "poison").await;
    let first = receive_one(&*queue, Duration::from_secs(5)).await;
    assert_eq!(first.receive_count, 1);
    let second = receive_one(&*queue, Duration::from_secs(5)).await;
    assert_eq!(second.receive_count, 2);

    // Past the visibility timeout, the next receive dead-letters instead of delivering.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_empty(&*queue, Duration::from_secs(2), "no third delivery").await;
    let dead = receive_one(&*dead_letters, Duration::from_secs(10)).await;
    assert_eq!(dead.body, "poison");
    assert_eq!(dead.message_id, first.message_id);
    dead_letters.delete(&dead.receipt_handle).await.unwrap();
    assert_empty(&*queue, Duration::from_secs(2), "gone from the source").await;
}

/// A delayed message is hidden until its delay ends.
pub async fn queue_delay(factory: Arc<dyn QueueFactory>) {
    let (queue, _) = factory.create(settings(30)).await;
    let sent = Instant::now();
    queue
        .send_batch(&[OutgoingMessage::new("later", "delayed").delayed(Duration::from_secs(2))])
        .await
        .unwrap();
    assert_empty(&*queue, Duration::from_secs(1), "hidden during the delay").await;
    let message = receive_one(&*queue, Duration::from_secs(6)).await;
    assert!(
        sent.elapsed() >= Duration::from_millis(1500),
        "delivered after {:?}",
        sent.elapsed()
    );
    assert_eq!(message.body, "delayed");
    assert_eq!(message.receive_count, 1);
    queue.delete(&message.receipt_handle).await.unwrap();
}
