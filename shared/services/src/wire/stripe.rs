//! The answer of `POST /stripe/webhook[/{programId}]`. Stripe only reads the status; the body
//! says what the event came to, for the business's logs and for its delivery view in Stripe's
//! dashboard.

use crate::model::{Received, StepOutcome};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StripeWebhookResponse {
    pub received: bool,
    pub event_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// `handled`, `duplicate` (handled before: nothing ran again) or `unhandled` (a type the
    /// integration ignores).
    pub status: String,
    pub steps: Vec<StripeStepSchema>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StripeStepSchema {
    /// `lead`, `sale`, `refund`, `customer`, `promotion_code` or `event`.
    pub step: String,
    /// `recorded`, `already_recorded`, `unattributed`, `ignored` or `remembered`.
    pub outcome: String,
    pub reason: Option<String>,
}

impl StripeStepSchema {
    fn of(step: &str, outcome: &StepOutcome) -> Self {
        let (name, reason) = match outcome {
            StepOutcome::Recorded => ("recorded", None),
            StepOutcome::AlreadyRecorded => ("already_recorded", None),
            StepOutcome::Unattributed(reason) => ("unattributed", Some(reason.clone())),
            StepOutcome::Ignored(reason) => ("ignored", Some(reason.clone())),
            StepOutcome::Remembered => ("remembered", None),
        };
        Self {
            step: step.into(),
            outcome: name.into(),
            reason,
        }
    }
}

impl StripeWebhookResponse {
    pub fn of(received: &Received) -> Self {
        let (event_id, kind, status, steps) = match received {
            Received::Duplicate { event_id, kind } => (event_id, kind, "duplicate", vec![]),
            Received::Unhandled { event_id, kind } => (event_id, kind, "unhandled", vec![]),
            Received::Handled {
                event_id,
                kind,
                steps,
            } => (
                event_id,
                kind,
                "handled",
                steps
                    .iter()
                    .map(|(step, outcome)| StripeStepSchema::of(step, outcome))
                    .collect(),
            ),
        };
        Self {
            received: true,
            event_id: event_id.clone(),
            kind: kind.clone(),
            status: status.into(),
            steps,
        }
    }
}
