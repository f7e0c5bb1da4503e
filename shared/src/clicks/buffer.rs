//! Clicks buffered in the process and sent to the click queue as [`ClickBatch`] messages.
//!
//! One SQS request per click would cost $0.40 per million clicks, twice the Lambda request
//! fee. Buffering makes a message of up to 64 KB (a few hundred clicks, one billed request).
//! There is one open batch per click shard ([`super::shard`]): the aggregator writes a marker
//! item per shard of a message, so a message of one shard costs one marker instead of up to
//! [`SHARDS`]. A batch is closed and sent when the next click of its shard would not fit, when
//! it is older than `max_age` (checked at each invocation: a frozen Lambda has no timers), and
//! on shutdown. Only the batches that are due are closed: a marker costs more than the SQS
//! request a smaller message would save.
//!
//! Each click is serialised once, when it is recorded, and appended to the open batch's body,
//! so closing a batch does not serialise it again; the body is exactly
//! `ClickBatch::to_body()` of the same batch. The batch id is made when the batch opens and
//! kept across send retries, so the aggregator counts a batch once however often it arrives.
//!
//! Clicks can be lost when the process dies without its shutdown signal (a crash, a timeout
//! that kills the runtime, an out-of-memory kill): at most the open batch, that is at most
//! `max_age` of clicks or 64 KB of them. Leads stay attributable anyway, because the click id
//! the visitor carries is signed and names its link ([`crate::clicks::click_id`]).

use super::batch::MAX_BATCH_BYTES;
use super::shard::{SHARDS, shard_of};
use crate::model::Click;
use crate::ports::IdSource;
use crate::queue::{MessageQueue, OutgoingMessage, QueueError, send_all};
use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};
use time::{Duration, OffsetDateTime};

/// Batches that failed to send are kept for the next flush, up to this many; older ones are
/// dropped (and logged) so that a long queue outage cannot exhaust memory.
const MAX_KEPT_BATCHES: usize = 64;
const CLOSING: &str = "]}";

/// A closed batch: its id and its message body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadyBatch {
    pub batch_id: String,
    pub body: String,
    pub clicks: usize,
}

struct OpenBatch {
    batch_id: String,
    body: String,
    clicks: usize,
    opened_at: OffsetDateTime,
}

impl OpenBatch {
    fn close(mut self) -> ReadyBatch {
        self.body.push_str(CLOSING);
        ReadyBatch {
            batch_id: self.batch_id,
            body: self.body,
            clicks: self.clicks,
        }
    }
}

#[derive(Default)]
struct State {
    /// The open batch of each shard.
    open: [Option<OpenBatch>; SHARDS],
    /// Closed batches waiting for a (re)send.
    ready: VecDeque<ReadyBatch>,
}

/// The process's click buffer. Its lock is held only to append or take, never across a send.
pub struct ClickBuffer {
    state: Mutex<State>,
    max_bytes: usize,
    max_age: Duration,
}

impl ClickBuffer {
    pub fn new(max_age: Duration) -> Self {
        Self::with_limit(max_age, MAX_BATCH_BYTES)
    }

