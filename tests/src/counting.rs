//! What the reports of the read paths count and time (`partner_listing_report`,
//! `analytics_report`): a store that counts what reads return, whatever the engine, and the
//! percentiles of their timings.

use crate::store_layer::StoreLayer;
use shared::store::{Consistency, Item, ItemStore, Key, Page, Query, StoreError};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counts the items every read returns, whatever the engine.
pub struct Counting {
    inner: Arc<dyn ItemStore>,
    items: AtomicU64,
    calls: AtomicU64,
}

impl Counting {
    pub fn new(inner: Arc<dyn ItemStore>) -> Self {
        Self {
            inner,
            items: AtomicU64::new(0),
            calls: AtomicU64::new(0),
        }
    }
}

impl Counting {
    /// Items read and read calls since the last take.
    pub fn take(&self) -> (u64, u64) {
        (
            self.items.swap(0, Ordering::Relaxed),
            self.calls.swap(0, Ordering::Relaxed),
        )
    }

    fn read(&self, items: usize) {
        self.items.fetch_add(items as u64, Ordering::Relaxed);
        self.calls.fetch_add(1, Ordering::Relaxed);
    }
}

#[async_trait::async_trait]
impl StoreLayer for Counting {
    fn inner(&self) -> &dyn ItemStore {
        self.inner.as_ref()
    }

    async fn get(&self, key: &Key, consistency: Consistency) -> Result<Option<Item>, StoreError> {
        let found = self.inner.get(key, consistency).await?;
        self.read(usize::from(found.is_some()));
        Ok(found)
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        let page = self.inner.query(query).await?;
        self.read(page.items.len());
        Ok(page)
    }

    async fn batch_get(&self, keys: Vec<Key>) -> Result<Vec<Item>, StoreError> {
        let items = self.inner.batch_get(keys).await?;
        self.read(items.len());
        Ok(items)
    }
}

crate::store_layer!(Counting);

/// The `p` percentile (0 to 1) of sorted durations, in milliseconds.
pub fn percentile(sorted: &[std::time::Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}
