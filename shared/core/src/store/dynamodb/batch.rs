//! `BatchGetItem` and `BatchWriteItem`: chunking to DynamoDB's limits and retrying the
//! unprocessed part with backoff.

use super::errors::{self, from_sdk};
use super::{DynamoDbStore, Operation, SdkItem, chunks, key_item};
use crate::store::{BatchWrite, Item, Key, MAX_BATCH_GET, MAX_BATCH_WRITE, StoreError};
use aws_sdk_dynamodb::types::{self as sdk, ReturnConsumedCapacity};

impl DynamoDbStore {
    pub(super) async fn batch_get_all(&self, keys: Vec<Key>) -> Result<Vec<Item>, StoreError> {
        let mut found = Vec::with_capacity(keys.len());
        for chunk in chunks::distinct_keys(keys, MAX_BATCH_GET)? {
            let pending = chunk.iter().map(key_item).collect();
            self.batch_get_chunk(pending, &mut found).await?;
        }
        Ok(found)
    }

    pub(super) async fn batch_write_all(&self, writes: Vec<BatchWrite>) -> Result<(), StoreError> {
        let requests = writes
            .into_iter()
            .map(write_request)
            .collect::<Result<Vec<_>, _>>()?;
        for chunk in chunks::by_key(requests, MAX_BATCH_WRITE)? {
            self.batch_write_chunk(chunk).await?;
        }
        Ok(())
    }

    /// Reads one chunk of keys, retrying the unprocessed ones.
    async fn batch_get_chunk(
        &self,
        mut pending: Vec<SdkItem>,
        found: &mut Vec<Item>,
    ) -> Result<(), StoreError> {
        let mut retry = 0;
        loop {
            let keys = sdk::KeysAndAttributes::builder()
                .set_keys(Some(pending))
                .build()
                .map_err(StoreError::engine)?;
            self.stats.request(Operation::BatchGetItem);
            let output = self
                .client
                .batch_get_item()
                .request_items(&self.table, keys)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(from_sdk)?;
            self.stats
                .consumed(Operation::BatchGetItem, output.consumed_capacity());
            let items = output.responses.and_then(|mut r| r.remove(&self.table));
            found.extend(items.into_iter().flatten().map(Item::from));
            pending = output
                .unprocessed_keys
                .and_then(|mut unprocessed| unprocessed.remove(&self.table))
                .map(|keys| keys.keys)
                .unwrap_or_default();
            if pending.is_empty() {
                return Ok(());
            }
            retry = self.batch_retry(retry, pending.len()).await?;
        }
    }

    /// Writes one chunk, retrying the unprocessed requests.
    async fn batch_write_chunk(
        &self,
        mut pending: Vec<sdk::WriteRequest>,
    ) -> Result<(), StoreError> {
        let mut retry = 0;
        loop {
            self.stats.request(Operation::BatchWriteItem);
            let output = self
                .client
                .batch_write_item()
                .request_items(&self.table, pending)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(from_sdk)?;
            self.stats
                .consumed(Operation::BatchWriteItem, output.consumed_capacity());
            pending = output
                .unprocessed_items
                .and_then(|mut unprocessed| unprocessed.remove(&self.table))
                .unwrap_or_default();
            if pending.is_empty() {
                return Ok(());
            }
            retry = self.batch_retry(retry, pending.len()).await?;
        }
    }

    /// Waits before the next round of a batch, or gives up when the retries are spent.
    async fn batch_retry(&self, retry: u32, unprocessed: usize) -> Result<u32, StoreError> {
        if retry + 1 >= self.batch_backoff.attempts {
            return Err(StoreError::Throttled(Box::new(errors::Unprocessed(
                unprocessed,
            ))));
        }
        tracing::debug!(unprocessed, retry, "retrying unprocessed batch requests");
        self.batch_backoff.sleep(retry).await;
        Ok(retry + 1)
    }
}

/// One put or delete of a batch, with its key for chunking.
fn write_request(write: BatchWrite) -> Result<(Key, sdk::WriteRequest), StoreError> {
    let request = sdk::WriteRequest::builder();
    Ok(match write {
        BatchWrite::Put(item) => {
            let key = Key::of(&item)?;
            let put = sdk::PutRequest::builder()
                .set_item(Some(item.into()))
                .build()
                .map_err(StoreError::engine)?;
            (key, request.put_request(put).build())
        }
        BatchWrite::Delete(key) => {
            let delete = sdk::DeleteRequest::builder()
                .set_key(Some(key_item(&key)))
                .build()
                .map_err(StoreError::engine)?;
            (key, request.delete_request(delete).build())
        }
    })
}
