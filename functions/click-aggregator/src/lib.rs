//! The click aggregator function: an SQS consumer of the click queue. Each message is a batch
//! of clicks from a redirect instance; counts are added once per batch however often it is
//! delivered, and malformed or unstored messages are reported one by one
//! (`ReportBatchItemFailures`) so only they are retried, then dead-lettered.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use shared::clicks::ClickAggregator;

pub async fn handle(aggregator: &ClickAggregator, event: SqsEvent) -> SqsBatchResponse {
    // A record without an id cannot be reported; one without a body is malformed.
    let messages = event
        .records
        .into_iter()
        .filter_map(|record| Some((record.message_id?, record.body.unwrap_or_default())))
        .collect();
    let mut response = SqsBatchResponse::default();
    for failed in aggregator.aggregate(messages).await.failed {
        response.add_failure(failed);
    }
    response
}

#[cfg(test)]
mod sample_events;
