//! The sender side of the click queue: a redirect instance buffers its clicks and sends them as
//! one [`ClickBatch`] message per 64 KB, so that a click costs a small fraction of an SQS
//! request. A batch is sealed when the next click would not fit, when its oldest click is
//! older than the buffer's `max_age`, and on shutdown ([`ClickBuffer::take`]).
//!
//! The batch id is made when the batch is sealed and travels with it: sending the same sealed
//! batch again (a retry after a timeout) cannot count its clicks twice.

use super::batch::{ClickBatch, MAX_BATCH_BYTES};
use crate::model::Click;
use crate::ports::IdSource;
use crate::queue::{MessageQueue, OutgoingMessage, QueueError, send_all};
use crate::types::ClickBatchId;
use time::{Duration, OffsetDateTime};

/// Room left in a body for `{"batchId":"…","clicks":[` … `]}`: ids are at most 64 characters
/// after their prefix.
const ENVELOPE_BYTES: usize = 128;

/// Clicks waiting to be sent by one redirect instance.
#[derive(Debug)]
pub struct ClickBuffer {
    max_age: Duration,
    max_bytes: usize,
    clicks: Vec<Click>,
    /// The size of the buffered clicks as JSON, commas included.
    bytes: usize,
    oldest: Option<OffsetDateTime>,
}

impl ClickBuffer {
    /// A buffer whose batches stay under SQS's 64 KB billing chunk and hold clicks for at most
    /// `max_age` (the window in which a crash loses counted clicks; attribution never depends
    /// on them, see `click_id`).
    pub fn new(max_age: Duration) -> Self {
        Self::with_max_bytes(max_age, MAX_BATCH_BYTES)
    }

    /// As [`ClickBuffer::new`] with a smaller body limit (tests).
    pub fn with_max_bytes(max_age: Duration, max_bytes: usize) -> Self {
        Self {
            max_age,
            max_bytes: max_bytes.max(ENVELOPE_BYTES + 1),
            clicks: Vec::new(),
            bytes: 0,
            oldest: None,
        }
    }

    pub fn len(&self) -> usize {
        self.clicks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.clicks.is_empty()
    }

    /// Adds a click received at `now`. Returns the sealed batch when this click did not fit in
    /// it (the click starts the next one), or when the batch, this click included, is due.
    pub fn push(
        &mut self,
        click: Click,
        now: OffsetDateTime,
        ids: &dyn IdSource,
    ) -> Option<ClickBatch> {
        let size = serde_json::to_string(&click)
            .expect("a click serializes")
            .len();
        let separator = usize::from(!self.clicks.is_empty());
        let sealed = if !self.clicks.is_empty()
            && ENVELOPE_BYTES + self.bytes + separator + size > self.max_bytes
        {
            self.take(ids)
        } else {
            None
        };
        let separator = usize::from(!self.clicks.is_empty());
        self.bytes += separator + size;
        self.oldest.get_or_insert(now);
        self.clicks.push(click);
        sealed.or_else(|| self.is_due(now).then(|| self.take(ids)).flatten())
    }

    /// True when the oldest buffered click has waited `max_age`: the caller's timer should
    /// [`take`](ClickBuffer::take) and send.
    pub fn is_due(&self, now: OffsetDateTime) -> bool {
        self.oldest
            .is_some_and(|oldest| now - oldest >= self.max_age)
    }

    /// Seals whatever is buffered (a due batch, or everything on shutdown).
    pub fn take(&mut self, ids: &dyn IdSource) -> Option<ClickBatch> {
        if self.clicks.is_empty() {
            return None;
        }
        self.bytes = 0;
        self.oldest = None;
        Some(ClickBatch {
            batch_id: ClickBatchId::generate(ids).to_string(),
            clicks: std::mem::take(&mut self.clicks),
        })
    }
}

