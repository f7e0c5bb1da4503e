//! The SQS engine against moto: batches, visibility, redelivery, dead letters, delays.

use integration_tests::{fresh_queue, sqs_client, unique_name};
use shared::queue::sqs::SqsQueue;
use shared::queue::{
    MessageQueue, OutgoingMessage, QueueError, QueueSettings, ReceivedMessage, send_all,
};
use std::collections::BTreeSet;
use std::time::Duration;

const POLL: Duration = Duration::from_secs(1);

fn settings(visibility_secs: u64) -> QueueSettings {
    QueueSettings {
        visibility_timeout: Duration::from_secs(visibility_secs),
        ..QueueSettings::default()
    }
}

/// Receives until `count` messages arrived or a poll comes back empty.
async fn receive_up_to(queue: &dyn MessageQueue, count: usize) -> Vec<ReceivedMessage> {
    let mut received = Vec::new();
    while received.len() < count {
        let batch = queue.receive(10, POLL).await.expect("receive");
        if batch.is_empty() {
            break;
        }
        received.extend(batch);
    }
    received
}

async fn receive_one(queue: &dyn MessageQueue) -> ReceivedMessage {
    let mut batch = queue.receive(1, POLL).await.expect("receive");
    assert_eq!(batch.len(), 1, "one message is visible");
    batch.remove(0)
}

async fn assert_empty(queue: &dyn MessageQueue) {
    let batch = queue.receive(10, Duration::ZERO).await.expect("receive");
    assert!(batch.is_empty(), "no message is visible: {batch:?}");
}

#[tokio::test]
async fn send_all_delivers_every_message_once() {
    let queue = fresh_queue(settings(30)).await.queue;
    let messages: Vec<_> = (0..25)
        .map(|i| OutgoingMessage::new(format!("m{i}"), format!("body-{i}")))
        .collect();
    send_all(&*queue, &messages).await.unwrap();

    let received = receive_up_to(&*queue, 25).await;
    let bodies: BTreeSet<String> = received.iter().map(|m| m.body.clone()).collect();
    let expected: BTreeSet<String> = (0..25).map(|i| format!("body-{i}")).collect();
    assert_eq!(received.len(), 25);
    assert_eq!(bodies, expected);
    assert!(received.iter().all(|m| m.receive_count == 1));
    let ids: BTreeSet<&str> = received.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids.len(), 25);

    for message in &received {
        queue.delete(&message.receipt_handle).await.unwrap();
    }
    assert_empty(&*queue).await;
}

#[tokio::test]
async fn an_undeleted_message_comes_back_after_the_visibility_timeout() {
    let queue = fresh_queue(settings(1)).await.queue;
    queue
        .send_batch(&[OutgoingMessage::new("a", "payload")])
        .await
        .unwrap();
    let first = receive_one(&*queue).await;
    assert_eq!(first.receive_count, 1);
    assert_empty(&*queue).await;

    tokio::time::sleep(Duration::from_millis(1200)).await;
    let second = receive_one(&*queue).await;
    assert_eq!(second.message_id, first.message_id);
    assert_eq!(second.body, "payload");
    assert_eq!(second.receive_count, 2);
    queue.delete(&second.receipt_handle).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_empty(&*queue).await;
}

#[tokio::test]
async fn a_message_received_too_often_moves_to_the_dead_letter_queue() {
    let fresh = fresh_queue(QueueSettings {
        visibility_timeout: Duration::from_secs(1),
        max_receive_count: Some(2),
        dead_letter_queue: Some("dlq".into()),
    })
    .await;
    let (queue, dead_letters) = (fresh.queue, fresh.dead_letters.unwrap());
    queue
        .send_batch(&[OutgoingMessage::new("a", "poison")])
        .await
        .unwrap();
    for expected_count in 1..=2 {
        let message = receive_one(&*queue).await;
        assert_eq!(message.receive_count, expected_count);
        tokio::time::sleep(Duration::from_millis(1200)).await;
    }
    // The third receive moves the message instead of delivering it.
    assert!(queue.receive(10, POLL).await.unwrap().is_empty());
    let dead = receive_one(&*dead_letters).await;
    assert_eq!(dead.body, "poison");
    dead_letters.delete(&dead.receipt_handle).await.unwrap();
}

