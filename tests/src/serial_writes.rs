//! moto's `TransactWriteItems` is not atomic under concurrent calls: it copies whole tables
//! and restores the copy when a transaction fails, erasing writes committed meanwhile.
//! DynamoDB has no such gap, so tests on moto serialise writes; reads stay concurrent, and
//! requests still interleave between their reads and their conditional writes.

use async_trait::async_trait;
use shared::store::{
    BatchWrite, Consistency, Delete, Item, ItemStore, Key, Page, Put, Query, StoreError, TxOp,
    UpdateItem,
};
use std::sync::Arc;
use tokio::sync::Mutex;

pub struct SerialWrites {
    inner: Arc<dyn ItemStore>,
    writing: Mutex<()>,
}

impl SerialWrites {
    pub fn new(inner: Arc<dyn ItemStore>) -> Self {
        Self {
            inner,
            writing: Mutex::new(()),
        }
    }
}

#[async_trait]
impl ItemStore for SerialWrites {
    async fn get(&self, key: &Key, consistency: Consistency) -> Result<Option<Item>, StoreError> {
        self.inner.get(key, consistency).await
    }

    async fn put(&self, put: Put) -> Result<(), StoreError> {
        let _writing = self.writing.lock().await;
        self.inner.put(put).await
    }

    async fn update(&self, update: UpdateItem) -> Result<Item, StoreError> {
        let _writing = self.writing.lock().await;
        self.inner.update(update).await
    }

    async fn delete(&self, delete: Delete) -> Result<Option<Item>, StoreError> {
        let _writing = self.writing.lock().await;
        self.inner.delete(delete).await
    }

    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        let _writing = self.writing.lock().await;
        self.inner.transact(ops).await
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }

    async fn batch_get(&self, keys: Vec<Key>) -> Result<Vec<Item>, StoreError> {
        self.inner.batch_get(keys).await
    }

    async fn batch_write(&self, writes: Vec<BatchWrite>) -> Result<(), StoreError> {
        let _writing = self.writing.lock().await;
        self.inner.batch_write(writes).await
    }
}
