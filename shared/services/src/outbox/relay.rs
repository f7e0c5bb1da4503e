use crate::layout::{self, OUTBOX_SHARDS};
use crate::model::DomainEvent;
use crate::queue::{MessageQueue, OutgoingMessage, QueueError, send_all};
use crate::store::{
    Condition, ItemStore, Key, Query, StoreError, Update, UpdateItem, get_s, schema,
};
use std::sync::Arc;

/// Events moved per shard and query page.
const PAGE: u32 = 100;

/// Moves events from the outbox to the events queue.
///
/// Delivery is at least once: an event is marked relayed only after the queue accepted it, so a
/// crash in between sends it again on the next run. Consumers dedupe on the event id.
pub struct OutboxRelay {
    store: Arc<dyn ItemStore>,
    queue: Arc<dyn MessageQueue>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RelayReport {
    pub relayed: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

impl OutboxRelay {
    pub fn new(store: Arc<dyn ItemStore>, queue: Arc<dyn MessageQueue>) -> Self {
        Self { store, queue }
    }

    /// Relays every waiting event, oldest first within each shard.
    pub async fn drain(&self) -> Result<RelayReport, RelayError> {
        let mut report = RelayReport::default();
        for shard in 0..OUTBOX_SHARDS {
            loop {
                let moved = self.relay_page(&layout::outbox_shard_pk(shard)).await?;
                report.relayed += moved;
                if moved < PAGE as usize {
                    break;
                }
            }
        }
        Ok(report)
    }

    async fn relay_page(&self, shard_pk: &str) -> Result<usize, RelayError> {
        let page = self
            .store
            .query(Query::index(schema::GSI1.name, shard_pk).limit(PAGE))
            .await?;
        let mut keys = Vec::with_capacity(page.items.len());
        let mut messages = Vec::with_capacity(page.items.len());
        for (index, item) in page.items.iter().enumerate() {
            let body = get_s(item, "body")
                .ok_or_else(|| StoreError::Validation("outbox item without body".into()))?;
            let event: DomainEvent = serde_json::from_str(body).map_err(StoreError::engine)?;
            messages.push(OutgoingMessage::new(
                index.to_string(),
                event.queue_message().to_string(),
            ));
            keys.push(Key::of(item)?);
        }
        if messages.is_empty() {
            return Ok(0);
        }
        send_all(self.queue.as_ref(), &messages).await?;
        for key in keys {
            self.mark_relayed(key).await?;
        }
        Ok(messages.len())
    }

    /// Drops the event from the outbox index; the audit record stays.
    async fn mark_relayed(&self, key: Key) -> Result<(), StoreError> {
        let update = UpdateItem {
            key,
            update: Update::new()
                .remove(schema::GSI1.pk)
                .remove(schema::GSI1.sk),
            condition: Some(Condition::AttributeExists(schema::GSI1.pk.into())),
        };
        match self.store.update(update).await {
            // Another relay run got there first (the index is eventually consistent).
            Err(StoreError::ConditionFailed { .. }) | Ok(_) => Ok(()),
            Err(error) => Err(error),
        }
    }
}
