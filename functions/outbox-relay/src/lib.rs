//! The outbox relay function. It runs on a schedule and on the table's stream (filtered to
//! outbox records); whatever triggered it, it drains the whole outbox, so a missed or failed
//! trigger only delays events until the next one.

use shared::outbox::{OutboxRelay, RelayError};

/// Handles any trigger event: the payload is not needed, only the signal to drain.
pub async fn handle(relay: &OutboxRelay, _trigger: serde_json::Value) -> Result<serde_json::Value, RelayError> {
    let report = relay.drain().await?;
    if report.relayed > 0 {
        tracing::info!(relayed = report.relayed, "outbox drained");
    }
    Ok(serde_json::json!({ "relayed": report.relayed }))
}
