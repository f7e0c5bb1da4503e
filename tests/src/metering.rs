//! Meters for cost reports: what a run would be billed in AWS.
//!
//! - [`CountingQueue`] counts SQS requests as SQS bills them: each request is at least one,
//!   and each 64 KB chunk of its payload is one more.
//! - [`MeteredStore`] counts DynamoDB write and read units by DynamoDB's published rules,
//!   from the sizes of the items before and after each write (read with a separate probe
//!   store, which is not metered). moto answers every `TransactWriteItems` with no consumed
//!   capacity, so its own figures cannot be used for transactions.

use async_trait::async_trait;
use shared::queue::{MessageQueue, OutgoingMessage, QueueError, ReceivedMessage};
use shared::store::{
    AttributeValue, BatchWrite, Consistency, Delete, Item, ItemStore, Key, Page, Put, Query,
    StoreError, TxOp, UpdateItem, schema,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// SQS bills each 64 KB chunk of a request's payload as one request.
pub const SQS_CHUNK: usize = 64 * 1024;

fn chunks(bytes: usize) -> u64 {
    bytes.div_ceil(SQS_CHUNK).max(1) as u64
}

/// SQS requests made and billed, per kind.
#[derive(Debug, Default)]
pub struct SqsCounts {
    pub send_calls: AtomicU64,
    pub send_billed: AtomicU64,
    pub messages_sent: AtomicU64,
    pub bytes_sent: AtomicU64,
    pub receive_calls: AtomicU64,
    pub receive_billed: AtomicU64,
    pub delete_calls: AtomicU64,
    pub other_calls: AtomicU64,
}

impl SqsCounts {
    pub fn billed(&self) -> u64 {
        self.send_billed.load(Ordering::Relaxed)
            + self.receive_billed.load(Ordering::Relaxed)
            + self.delete_calls.load(Ordering::Relaxed)
            + self.other_calls.load(Ordering::Relaxed)
    }
}

pub struct CountingQueue {
    inner: Arc<dyn MessageQueue>,
    pub counts: SqsCounts,
}

impl CountingQueue {
    pub fn new(inner: Arc<dyn MessageQueue>) -> Self {
        Self {
            inner,
            counts: SqsCounts::default(),
        }
    }
}

#[async_trait]
impl MessageQueue for CountingQueue {
    async fn send_batch(&self, messages: &[OutgoingMessage]) -> Result<Vec<String>, QueueError> {
        let bytes: usize = messages.iter().map(|m| m.body.len()).sum();
        let counts = &self.counts;
        counts.send_calls.fetch_add(1, Ordering::Relaxed);
        counts
            .send_billed
            .fetch_add(chunks(bytes), Ordering::Relaxed);
        counts
            .messages_sent
            .fetch_add(messages.len() as u64, Ordering::Relaxed);
        counts.bytes_sent.fetch_add(bytes as u64, Ordering::Relaxed);
        self.inner.send_batch(messages).await
    }

    async fn receive(&self, max: u32, wait: Duration) -> Result<Vec<ReceivedMessage>, QueueError> {
        let received = self.inner.receive(max, wait).await?;
        let bytes: usize = received.iter().map(|m| m.body.len()).sum();
        let counts = &self.counts;
        counts.receive_calls.fetch_add(1, Ordering::Relaxed);
        counts
            .receive_billed
            .fetch_add(chunks(bytes), Ordering::Relaxed);
        Ok(received)
    }

    async fn delete(&self, receipt_handle: &str) -> Result<(), QueueError> {
        self.counts.delete_calls.fetch_add(1, Ordering::Relaxed);
        self.inner.delete(receipt_handle).await
    }

    async fn change_visibility(
        &self,
        receipt_handle: &str,
        timeout: Duration,
    ) -> Result<(), QueueError> {
        self.counts.other_calls.fetch_add(1, Ordering::Relaxed);
        self.inner.change_visibility(receipt_handle, timeout).await
    }
}

/// DynamoDB's size of an item: attribute names plus values (numbers about one byte per two
/// digits plus one).
pub fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(text) => text.len(),
        AttributeValue::N(number) => {
            let digits = number.chars().filter(char::is_ascii_digit).count();
            digits.div_ceil(2) + 1
        }
        AttributeValue::B(bytes) => bytes.len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(name, value)| 1 + name.len() + value_size(value))
                .sum::<usize>()
        }
        AttributeValue::L(list) => 3 + list.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        AttributeValue::Ss(texts) => texts.iter().map(String::len).sum(),
        AttributeValue::Ns(numbers) => numbers.iter().map(|n| n.len().div_ceil(2) + 1).sum(),
        AttributeValue::Bs(blobs) => blobs.iter().map(Vec::len).sum(),
    }
}

