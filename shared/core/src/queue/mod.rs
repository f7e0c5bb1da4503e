//! The queue port, shaped after SQS standard queues: at-least-once delivery, visibility timeout,
//! redelivery with a receive count, dead-lettering after a number of receives, per-message delay.

mod error;
mod rules;

pub mod embedded;
pub mod sqs;

pub use error::QueueError;

use async_trait::async_trait;
use std::time::Duration;

/// SQS's limit on messages in one `SendMessageBatch`.
pub const MAX_BATCH_MESSAGES: usize = 10;
/// SQS's limit on the total payload of one `SendMessageBatch` (and of one message).
pub const MAX_BATCH_BYTES: usize = 1024 * 1024;
/// SQS's limit on `DelaySeconds`.
pub const MAX_DELAY: Duration = Duration::from_secs(900);
/// SQS's limit on a visibility timeout.
pub const MAX_VISIBILITY: Duration = Duration::from_secs(12 * 60 * 60);

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// Unique within one batch call; reported back for entries that failed.
    pub entry_id: String,
    pub body: String,
    /// How long the message stays invisible after it is sent (at most [`MAX_DELAY`]).
    pub delay: Duration,
}

impl OutgoingMessage {
    pub fn new(entry_id: impl Into<String>, body: impl Into<String>) -> Self {
        Self {
            entry_id: entry_id.into(),
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// A message received from a queue. It stays invisible for the visibility timeout; delete it
/// once handled, or it is delivered again with a higher receive count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    pub message_id: String,
    pub receipt_handle: String,
    pub body: String,
    /// How many times this message has been received, this time included (1 the first time).
    pub receive_count: u32,
}

/// How a queue behaves. Used when creating queues for tests and the local stack; in AWS the
/// SAM template sets the same attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSettings {
    pub visibility_timeout: Duration,
    /// After this many receives, the next receive moves the message to the dead-letter queue.
    pub max_receive_count: Option<u32>,
    /// The name of the dead-letter queue, required with `max_receive_count`.
    pub dead_letter_queue: Option<String>,
}

impl Default for QueueSettings {
    fn default() -> Self {
        Self {
            visibility_timeout: Duration::from_secs(30),
            max_receive_count: None,
            dead_letter_queue: None,
        }
    }
}

/// One queue. Engines: `SqsQueue` (aws-sdk-sqs) and `EmbeddedQueue`.
///
/// `send_batch` takes at most [`MAX_BATCH_MESSAGES`] messages and [`MAX_BATCH_BYTES`] bytes and
/// returns the entry ids that were not accepted; use [`send_all`] to send any number.
#[async_trait]
pub trait MessageQueue: Send + Sync {
    async fn send_batch(&self, messages: &[OutgoingMessage]) -> Result<Vec<String>, QueueError>;
    /// Up to `max` (1..=10) visible messages, waiting up to `wait` (long polling, <= 20 s).
    async fn receive(&self, max: u32, wait: Duration) -> Result<Vec<ReceivedMessage>, QueueError>;
    async fn delete(&self, receipt_handle: &str) -> Result<(), QueueError>;
    /// Makes a received message visible again after `timeout` (0 = at once).
    async fn change_visibility(
        &self,
        receipt_handle: &str,
        timeout: Duration,
    ) -> Result<(), QueueError>;
}

/// Sends any number of messages in batches within SQS's limits, retrying failed entries a few
/// times. Errors when some message could not be sent; the caller keeps its source of truth
/// (e.g. the outbox) and tries again later.
pub async fn send_all(
    queue: &dyn MessageQueue,
    messages: &[OutgoingMessage],
) -> Result<(), QueueError> {
    for message in messages {
        if message.body.len() > MAX_BATCH_BYTES {
            return Err(QueueError::Validation(format!(
                "message {} is larger than {MAX_BATCH_BYTES} bytes",
                message.entry_id
            )));
        }
    }
    for chunk in chunks(messages) {
        let mut pending: Vec<OutgoingMessage> = chunk.to_vec();
        let mut attempt = 0;
        loop {
            let failed = queue.send_batch(&pending).await?;
            if failed.is_empty() {
                break;
            }
            attempt += 1;
            if attempt >= 5 {
                return Err(QueueError::PartialFailure(failed));
            }
            pending.retain(|message| failed.contains(&message.entry_id));
            tokio::time::sleep(Duration::from_millis(20 << attempt)).await;
        }
    }
    Ok(())
}

/// Splits messages into batches of at most 10 messages and 1 MiB.
pub fn chunks(messages: &[OutgoingMessage]) -> Vec<&[OutgoingMessage]> {
    let mut batches = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (index, message) in messages.iter().enumerate() {
        let size = message.body.len();
        if index > start && (index - start == MAX_BATCH_MESSAGES || bytes + size > MAX_BATCH_BYTES)
        {
            batches.push(&messages[start..index]);
            start = index;
            bytes = 0;
        }
        bytes += size;
    }
    if start < messages.len() {
        batches.push(&messages[start..]);
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(index: usize, size: usize) -> OutgoingMessage {
        OutgoingMessage::new(index.to_string(), "x".repeat(size))
    }

    #[test]
    fn chunks_by_count() {
        let messages: Vec<_> = (0..23).map(|i| message(i, 10)).collect();
        let sizes: Vec<usize> = chunks(&messages).iter().map(|c| c.len()).collect();
        assert_eq!(sizes, vec![10, 10, 3]);
    }

    #[test]
    fn chunks_by_bytes() {
        let messages: Vec<_> = (0..5).map(|i| message(i, 400 * 1024)).collect();
        let sizes: Vec<usize> = chunks(&messages).iter().map(|c| c.len()).collect();
        assert_eq!(sizes, vec![2, 2, 1]);
    }

    #[test]
    fn no_messages_no_chunks() {
        assert!(chunks(&[]).is_empty());
    }
}
