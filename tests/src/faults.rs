//! A store that fails chosen writes, as a process that died or a table that refused would:
//! for the tests of what survives a failure half-way.

use crate::store_layer::StoreLayer;
use shared::store::{Item, ItemStore, StoreError, TxOp, UpdateItem};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Which writes fail.
enum Fault {
    /// The transactions whose number (from 1) the predicate accepts.
    Transactions(Box<dyn Fn(usize) -> bool + Send + Sync>),
    /// Single-item updates of items whose partition key starts with the prefix, after the
    /// first `allowed` of them.
    Updates { prefix: String, allowed: usize },
}

pub struct FaultyStore {
    inner: Arc<dyn ItemStore>,
    fault: Fault,
    calls: AtomicUsize,
}

impl FaultyStore {
    /// Fails the `n`-th transactions (counted from 1) for which `fails(n)` holds.
    pub fn failing_transactions(
        inner: Arc<dyn ItemStore>,
        fails: impl Fn(usize) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self {
            inner,
            fault: Fault::Transactions(Box::new(fails)),
            calls: AtomicUsize::new(0),
        }
    }

    /// Fails every single-item update of an item under `prefix` after the first `allowed`.
    pub fn failing_updates(inner: Arc<dyn ItemStore>, prefix: &str, allowed: usize) -> Self {
        Self {
            inner,
            fault: Fault::Updates {
                prefix: prefix.to_owned(),
                allowed,
            },
            calls: AtomicUsize::new(0),
        }
    }

    fn injected() -> StoreError {
        StoreError::engine(std::io::Error::other("injected failure"))
    }
}

#[async_trait::async_trait]
impl StoreLayer for FaultyStore {
    fn inner(&self) -> &dyn ItemStore {
        self.inner.as_ref()
    }

    async fn update(&self, update: UpdateItem) -> Result<Item, StoreError> {
        if let Fault::Updates { prefix, allowed } = &self.fault
            && update.key.pk.starts_with(prefix.as_str())
            && self.calls.fetch_add(1, Ordering::SeqCst) >= *allowed
        {
            return Err(Self::injected());
        }
        self.inner.update(update).await
    }

    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        if let Fault::Transactions(fails) = &self.fault
            && fails(self.calls.fetch_add(1, Ordering::SeqCst) + 1)
        {
            return Err(Self::injected());
        }
        self.inner.transact(ops).await
    }
}

crate::store_layer!(FaultyStore);
