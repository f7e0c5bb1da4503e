//! Random message ids and receipt handles.

use crate::queue::QueueError;

/// 16 random bytes in hex.
pub(super) fn random_id() -> Result<String, QueueError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|error| QueueError::Engine(error.to_string().into()))?;
    Ok(hex::encode(bytes))
}

/// A receipt handle names its queue instance and message: `<queue token>.<sequence>.<nonce>`.
pub(super) fn receipt_handle(queue_token: &str, sequence: u64) -> Result<String, QueueError> {
    Ok(format!("{queue_token}.{sequence}.{}", random_id()?))
}

/// The message sequence a handle of this queue names; `Validation` for any other text.
pub(super) fn parse_receipt_handle(queue_token: &str, handle: &str) -> Result<u64, QueueError> {
    let invalid =
        || QueueError::Validation("the receipt handle is not valid for this queue".into());
    let mut parts = handle.split('.');
    let (Some(token), Some(sequence), Some(_nonce), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    if token != queue_token {
        return Err(invalid());
    }
    sequence.parse().map_err(|_| invalid())
}
