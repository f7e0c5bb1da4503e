//! Queue cases; each takes a factory of fresh queues.

mod delivery;
mod visibility;

pub use delivery::*;
pub use visibility::*;

use crate::queue::QueueSettings;
use std::time::Duration;

/// Settings with a visibility timeout in whole seconds (SQS has no finer unit).
fn settings(visibility_seconds: u64) -> QueueSettings {
    QueueSettings {
        visibility_timeout: Duration::from_secs(visibility_seconds),
        ..QueueSettings::default()
    }
}
