//! The outbox relay function. It runs on a schedule and on the table's stream (filtered to
//! outbox records); whatever triggered it, it drains the whole outbox, so a missed or failed
//! trigger only delays events until the next one.

use lambda_runtime::Diagnostic;
use shared::outbox::{OutboxRelay, RelayError};

/// A failed run, reported to Lambda with a stable error type so alarms can match it.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct RelayFailure(#[from] RelayError);

impl From<RelayFailure> for Diagnostic {
    fn from(failure: RelayFailure) -> Self {
        Diagnostic {
            error_type: "OutboxRelayFailed".into(),
            error_message: failure.to_string(),
        }
    }
}

/// Handles any trigger event: the payload is not needed, only the signal to drain.
pub async fn handle(
    relay: &OutboxRelay,
    _trigger: serde_json::Value,
) -> Result<serde_json::Value, RelayFailure> {
    let report = relay.drain().await?;
    if report.relayed > 0 {
        tracing::info!(relayed = report.relayed, "outbox drained");
    }
    Ok(serde_json::json!({ "relayed": report.relayed }))
}
