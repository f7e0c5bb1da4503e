//! moto's `TransactWriteItems` is not atomic under concurrent calls: it copies whole tables
//! and restores the copy when a transaction fails, erasing writes committed meanwhile.
//! DynamoDB has no such gap, so tests on moto serialise writes; reads stay concurrent, and
//! requests still interleave between their reads and their conditional writes.

use crate::store_layer::StoreLayer;
use shared::store::{BatchWrite, Delete, Item, ItemStore, Put, StoreError, TxOp, UpdateItem};
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

#[async_trait::async_trait]
impl StoreLayer for SerialWrites {
    fn inner(&self) -> &dyn ItemStore {
        self.inner.as_ref()
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

    async fn batch_write(&self, writes: Vec<BatchWrite>) -> Result<(), StoreError> {
        let _writing = self.writing.lock().await;
        self.inner.batch_write(writes).await
    }
}

crate::store_layer!(SerialWrites);