fn kb_units(size: usize) -> u64 {
    size.div_ceil(1024).max(1) as u64
}

/// Writes of one item to the indexes (all attributes projected): an entry that appears or
/// disappears is one write, one whose keys change is two, one that stays is rewritten.
fn index_writes(before: Option<&Item>, after: Option<&Item>) -> u64 {
    let keys = |item: Option<&Item>, index: &schema::IndexDef| {
        let item = item?;
        match (item.get(index.pk), item.get(index.sk)) {
            (Some(AttributeValue::S(pk)), Some(AttributeValue::S(sk))) => {
                Some((pk.clone(), sk.clone()))
            }
            _ => None,
        }
    };
    let size = after.or(before).map(item_size).unwrap_or(0);
    schema::INDEXES
        .iter()
        .map(|index| match (keys(before, index), keys(after, index)) {
            (None, None) => 0,
            (Some(old), Some(new)) if old != new => 2 * kb_units(size),
            _ => kb_units(size),
        })
        .sum()
}

/// Units billed so far.
#[derive(Debug, Default)]
pub struct DynamoCounts {
    /// Table write units (transactional writes count double).
    pub table_write_units: AtomicU64,
    /// Index write units (indexes are written after the transaction, at standard rates).
    pub index_write_units: AtomicU64,
    /// Read units, in halves (an eventually consistent read of 4 KB is half a unit).
    pub read_half_units: AtomicU64,
    pub transactions: AtomicU64,
    /// Requests of every kind (a batch request counts once per call), and the single-item
    /// updates among them.
    pub requests: AtomicU64,
    pub updates: AtomicU64,
    pub canceled_transactions: AtomicU64,
    pub transaction_actions: AtomicU64,
    /// Time spent reading item sizes, to subtract from measured durations.
    pub probe_nanos: AtomicU64,
    /// Write units (table and indexes) by the kind of item: its partition key up to the first
    /// `#` (`LINK`, `PARTNER`, `AN`, `CLICKBATCH`, ...).
    pub write_units_by_kind: std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
}

impl DynamoCounts {
    pub fn write_units(&self) -> u64 {
        self.table_write_units.load(Ordering::Relaxed)
            + self.index_write_units.load(Ordering::Relaxed)
    }

    pub fn read_units(&self) -> f64 {
        self.read_half_units.load(Ordering::Relaxed) as f64 / 2.0
    }
}

pub struct MeteredStore {
    inner: Arc<dyn ItemStore>,
    /// Reads item sizes around each write; not metered.
    probe: Arc<dyn ItemStore>,
    pub counts: DynamoCounts,
}

impl MeteredStore {
    pub fn new(inner: Arc<dyn ItemStore>, probe: Arc<dyn ItemStore>) -> Self {
        Self {
            inner,
            probe,
            counts: DynamoCounts::default(),
        }
    }

    async fn images(&self, keys: &[Key]) -> Result<HashMap<Key, Item>, StoreError> {
        let started = std::time::Instant::now();
        let images = self.read_images(keys).await;
        self.counts
            .probe_nanos
            .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        images
    }

    async fn read_images(&self, keys: &[Key]) -> Result<HashMap<Key, Item>, StoreError> {
        let mut images = HashMap::new();
        for key in keys {
            if let Some(item) = self.probe.get(key, Consistency::Strong).await? {
                images.insert(key.clone(), item);
            }
        }
        Ok(images)
    }

    /// Bills writes of `keys` from their images before and after; `factor` 2 in transactions.
    fn bill_writes(
        &self,
        keys: &[Key],
        before: &HashMap<Key, Item>,
        after: &HashMap<Key, Item>,
        factor: u64,
    ) {
        for key in keys {
            let (old, new) = (before.get(key), after.get(key));
            let size = old
                .map(item_size)
                .unwrap_or(0)
                .max(new.map(item_size).unwrap_or(0));
            let (table, index) = (factor * kb_units(size), index_writes(old, new));
            self.counts
                .table_write_units
                .fetch_add(table, Ordering::Relaxed);
            self.counts
                .index_write_units
                .fetch_add(index, Ordering::Relaxed);
            let kind = key.pk.split('#').next().unwrap_or_default().to_owned();
            *self
                .counts
                .write_units_by_kind
                .lock()
                .expect("units by kind")
                .entry(kind)
                .or_default() += table + index;
        }
    }

    fn bill_read(&self, bytes: usize, consistency: Consistency) {
        let halves = bytes.div_ceil(4096).max(1) as u64;
        let halves = if consistency == Consistency::Strong {
            2 * halves
        } else {
            halves
        };
        self.counts
            .read_half_units
            .fetch_add(halves, Ordering::Relaxed);
    }