/// Sends sealed batches to the click queue, one message each, up to 10 per request. On an
/// error the caller keeps the batches and sends them again later: their ids are unchanged, so
/// a batch the queue did take is still counted once.
pub async fn send_batches(
    queue: &dyn MessageQueue,
    batches: &[ClickBatch],
) -> Result<(), QueueError> {
    let messages: Vec<OutgoingMessage> = batches
        .iter()
        .enumerate()
        .map(|(index, batch)| OutgoingMessage::new(index.to_string(), batch.to_body()))
        .collect();
    send_all(queue, &messages).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::SequentialIds;
    use crate::types::{ClickId, LinkId, ProgramId};
    use time::macros::datetime;

    const START: OffsetDateTime = datetime!(2026-11-21 10:00 UTC);

    fn click(index: usize) -> Click {
        Click {
            id: ClickId::parse(&format!("clk_{index:055}")).unwrap(),
            timestamp: START,
            link_id: LinkId::parse("link_01JDLINK0000000000000000000").unwrap(),
            partner_id: None,
            program_id: ProgramId::parse("prog_1").unwrap(),
            country: Some("DE".into()),
            device: "Desktop".into(),
            browser: "Firefox".into(),
            os: "Linux".into(),
            referer: Some("example.com".into()),
            qr: false,
        }
    }

    #[test]
    fn a_full_batch_is_sealed_under_64_kb_and_the_overflowing_click_starts_the_next() {
        let ids = SequentialIds::default();
        let mut buffer = ClickBuffer::new(Duration::seconds(10));
        let mut sealed = Vec::new();
        for index in 0..1_000 {
            sealed.extend(buffer.push(click(index), START, &ids));
        }
        sealed.extend(buffer.take(&ids));
        assert!(sealed.len() > 1);
        let clicks: usize = sealed.iter().map(|batch| batch.clicks.len()).sum();
        assert_eq!(clicks, 1_000);
        let one_click = serde_json::to_string(&click(0)).unwrap().len() + 1;
        for batch in &sealed[..sealed.len() - 1] {
            let size = batch.to_body().len();
            assert!(size <= MAX_BATCH_BYTES, "{size}");
            // Full: one more click would not have fitted.
            assert!(
                size + ENVELOPE_BYTES + one_click > MAX_BATCH_BYTES,
                "{size}"
            );
        }
        let ids: std::collections::HashSet<_> = sealed.iter().map(|b| &b.batch_id).collect();
        assert_eq!(ids.len(), sealed.len());
        assert!(sealed[0].batch_id.starts_with("cb_"));
    }

    #[test]
    fn a_batch_is_sealed_when_its_oldest_click_is_due() {
        let ids = SequentialIds::default();
        let mut buffer = ClickBuffer::new(Duration::seconds(10));
        assert!(buffer.push(click(1), START, &ids).is_none());
        assert!(!buffer.is_due(START + Duration::seconds(9)));
        assert!(
            buffer
                .push(click(2), START + Duration::seconds(9), &ids)
                .is_none()
        );
        assert!(buffer.is_due(START + Duration::seconds(10)));
        let batch = buffer
            .push(click(3), START + Duration::seconds(10), &ids)
            .unwrap();
        assert_eq!(batch.clicks.len(), 3);
        assert!(buffer.is_empty());
        assert!(buffer.take(&ids).is_none());
    }

    #[test]
    fn take_seals_everything_buffered_once() {
        let ids = SequentialIds::default();
        let mut buffer = ClickBuffer::with_max_bytes(Duration::seconds(10), 2_000);
        let sealed: Vec<_> = (0..10)
            .filter_map(|index| buffer.push(click(index), START, &ids))
            .collect();
        let rest = buffer.take(&ids).unwrap();
        assert_eq!(
            sealed.iter().map(|b| b.clicks.len()).sum::<usize>() + rest.clicks.len(),
            10
        );
        assert!(sealed.iter().all(|b| b.to_body().len() <= 2_000));
        assert!(buffer.take(&ids).is_none());
    }
}
