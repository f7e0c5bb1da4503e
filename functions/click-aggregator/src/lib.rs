//! The click aggregator function: an SQS consumer of the click queue, and a schedule.
//!
//! - A batch of messages (each a batch of clicks from a redirect instance) is journaled once
//!   per click batch however often it is delivered; malformed or unstored messages are
//!   reported one by one (`ReportBatchItemFailures`) so only they are retried, then
//!   dead-lettered. The shards it journaled are then folded into the counters when due.
//! - The schedule folds every shard that is due, so that a program whose clicks stopped still
//!   sees its last ones counted within the fold policy's longest delay.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use serde_json::{Value, json};
use shared::clicks::{ClickAggregator, FoldOutcome};

/// The function's two triggers, told apart by the SQS event's `Records`.
pub async fn handle_event(aggregator: &ClickAggregator, event: Value) -> Result<Value, String> {
    if event.get("Records").is_some() {
        let event: SqsEvent =
            serde_json::from_value(event).map_err(|e| format!("not an SQS event: {e}"))?;
        let response = handle(aggregator, event).await;
        return serde_json::to_value(response).map_err(|e| e.to_string());
    }
    scheduled_fold(aggregator).await
}

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

/// Folds the shards that are due; fails (for the schedule's retry and the error metric) when
/// a fold failed, after trying every shard.
async fn scheduled_fold(aggregator: &ClickAggregator) -> Result<Value, String> {
    let mut folded = 0;
    let mut clicks = 0;
    let mut failures = Vec::new();
    for (shard, outcome) in aggregator.fold(false).await.into_iter().enumerate() {
        match outcome {
            Ok(FoldOutcome::Folded { clicks: added, .. }) => {
                folded += 1;
                clicks += added;
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, shard, "scheduled click fold failed");
                failures.push(shard);
            }
        }
    }
    if failures.is_empty() {
        Ok(json!({ "foldedShards": folded, "clicks": clicks }))
    } else {
        Err(format!("the folds of shards {failures:?} failed"))
    }
}

#[cfg(test)]
mod sample_events;