#[tokio::test]
async fn a_delayed_message_stays_hidden_for_its_delay() {
    let queue = fresh_queue(settings(30)).await.queue;
    queue
        .send_batch(&[
            OutgoingMessage::new("now", "now"),
            OutgoingMessage::new("later", "later").delayed(Duration::from_secs(2)),
        ])
        .await
        .unwrap();
    let first = receive_up_to(&*queue, 2).await;
    let bodies: Vec<&str> = first.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, vec!["now"]);

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let later = receive_one(&*queue).await;
    assert_eq!(later.body, "later");
    assert_eq!(later.receive_count, 1);
}

#[tokio::test]
async fn change_visibility_releases_or_extends_a_message() {
    let queue = fresh_queue(settings(30)).await.queue;
    queue
        .send_batch(&[OutgoingMessage::new("a", "work")])
        .await
        .unwrap();
    let first = receive_one(&*queue).await;
    assert_empty(&*queue).await;

    // Released at once: visible again, received a second time.
    queue
        .change_visibility(&first.receipt_handle, Duration::ZERO)
        .await
        .unwrap();
    let second = receive_one(&*queue).await;
    assert_eq!(second.message_id, first.message_id);
    assert_eq!(second.receive_count, 2);

    // Shortened to one second: back after it, not before.
    queue
        .change_visibility(&second.receipt_handle, Duration::from_secs(1))
        .await
        .unwrap();
    assert_empty(&*queue).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let third = receive_one(&*queue).await;
    assert_eq!(third.receive_count, 3);

    let too_long = queue
        .change_visibility(&third.receipt_handle, Duration::from_secs(13 * 3600))
        .await;
    assert!(matches!(too_long, Err(QueueError::Validation(_))));
}

#[tokio::test]
async fn bad_requests_are_refused_up_front() {
    let queue = fresh_queue(settings(30)).await.queue;
    let eleven: Vec<_> = (0..11)
        .map(|i| OutgoingMessage::new(format!("m{i}"), "x"))
        .collect();
    assert!(matches!(
        queue.send_batch(&eleven).await,
        Err(QueueError::Validation(_))
    ));
    let late = [OutgoingMessage::new("a", "x").delayed(Duration::from_secs(901))];
    assert!(matches!(
        queue.send_batch(&late).await,
        Err(QueueError::Validation(_))
    ));
    let big = [
        OutgoingMessage::new("a", "x".repeat(600 * 1024)),
        OutgoingMessage::new("b", "x".repeat(600 * 1024)),
    ];
    assert!(matches!(
        queue.send_batch(&big).await,
        Err(QueueError::Validation(_))
    ));
    for max in [0, 11] {
        assert!(matches!(
            queue.receive(max, Duration::ZERO).await,
            Err(QueueError::Validation(_))
        ));
    }
    assert!(matches!(
        queue.receive(1, Duration::from_secs(21)).await,
        Err(QueueError::Validation(_))
    ));
    // SQS refuses an empty batch (EmptyBatchRequest); so does every engine.
    assert!(matches!(
        queue.send_batch(&[]).await,
        Err(QueueError::Validation(_))
    ));
    assert_empty(&*queue).await;
}

#[tokio::test]
async fn create_makes_a_missing_dead_letter_queue() {
    let client = sqs_client().await;
    let dead_letters = unique_name("missing-dlq");
    let settings = QueueSettings {
        visibility_timeout: Duration::from_secs(5),
        max_receive_count: Some(3),
        dead_letter_queue: Some(dead_letters.clone()),
    };
    SqsQueue::create(client.clone(), &unique_name("queue"), &settings)
        .await
        .unwrap();
    let found = client
        .get_queue_url()
        .queue_name(&dead_letters)
        .send()
        .await
        .unwrap();
    assert!(found.queue_url.unwrap().ends_with(&dead_letters));

    let half = QueueSettings {
        max_receive_count: Some(3),
        ..QueueSettings::default()
    };
    let refused = SqsQueue::create(client, &unique_name("queue"), &half).await;
    assert!(matches!(refused, Err(QueueError::Validation(_))));
}
