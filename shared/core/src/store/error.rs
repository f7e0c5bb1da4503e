use super::Item;

/// Why one action of a canceled transaction failed (DynamoDB's `CancellationReasons`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelReason {
    /// This action was fine; another one canceled the transaction.
    None,
    /// This action's condition was false.
    ConditionFailed,
    /// Another transaction was changing the same item.
    Conflict,
    /// Anything else DynamoDB reports (code), e.g. `ValidationError`.
    Other(String),
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The condition of a single-item write was false; nothing changed.
    #[error("the condition of the write was not met")]
    ConditionFailed { current: Option<Box<Item>> },
    /// A transaction was canceled as a whole; `reasons` has one entry per action, in order.
    #[error("the transaction was canceled: {reasons:?}")]
    TransactionCanceled { reasons: Vec<CancelReason> },
    /// The request breaks a rule of the store (too many actions, an item too large, a bad key).
    #[error("invalid storage request: {0}")]
    Validation(String),
    /// A list's cursor that this store did not issue for that list (bad input, not a fault).
    #[error("invalid cursor: {0}")]
    InvalidCursor(String),
    /// A stored counter holds a value its record cannot take (not a number, or beyond `i64`):
    /// written by an earlier version without bounds. Lists skip such a record; a request that
    /// needs it answers 409 until the counters are recomputed (`partners::repair`).
    #[error("the counter {attribute} of {key} is out of range: {value}")]
    OutOfRange {
        key: String,
        attribute: String,
        value: String,
    },
    /// The store kept throttling after the engine's retries.
    #[error("the store is throttling requests")]
    Throttled(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Any other failure of the engine (network, service error, corrupt data).
    #[error("storage engine failure: {0}")]
    Engine(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// The index of the first action whose condition failed, for a canceled transaction.
    pub fn failed_condition_index(&self) -> Option<usize> {
        match self {
            StoreError::TransactionCanceled { reasons } => reasons
                .iter()
                .position(|reason| *reason == CancelReason::ConditionFailed),
            _ => None,
        }
    }

    /// True when the write was refused because a condition was false.
    pub fn is_condition_failure(&self) -> bool {
        matches!(self, StoreError::ConditionFailed { .. })
            || self.failed_condition_index().is_some()
    }

    pub fn engine(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Engine(Box::new(error))
    }
}
