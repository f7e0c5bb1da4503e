//! The base of the test stores that wrap another one (`FaultyStore`, `SerialWrites`,
//! `Counting`): a [`StoreLayer`] passes every operation to its inner store unless it says
//! otherwise, and `store_layer!(Type)` makes it an `ItemStore`. A wrapper then holds only
//! what it changes.

use async_trait::async_trait;
use shared::store::{
    BatchWrite, Consistency, Delete, Item, ItemStore, Key, Page, Put, Query, StoreError, TxOp,
    UpdateItem,
};

#[async_trait]
pub trait StoreLayer: Send + Sync {
    fn inner(&self) -> &dyn ItemStore;

    async fn get(&self, key: &Key, consistency: Consistency) -> Result<Option<Item>, StoreError> {
        self.inner().get(key, consistency).await
    }
    async fn put(&self, put: Put) -> Result<(), StoreError> {
        self.inner().put(put).await
    }
    async fn update(&self, update: UpdateItem) -> Result<Item, StoreError> {
        self.inner().update(update).await
    }
    async fn delete(&self, delete: Delete) -> Result<Option<Item>, StoreError> {
        self.inner().delete(delete).await
    }
    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        self.inner().transact(ops).await
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.inner().query(query).await
    }
    async fn batch_get(&self, keys: Vec<Key>) -> Result<Vec<Item>, StoreError> {
        self.inner().batch_get(keys).await
    }
    async fn batch_write(&self, writes: Vec<BatchWrite>) -> Result<(), StoreError> {
        self.inner().batch_write(writes).await
    }
}

/// `impl ItemStore for $type` through its [`StoreLayer`].
#[macro_export]
macro_rules! store_layer {
    ($type:ty) => {
        #[async_trait::async_trait]
        impl shared::store::ItemStore for $type {
            async fn get(
                &self,
                key: &shared::store::Key,
                consistency: shared::store::Consistency,
            ) -> Result<Option<shared::store::Item>, shared::store::StoreError> {
                $crate::store_layer::StoreLayer::get(self, key, consistency).await
            }
            async fn put(&self, put: shared::store::Put) -> Result<(), shared::store::StoreError> {
                $crate::store_layer::StoreLayer::put(self, put).await
            }
            async fn update(
                &self,
                update: shared::store::UpdateItem,
            ) -> Result<shared::store::Item, shared::store::StoreError> {
                $crate::store_layer::StoreLayer::update(self, update).await
            }
            async fn delete(
                &self,
                delete: shared::store::Delete,
            ) -> Result<Option<shared::store::Item>, shared::store::StoreError> {
                $crate::store_layer::StoreLayer::delete(self, delete).await
            }
            async fn transact(
                &self,
                ops: Vec<shared::store::TxOp>,
            ) -> Result<(), shared::store::StoreError> {
                $crate::store_layer::StoreLayer::transact(self, ops).await
            }
            async fn query(
                &self,
                query: shared::store::Query,
            ) -> Result<shared::store::Page, shared::store::StoreError> {
                $crate::store_layer::StoreLayer::query(self, query).await
            }
            async fn batch_get(
                &self,
                keys: Vec<shared::store::Key>,
            ) -> Result<Vec<shared::store::Item>, shared::store::StoreError> {
                $crate::store_layer::StoreLayer::batch_get(self, keys).await
            }
            async fn batch_write(
                &self,
                writes: Vec<shared::store::BatchWrite>,
            ) -> Result<(), shared::store::StoreError> {
                $crate::store_layer::StoreLayer::batch_write(self, writes).await
            }
        }
    };
}
