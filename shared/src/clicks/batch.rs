//! The click queue's message: the clicks one redirect instance buffered, sent as one SQS
//! message. SQS bills each 64 KB of a request as one request, so a batch stays under 64 KB and
//! a click costs a few hundredths of a request instead of one.

use crate::model::Click;

/// SQS bills requests per 64 KB chunk of payload.
pub const MAX_BATCH_BYTES: usize = 64 * 1024;

/// One message of the click queue.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClickBatch {
    /// Made by the sender once per batch and kept across its send retries: the aggregator
    /// counts a batch id once, however often the batch is sent or delivered.
    pub batch_id: String,
    pub clicks: Vec<Click>,
}

#[derive(Debug, thiserror::Error)]
#[error("not a click batch: {0}")]
pub struct BadClickBatch(String);

impl ClickBatch {
    pub fn to_body(&self) -> String {
        serde_json::to_string(self).expect("a click batch serializes")
    }

    pub fn parse(body: &str) -> Result<Self, BadClickBatch> {
        serde_json::from_str(body).map_err(|e| BadClickBatch(e.to_string()))
    }
}