    /// A buffer whose messages stay under `max_bytes` (tests use small ones).
    pub fn with_limit(max_age: Duration, max_bytes: usize) -> Self {
        Self {
            state: Mutex::default(),
            max_bytes,
            max_age,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a click to its shard's batch; true when a closed batch now waits to be sent (the
    /// click did not fit in its shard's).
    pub fn push(&self, click: &Click, now: OffsetDateTime, ids: &dyn IdSource) -> bool {
        let json = serde_json::to_string(click).expect("a click serialises");
        let shard = shard_of(click);
        let mut state = self.lock();
        let fits = state.open[shard]
            .as_ref()
            .is_some_and(|open| open.body.len() + 1 + json.len() + CLOSING.len() <= self.max_bytes);
        if !fits && let Some(full) = state.open[shard].take() {
            state.ready.push_back(full.close());
        }
        match &mut state.open[shard] {
            Some(open) => {
                open.body.push(',');
                open.body.push_str(&json);
                open.clicks += 1;
            }
            None => {
                let batch_id = format!("cb_{}", ids.next_id());
                let mut body = String::with_capacity(self.max_bytes.min(16 * 1024));
                body.push_str(r#"{"batchId":"#);
                body.push_str(&serde_json::to_string(&batch_id).expect("a string serialises"));
                body.push_str(r#","clicks":["#);
                body.push_str(&json);
                state.open[shard] = Some(OpenBatch {
                    batch_id,
                    body,
                    clicks: 1,
                    opened_at: now,
                });
            }
        }
        !state.ready.is_empty()
    }

    /// True when something should be sent now: a closed batch, or an open one past `max_age`.
    pub fn is_due(&self, now: OffsetDateTime) -> bool {
        let state = self.lock();
        !state.ready.is_empty()
            || state
                .open
                .iter()
                .flatten()
                .any(|open| now - open.opened_at >= self.max_age)
    }

    /// Takes what is due: closed batches, and the open ones past `max_age`, or all of them
    /// when `everything` is asked (shutdown).
    pub fn take(&self, now: OffsetDateTime, everything: bool) -> Vec<ReadyBatch> {
        let mut state = self.lock();
        let State { open, ready } = &mut *state;
        for slot in open.iter_mut() {
            let due = slot
                .as_ref()
                .is_some_and(|open| everything || now - open.opened_at >= self.max_age);
            if due && let Some(batch) = slot.take() {
                ready.push_back(batch.close());
            }
        }
        ready.drain(..).collect()
    }

    /// Puts batches that failed to send back, in front, keeping at most [`MAX_KEPT_BATCHES`].
    pub fn put_back(&self, batches: Vec<ReadyBatch>) {
        let mut state = self.lock();
        for batch in batches.into_iter().rev() {
            state.ready.push_front(batch);
        }
        while state.ready.len() > MAX_KEPT_BATCHES {
            if let Some(dropped) = state.ready.pop_back() {
                tracing::error!(
                    batch_id = %dropped.batch_id,
                    clicks = dropped.clicks,
                    "click batch dropped: the click queue has been failing too long"
                );
            }
        }
    }

    /// Clicks in the buffer, sent or not (for tests and logs).
    pub fn pending_clicks(&self) -> usize {
        let state = self.lock();
        state
            .open
            .iter()
            .flatten()
            .map(|open| open.clicks)
            .sum::<usize>()
            + state.ready.iter().map(|batch| batch.clicks).sum::<usize>()
    }
}

/// Sends batches as one message each; on failure they go back into the buffer for the next
/// flush, with the same batch ids.
pub async fn send_batches(
    buffer: &ClickBuffer,
    queue: &dyn MessageQueue,
    batches: Vec<ReadyBatch>,
) -> Result<usize, QueueError> {
    if batches.is_empty() {
        return Ok(0);
    }
    let messages: Vec<OutgoingMessage> = batches
        .iter()
        .enumerate()
        .map(|(index, batch)| OutgoingMessage::new(format!("b{index}"), batch.body.clone()))
        .collect();
    match send_all(queue, &messages).await {
        Ok(()) => Ok(batches.iter().map(|batch| batch.clicks).sum()),
        Err(error) => {
            tracing::warn!(%error, batches = batches.len(), "click batches kept for a retry");
            buffer.put_back(batches);
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clicks::ClickBatch;
    use crate::ports::SequentialIds;
    use crate::types::{ClickId, LinkId};
    use time::macros::datetime;

    fn click(n: usize) -> Click {
        Click {
            id: ClickId::parse(&format!("clk_{n}")).unwrap(),
            country: Some("DE".into()),
            os: "Windows".into(),
            ..crate::testkit::a_click("link_1", datetime!(2026-11-21 10:00 UTC))
        }
    }

    #[test]
    fn a_closed_batch_is_exactly_a_click_batch_under_the_limit() {
        let buffer = ClickBuffer::with_limit(Duration::seconds(5), 1_000);
        let ids = SequentialIds::default();
        let now = datetime!(2026-11-21 10:00 UTC);
        let mut pushed = 0;
        while !buffer.push(&click(pushed), now, &ids) {
            pushed += 1;
        }
        let batches = buffer.take(now, false);
        assert_eq!(batches.len(), 1);
        let parsed = ClickBatch::parse(&batches[0].body).unwrap();
        assert_eq!(parsed.batch_id, batches[0].batch_id);
        assert_eq!(parsed.clicks, (0..pushed).map(click).collect::<Vec<_>>());
        assert_eq!(parsed.to_body(), batches[0].body);
        assert!(batches[0].body.len() <= 1_000);
        // The click that did not fit opened the next batch.
        assert_eq!(buffer.pending_clicks(), 1);
    }

    #[test]
    fn the_open_batch_is_due_once_old_or_on_shutdown() {
        let buffer = ClickBuffer::new(Duration::seconds(5));
        let ids = SequentialIds::default();
        let start = datetime!(2026-11-21 10:00 UTC);
        buffer.push(&click(1), start, &ids);
        assert!(!buffer.is_due(start + Duration::seconds(4)));
        assert!(buffer.take(start + Duration::seconds(4), false).is_empty());
        assert!(buffer.is_due(start + Duration::seconds(5)));
        assert_eq!(buffer.take(start + Duration::seconds(5), false).len(), 1);
        buffer.push(&click(2), start, &ids);
        let all = buffer.take(start, true);
        assert_eq!(all.len(), 1);
        assert_eq!(buffer.pending_clicks(), 0);
    }

    #[test]
    fn each_batch_holds_the_clicks_of_one_shard() {
        let buffer = ClickBuffer::new(Duration::seconds(5));
        let ids = SequentialIds::default();
        let now = datetime!(2026-11-21 10:00 UTC);
        for n in 0..60 {
            let partner = crate::types::PartnerId::parse(&format!("pn_{}", n % 12)).unwrap();
            let click = Click {
                partner_id: Some(partner),
                ..click(n)
            };
            buffer.push(&click, now, &ids);
        }
        let batches = buffer.take(now, true);
        let shards: Vec<usize> = batches
            .iter()
            .map(|batch| {
                let parsed = ClickBatch::parse(&batch.body).unwrap();
                let first = shard_of(&parsed.clicks[0]);
                assert!(parsed.clicks.iter().all(|c| shard_of(c) == first));
                first
            })
            .collect();
        let distinct: std::collections::BTreeSet<usize> = shards.iter().copied().collect();
        assert_eq!(distinct.len(), shards.len(), "one batch per shard");
        assert!(shards.len() > 1);
        assert_eq!(batches.iter().map(|b| b.clicks).sum::<usize>(), 60);
    }

    #[test]
    fn only_the_shards_past_their_age_are_closed() {
        let buffer = ClickBuffer::new(Duration::seconds(5));
        let ids = SequentialIds::default();
        let start = datetime!(2026-11-21 10:00 UTC);
        let unowned = click(1);
        let mut other = click(2);
        other.link_id = (0..)
            .map(|i| LinkId::parse(&format!("link_{i}")).unwrap())
            .find(|link| crate::clicks::shard::shard_of_id(link.as_str()) != shard_of(&unowned))
            .unwrap();
        buffer.push(&unowned, start, &ids);
        buffer.push(&other, start + Duration::seconds(3), &ids);
        let due = buffer.take(start + Duration::seconds(5), false);
        assert_eq!(due.len(), 1);
        assert_eq!(
            ClickBatch::parse(&due[0].body).unwrap().clicks,
            vec![unowned]
        );
        assert_eq!(buffer.pending_clicks(), 1);
    }

    #[test]
    fn failed_batches_come_back_first_with_their_ids() {
        let buffer = ClickBuffer::new(Duration::seconds(5));
        let ids = SequentialIds::default();
        let now = datetime!(2026-11-21 10:00 UTC);
        buffer.push(&click(1), now, &ids);
        let first = buffer.take(now, true);
        buffer.push(&click(2), now, &ids);
        buffer.put_back(first.clone());
        let again = buffer.take(now, true);
        assert_eq!(again[0], first[0]);
        assert_eq!(again.len(), 2);
    }
}
