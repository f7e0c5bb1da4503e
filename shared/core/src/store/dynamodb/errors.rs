//! Maps DynamoDB's errors to the port's [`StoreError`].

use crate::store::{CancelReason, Item, StoreError};
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue as SdkValue, CancellationReason};
use std::collections::HashMap;

/// Error codes that mean "slow down"; the SDK already retried them a few times.
const THROTTLING: [&str; 5] = [
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TransactionInProgressException",
    "LimitExceededException",
];

pub fn is_throttling(code: Option<&str>) -> bool {
    code.is_some_and(|code| THROTTLING.contains(&code))
}

/// Any SDK error that is not an expected, operation-specific outcome.
pub fn from_sdk<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if is_throttling(error.code()) {
        return StoreError::Throttled(Box::new(error));
    }
    if error.code() == Some("ValidationException") {
        let message = error.message().unwrap_or("rejected by DynamoDB").to_owned();
        return StoreError::Validation(message);
    }
    StoreError::engine(error)
}

/// `ConditionalCheckFailedException` with the item returned by `ALL_OLD`.
pub fn condition_failed(current: Option<&HashMap<String, SdkValue>>) -> StoreError {
    StoreError::ConditionFailed {
        current: current
            .filter(|item| !item.is_empty())
            .map(|item| Box::new(Item::from(item.clone()))),
    }
}

/// One reason per action, in order, as DynamoDB reports them.
pub fn cancel_reasons(reasons: &[CancellationReason]) -> Vec<CancelReason> {
    reasons
        .iter()
        .map(|reason| match reason.code() {
            None | Some("None") => CancelReason::None,
            Some("ConditionalCheckFailed") => CancelReason::ConditionFailed,
            Some("TransactionConflict") => CancelReason::Conflict,
            Some(other) => CancelReason::Other(other.to_owned()),
        })
        .collect()
}

/// A cancellation worth retrying: no condition failed and every failure was a conflict or
/// throttling, so the same request may well succeed later.
pub fn is_transient_cancellation(reasons: &[CancelReason]) -> bool {
    reasons.iter().all(|reason| match reason {
        CancelReason::None | CancelReason::Conflict => true,
        CancelReason::Other(code) => {
            code == "ThrottlingError" || code == "ProvisionedThroughputExceeded"
        }
        CancelReason::ConditionFailed => false,
    })
}

/// A failed transaction worth sending again: throttled, or canceled without a failed condition.
pub fn is_transient_transaction_error(error: &StoreError) -> bool {
    match error {
        StoreError::Throttled(_) => true,
        StoreError::TransactionCanceled { reasons } => is_transient_cancellation(reasons),
        _ => false,
    }
}

/// Batch requests left unprocessed after every retry.
#[derive(Debug, thiserror::Error)]
#[error("{0} batch request(s) stayed unprocessed after retries")]
pub struct Unprocessed(pub usize);

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(code: &str) -> CancellationReason {
        CancellationReason::builder().code(code).build()
    }

    #[test]
    fn maps_cancellation_codes_in_order() {
        let reasons = cancel_reasons(&[
            reason("None"),
            reason("ConditionalCheckFailed"),
            reason("TransactionConflict"),
            reason("ValidationError"),
            CancellationReason::builder().build(),
        ]);
        assert_eq!(
            reasons,
            vec![
                CancelReason::None,
                CancelReason::ConditionFailed,
                CancelReason::Conflict,
                CancelReason::Other("ValidationError".into()),
                CancelReason::None,
            ]
        );
    }

    #[test]
    fn only_conflicts_and_throttling_are_transient() {
        let conflict = [CancelReason::None, CancelReason::Conflict];
        assert!(is_transient_cancellation(&conflict));
        let throttled = [CancelReason::Other("ThrottlingError".into())];
        assert!(is_transient_cancellation(&throttled));
        let failed = [CancelReason::Conflict, CancelReason::ConditionFailed];
        assert!(!is_transient_cancellation(&failed));
        let invalid = [CancelReason::Other("ValidationError".into())];
        assert!(!is_transient_cancellation(&invalid));
    }

    #[test]
    fn retries_throttled_and_conflicting_transactions_only() {
        let throttled = StoreError::Throttled(Box::new(Unprocessed(1)));
        assert!(is_transient_transaction_error(&throttled));
        let conflict = StoreError::TransactionCanceled {
            reasons: vec![CancelReason::Conflict, CancelReason::None],
        };
        assert!(is_transient_transaction_error(&conflict));
        let failed = StoreError::TransactionCanceled {
            reasons: vec![CancelReason::Conflict, CancelReason::ConditionFailed],
        };
        assert!(!is_transient_transaction_error(&failed));
        let invalid = StoreError::Validation("bad".into());
        assert!(!is_transient_transaction_error(&invalid));
    }

    #[test]
    fn recognises_throttling_codes() {
        assert!(is_throttling(Some("ThrottlingException")));
        assert!(is_throttling(Some(
            "ProvisionedThroughputExceededException"
        )));
        assert!(!is_throttling(Some("ValidationException")));
        assert!(!is_throttling(None));
    }
}
