//! The SQS engine of the queue port (aws-sdk-sqs).

use super::{
    MAX_BATCH_MESSAGES, MAX_VISIBILITY, MessageQueue, OutgoingMessage, QueueError, QueueSettings,
    ReceivedMessage,
};
use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{
    Message, MessageSystemAttributeName, QueueAttributeName, SendMessageBatchRequestEntry,
};
use std::time::Duration;

/// SQS's longest long poll.
const MAX_WAIT: Duration = Duration::from_secs(20);

/// One SQS standard queue, by URL.
#[derive(Debug, Clone)]
pub struct SqsQueue {
    client: Client,
    queue_url: String,
}

impl SqsQueue {
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }

    pub fn queue_url(&self) -> &str {
        &self.queue_url
    }

    /// Creates the queue with `settings` (for tests and the local tooling; in AWS the SAM
    /// template does it). A dead-letter queue is looked up by name, or created when missing.
    pub async fn create(
        client: Client,
        name: &str,
        settings: &QueueSettings,
    ) -> Result<SqsQueue, QueueError> {
        let visibility = whole_seconds(settings.visibility_timeout);
        if settings.visibility_timeout > MAX_VISIBILITY {
            return Err(QueueError::Validation(format!(
                "a visibility timeout is at most {MAX_VISIBILITY:?}"
            )));
        }
        let mut request = client.create_queue().queue_name(name).attributes(
            QueueAttributeName::VisibilityTimeout,
            visibility.to_string(),
        );
        match (&settings.dead_letter_queue, settings.max_receive_count) {
            (Some(dead_letters), Some(max_receives)) if max_receives > 0 => {
                let arn = dead_letter_arn(&client, dead_letters).await?;
                let policy = serde_json::json!({
                    "deadLetterTargetArn": arn,
                    "maxReceiveCount": max_receives.to_string(),
                });
                request = request.attributes(QueueAttributeName::RedrivePolicy, policy.to_string());
            }
            (None, None) => {}
            _ => {
                return Err(QueueError::Validation(
                    "a dead-letter queue and a max receive count (> 0) go together".into(),
                ));
            }
        }
        let created = request.send().await.map_err(QueueError::engine)?;
        let url = created.queue_url.ok_or_else(|| missing("QueueUrl"))?;
        Ok(SqsQueue::new(client, url))
    }
}

/// The ARN of the named queue, created with default settings when it does not exist.
async fn dead_letter_arn(client: &Client, name: &str) -> Result<String, QueueError> {
    let url = match client.get_queue_url().queue_name(name).send().await {
        Ok(found) => found.queue_url,
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_queue_does_not_exist()) =>
        {
            let created = client.create_queue().queue_name(name).send().await;
            created.map_err(QueueError::engine)?.queue_url
        }
        Err(error) => return Err(QueueError::engine(error)),
    };
    let url = url.ok_or_else(|| missing("QueueUrl"))?;
    let attributes = client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(QueueError::engine)?;
    attributes
        .attributes
        .and_then(|mut all| all.remove(&QueueAttributeName::QueueArn))
        .ok_or_else(|| missing("QueueArn"))
}

fn missing(field: &str) -> QueueError {
    QueueError::engine(std::io::Error::other(format!(
        "SQS answered without {field}"
    )))
}

/// SQS counts in whole seconds; rounding up never makes a message visible early.
fn whole_seconds(duration: Duration) -> i32 {
    let seconds = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    i32::try_from(seconds).unwrap_or(i32::MAX)
}

fn received(message: Message) -> Result<ReceivedMessage, QueueError> {
    let receive_count = message
        .attributes
        .as_ref()
        .and_then(|attributes| attributes.get(&MessageSystemAttributeName::ApproximateReceiveCount))
        .and_then(|count| count.parse().ok())
        .ok_or_else(|| missing("ApproximateReceiveCount"))?;
    Ok(ReceivedMessage {
        message_id: message.message_id.ok_or_else(|| missing("MessageId"))?,
        receipt_handle: message
            .receipt_handle
            .ok_or_else(|| missing("ReceiptHandle"))?,
        body: message.body.unwrap_or_default(),
        receive_count,
    })
}

#[async_trait]
impl MessageQueue for SqsQueue {
    async fn send_batch(&self, messages: &[OutgoingMessage]) -> Result<Vec<String>, QueueError> {
        super::rules::batch(messages)?;
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let entries = messages
            .iter()
            .map(|message| {
                SendMessageBatchRequestEntry::builder()
                    .id(&message.entry_id)
                    .message_body(&message.body)
                    .delay_seconds(whole_seconds(message.delay))
                    .build()
                    .map_err(QueueError::engine)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let output = self
            .client
            .send_message_batch()
            .queue_url(&self.queue_url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(QueueError::engine)?;
        Ok(output
            .failed
            .into_iter()
            .map(|failure| failure.id)
            .collect())
    }

    async fn receive(&self, max: u32, wait: Duration) -> Result<Vec<ReceivedMessage>, QueueError> {
        if !(1..=MAX_BATCH_MESSAGES as u32).contains(&max) {
            return Err(QueueError::Validation(format!(
                "receive takes 1 to {MAX_BATCH_MESSAGES} messages, not {max}"
            )));
        }
        if wait > MAX_WAIT {
            return Err(QueueError::Validation(format!(
                "a receive waits at most {MAX_WAIT:?}"
            )));
        }
        let output = self
            .client
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(max as i32)
            .wait_time_seconds(whole_seconds(wait))
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(QueueError::engine)?;
        output
            .messages
            .unwrap_or_default()
            .into_iter()
            .map(received)
            .collect()
    }

    async fn delete(&self, receipt_handle: &str) -> Result<(), QueueError> {
        self.client
            .delete_message()
            .queue_url(&self.queue_url)
            .receipt_handle(receipt_handle)
            .send()
            .await
            .map_err(|error| match error.as_service_error() {
                Some(e) if e.is_receipt_handle_is_invalid() || e.is_invalid_id_format() => {
                    QueueError::Validation(format!("unknown receipt handle: {e}"))
                }
                _ => QueueError::engine(error),
            })?;
        Ok(())
    }

    async fn change_visibility(
        &self,
        receipt_handle: &str,
        timeout: Duration,
    ) -> Result<(), QueueError> {
        if timeout > MAX_VISIBILITY {
            return Err(QueueError::Validation(format!(
                "a visibility timeout is at most {MAX_VISIBILITY:?}"
            )));
        }
        self.client
            .change_message_visibility()
            .queue_url(&self.queue_url)
            .receipt_handle(receipt_handle)
            .visibility_timeout(whole_seconds(timeout))
            .send()
            .await
            .map_err(|error| match error.as_service_error() {
                Some(e) if e.is_receipt_handle_is_invalid() || e.is_message_not_inflight() => {
                    QueueError::Validation(format!("unknown or expired receipt handle: {e}"))
                }
                _ => QueueError::engine(error),
            })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_durations_up_to_seconds() {
        assert_eq!(whole_seconds(Duration::ZERO), 0);
        assert_eq!(whole_seconds(Duration::from_millis(1)), 1);
        assert_eq!(whole_seconds(Duration::from_secs(2)), 2);
        assert_eq!(whole_seconds(Duration::from_millis(2500)), 3);
    }
}