    async fn metered_write<T>(
        &self,
        keys: Vec<Key>,
        factor: u64,
        write: impl std::future::Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        self.counts.requests.fetch_add(1, Ordering::Relaxed);
        let before = self.images(&keys).await?;
        let result = write.await;
        let after = self.images(&keys).await?;
        // A write refused by its condition is still billed.
        self.bill_writes(&keys, &before, &after, factor);
        result
    }
}

#[async_trait]
impl ItemStore for MeteredStore {
    async fn get(&self, key: &Key, consistency: Consistency) -> Result<Option<Item>, StoreError> {
        self.counts.requests.fetch_add(1, Ordering::Relaxed);
        let item = self.inner.get(key, consistency).await?;
        self.bill_read(item.as_ref().map(item_size).unwrap_or(0), consistency);
        Ok(item)
    }

    async fn put(&self, put: Put) -> Result<(), StoreError> {
        let keys = vec![Key::of(&put.item)?];
        self.metered_write(keys, 1, self.inner.put(put)).await
    }

    async fn update(&self, update: UpdateItem) -> Result<Item, StoreError> {
        self.counts.updates.fetch_add(1, Ordering::Relaxed);
        let keys = vec![update.key.clone()];
        self.metered_write(keys, 1, self.inner.update(update)).await
    }

    async fn delete(&self, delete: Delete) -> Result<Option<Item>, StoreError> {
        let keys = vec![delete.key.clone()];
        self.metered_write(keys, 1, self.inner.delete(delete)).await
    }

    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        let keys = ops.iter().map(TxOp::key).collect::<Result<Vec<_>, _>>()?;
        self.counts.transactions.fetch_add(1, Ordering::Relaxed);
        self.counts
            .transaction_actions
            .fetch_add(ops.len() as u64, Ordering::Relaxed);
        let result = self.metered_write(keys, 2, self.inner.transact(ops)).await;
        if result.is_err() {
            self.counts
                .canceled_transactions
                .fetch_add(1, Ordering::Relaxed);
        }
        result
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.counts.requests.fetch_add(1, Ordering::Relaxed);
        let consistency = query.consistency;
        let page = self.inner.query(query).await?;
        self.bill_read(page.items.iter().map(item_size).sum(), consistency);
        Ok(page)
    }

    async fn batch_get(&self, keys: Vec<Key>) -> Result<Vec<Item>, StoreError> {
        self.counts.requests.fetch_add(1, Ordering::Relaxed);
        let items = self.inner.batch_get(keys).await?;
        for item in &items {
            self.bill_read(item_size(item), Consistency::Eventual);
        }
        Ok(items)
    }

    async fn batch_write(&self, writes: Vec<BatchWrite>) -> Result<(), StoreError> {
        let keys = writes
            .iter()
            .map(|write| match write {
                BatchWrite::Put(item) => Key::of(item),
                BatchWrite::Delete(key) => Ok(key.clone()),
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.metered_write(keys, 1, self.inner.batch_write(writes))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_units_follow_dynamodb_rules() {
        let mut item = Key::new("PARTNER#pn_1", "PARTNER").to_item();
        // pk (2 + 12) + sk (2 + 7)
        assert_eq!(item_size(&item), 23);
        item.insert("clicks".into(), AttributeValue::N("12345".into()));
        // + 6 + (3 + 1)
        assert_eq!(item_size(&item), 33);
        assert_eq!(kb_units(0), 1);
        assert_eq!(kb_units(1024), 1);
        assert_eq!(kb_units(1025), 2);
        assert_eq!(chunks(0), 1);
        assert_eq!(chunks(SQS_CHUNK), 1);
        assert_eq!(chunks(SQS_CHUNK + 1), 2);
    }

    #[test]
    fn index_entries_are_billed_when_they_exist() {
        let plain = Key::new("a", "b").to_item();
        assert_eq!(index_writes(Some(&plain), Some(&plain)), 0);
        let mut listed = plain.clone();
        listed.insert("gsi1pk".into(), AttributeValue::S("P".into()));
        listed.insert("gsi1sk".into(), AttributeValue::S("1".into()));
        assert_eq!(index_writes(Some(&listed), Some(&listed)), 1);
        assert_eq!(index_writes(None, Some(&listed)), 1);
        let mut moved = listed.clone();
        moved.insert("gsi1pk".into(), AttributeValue::S("Q".into()));
        assert_eq!(index_writes(Some(&listed), Some(&moved)), 2);
    }
}
