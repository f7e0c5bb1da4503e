//! The webhook fan-out function: an SQS consumer of the events queue. Each event becomes one
//! delivery per subscribed, enabled endpoint of its program; failed events are reported
//! one by one (`ReportBatchItemFailures`) so only they are retried.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use shared::webhooks::WebhookServices;

pub async fn handle(services: &WebhookServices, event: SqsEvent) -> SqsBatchResponse {
    let (messages, mut response) = split(event);
    for failed in services.fan_out_batch(messages).await {
        response.add_failure(failed);
    }
    response
}

/// The messages' ids and bodies; a record without an id cannot be reported and is skipped,
/// one without a body is handled as an empty (malformed) message.
pub fn split(event: SqsEvent) -> (Vec<(String, String)>, SqsBatchResponse) {
    let messages = event
        .records
        .into_iter()
        .filter_map(|record| Some((record.message_id?, record.body.unwrap_or_default())))
        .collect();
    (messages, SqsBatchResponse::default())
}

#[cfg(test)]
mod sample_events;
