//! SQS's rules on names, batches and messages, checked by every engine before it acts, so a
//! bad request fails the same way on each.

use crate::queue::{MAX_BATCH_BYTES, MAX_BATCH_MESSAGES, MAX_DELAY, OutgoingMessage, QueueError};
use std::collections::HashSet;

fn invalid(why: String) -> QueueError {
    QueueError::Validation(why)
}

/// Alphanumerics, hyphens and underscores, 1 to 80 characters (queue names and entry ids).
fn is_sqs_name(text: &str) -> bool {
    (1..=80).contains(&text.len())
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

pub(crate) fn queue_name(name: &str) -> Result<(), QueueError> {
    if is_sqs_name(name) {
        Ok(())
    } else {
        Err(invalid(format!("{name:?} is not a valid queue name")))
    }
}

pub(crate) fn batch(messages: &[OutgoingMessage]) -> Result<(), QueueError> {
    if messages.is_empty() || messages.len() > MAX_BATCH_MESSAGES {
        return Err(invalid(format!(
            "a batch takes 1 to {MAX_BATCH_MESSAGES} messages, not {}",
            messages.len()
        )));
    }
    let mut entry_ids = HashSet::new();
    for message in messages {
        if !is_sqs_name(&message.entry_id) {
            return Err(invalid(format!(
                "{:?} is not a valid batch entry id",
                message.entry_id
            )));
        }
        if !entry_ids.insert(message.entry_id.as_str()) {
            return Err(invalid(format!(
                "entry id {} appears twice in one batch",
                message.entry_id
            )));
        }
        if message.delay > MAX_DELAY {
            return Err(invalid(format!(
                "message {} has a delay over {} s",
                message.entry_id,
                MAX_DELAY.as_secs()
            )));
        }
        body(&message.body)?;
    }
    let total: usize = messages.iter().map(|message| message.body.len()).sum();
    if total > MAX_BATCH_BYTES {
        return Err(invalid(format!(
            "the batch holds {total} bytes, over {MAX_BATCH_BYTES}"
        )));
    }
    Ok(())
}

/// A non-empty body of the characters SQS accepts.
fn body(body: &str) -> Result<(), QueueError> {
    let allowed =
        |c: char| matches!(c, '\t' | '\n' | '\r') || c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}';
    if body.is_empty() || !body.chars().all(allowed) {
        return Err(invalid(
            "a message body must be non-empty and of characters SQS allows".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn validates_batches() {
        let ok: Vec<_> = (0..10)
            .map(|i| OutgoingMessage::new(i.to_string(), "x"))
            .collect();
        assert!(batch(&ok).is_ok());
        let too_many: Vec<_> = (0..11)
            .map(|i| OutgoingMessage::new(i.to_string(), "x"))
            .collect();
        assert!(matches!(batch(&too_many), Err(QueueError::Validation(_))));
        let big = vec![
            OutgoingMessage::new("a", "x".repeat(MAX_BATCH_BYTES / 2 + 1)),
            OutgoingMessage::new("b", "x".repeat(MAX_BATCH_BYTES / 2)),
        ];
        assert!(matches!(batch(&big), Err(QueueError::Validation(_))));
        let late = [OutgoingMessage::new("a", "x").delayed(MAX_DELAY + Duration::from_secs(1))];
        assert!(matches!(batch(&late), Err(QueueError::Validation(_))));
        let twice = [
            OutgoingMessage::new("a", "x"),
            OutgoingMessage::new("a", "y"),
        ];
        assert!(matches!(batch(&twice), Err(QueueError::Validation(_))));
        let odd = [OutgoingMessage::new("a.b", "x")];
        assert!(matches!(batch(&odd), Err(QueueError::Validation(_))));
    }
}
