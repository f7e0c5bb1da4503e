//! What a Stripe event came to (`stripe::receive`), step by step.

/// What one step came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepOutcome {
    Recorded,
    /// Counted before (a repeat, or reported by another event or by the API).
    AlreadyRecorded,
    /// Nothing attributes it to a partner: recorded nowhere.
    Unattributed(String),
    /// Not recordable as reported (a currency, an out-of-range value): recorded nowhere.
    Ignored(String),
    /// A Stripe id now maps to one of ours.
    Remembered,
}

/// What an event came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// Handled before: its steps were not run again.
    Duplicate { event_id: String, kind: String },
    /// A type the integration does not handle (200, counted in the log).
    Unhandled { event_id: String, kind: String },
    Handled {
        event_id: String,
        kind: String,
        steps: Vec<(&'static str, StepOutcome)>,
    },
}
