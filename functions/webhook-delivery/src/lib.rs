//! The webhook delivery function: an SQS consumer of the deliveries queue. Each message is one
//! attempt of one delivery; attempts run concurrently (bounded) and every attempt finishes
//! before the handler returns. Messages to retry are reported one by one.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use shared::webhooks::WebhookServices;
use std::sync::Arc;

pub async fn handle(services: &Arc<WebhookServices>, event: SqsEvent) -> SqsBatchResponse {
    let messages: Vec<(String, String)> = event
        .records
        .into_iter()
        .filter_map(|record| Some((record.message_id?, record.body.unwrap_or_default())))
        .collect();
    let mut response = SqsBatchResponse::default();
    for failed in services.deliver_batch(messages).await {
        response.add_failure(failed);
    }
    response
}

#[cfg(test)]
mod sample_events;
