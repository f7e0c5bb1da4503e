//! The embedded engine of the item-store port: in memory, optionally durable in a redb file.
//!
//! The whole dataset lives in memory behind one lock, so every call (and every transaction) is
//! atomic and linearizable. With a file, each commit is written through in one redb
//! transaction before the call returns, and the file is read back at open.

mod condition;
mod durable;
mod number;
mod query;
mod table;
mod update;
mod validate;

use self::durable::DurableFile;
use self::table::{Change, Table};
use crate::store::{
    BatchWrite, CancelReason, Condition, Consistency, Delete, Item, ItemStore, Key,
    MAX_BATCH_WRITE, MAX_TRANSACTION_OPS, Page, Put, Query, StoreError, TxOp, UpdateItem, schema,
};
use async_trait::async_trait;
use std::collections::HashSet;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

pub struct EmbeddedStore {
    table: Mutex<Table>,
    file: Option<DurableFile>,
}

impl EmbeddedStore {
    /// A store that lives only as long as this value.
    pub fn in_memory() -> Self {
        Self {
            table: Mutex::new(Table::default()),
            file: None,
        }
    }

    /// A store kept in the redb file at `path` (created when missing).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let (file, items) = DurableFile::open(path.as_ref())?;
        let mut table = Table::default();
        for item in items {
            let key = Key::of(&item)?;
            table.apply(Change {
                key,
                item: Some(item),
            });
        }
        Ok(Self {
            table: Mutex::new(table),
            file: Some(file),
        })
    }

    /// Removes items whose numeric `ttl` is before `now_epoch_seconds`; returns how many.
    /// Until swept, expired items stay readable, as with DynamoDB's TTL.
    pub fn sweep_expired(&self, now_epoch_seconds: i64) -> Result<usize, StoreError> {
        let mut table = self.lock();
        let changes: Vec<Change> = table
            .expired(schema::TTL, now_epoch_seconds)
            .into_iter()
            .map(|key| Change { key, item: None })
            .collect();
        let removed = changes.len();
        self.commit(&mut table, changes)?;
        Ok(removed)
    }

    /// Rewrites the file to the size of its data when it has had at least `after_commits`
    /// commits since the last compaction; returns whether it did. Writes wait meanwhile (about
    /// a second per 200 MB of data), so the local stack calls it when idle.
    pub fn compact_if_grown(&self, after_commits: u64) -> Result<bool, StoreError> {
        let Some(file) = &self.file else {
            return Ok(false);
        };
        let _writes_wait = self.lock();
        if file.commits() < after_commits {
            return Ok(false);
        }
        file.compact()?;
        Ok(true)
    }

    /// Commits to the file since its last compaction (0 in memory).
    pub fn commits_since_compaction(&self) -> u64 {
        self.file.as_ref().map_or(0, DurableFile::commits)
    }

    // Nothing inside the lock panics halfway through a change, so a poisoned lock still
    // guards a consistent table.
    fn lock(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Persists the changes (when durable), then applies them in memory.
    fn commit(&self, table: &mut Table, changes: Vec<Change>) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        if let Some(file) = &self.file {
            file.write(&changes)?;
        }
        for change in changes {
            table.apply(change);
        }
        Ok(())
    }
}

fn check_condition(
    condition: Option<&Condition>,
    current: Option<&Item>,
) -> Result<(), StoreError> {
    match condition {
        Some(condition) if !condition::holds(condition, current) => {
            Err(StoreError::ConditionFailed {
                current: current.cloned().map(Box::new),
            })
        }
        _ => Ok(()),
    }
}

fn validate_condition(condition: Option<&Condition>) -> Result<(), StoreError> {
    condition.map_or(Ok(()), condition::validate)
}

/// Checks that need no stored data; returns the op's key.
fn validate_tx_op(op: &TxOp) -> Result<Key, StoreError> {
    match op {
        TxOp::Put(put) => {
            validate_condition(put.condition.as_ref())?;
            validate::item(&put.item)
        }
        TxOp::Update(update) => {
            validate_condition(update.condition.as_ref())?;
            update::check(&update.update)?;
            validate::key(&update.key)?;
            Ok(update.key.clone())
        }
        TxOp::Delete(delete) => {
            validate_condition(delete.condition.as_ref())?;
            validate::key(&delete.key)?;
            Ok(delete.key.clone())
        }
        TxOp::Check { key, condition } => {
            condition::validate(condition)?;
            validate::key(key)?;
            Ok(key.clone())
        }
    }
}

/// Evaluates one op of a transaction against the current item: its change, or why it fails.
fn plan_tx_op(
    op: &TxOp,
    key: &Key,
    current: Option<&Item>,
) -> Result<Option<Change>, CancelReason> {
    let condition = match op {
        TxOp::Put(put) => put.condition.as_ref(),
        TxOp::Update(update) => update.condition.as_ref(),
        TxOp::Delete(delete) => delete.condition.as_ref(),
        TxOp::Check { condition, .. } => Some(condition),
    };
    if condition.is_some_and(|condition| !condition::holds(condition, current)) {
        return Err(CancelReason::ConditionFailed);
    }
    let item = match op {
        TxOp::Put(put) => Some(put.item.clone()),
        TxOp::Update(update) => {
            let validation_error = |_| CancelReason::Other("ValidationError".into());
            let item = update::apply(current, key, &update.update).map_err(validation_error)?;
            validate::item(&item).map_err(validation_error)?;
            Some(item)
        }
        TxOp::Delete(_) => None,
        TxOp::Check { .. } => return Ok(None),
    };
    Ok(Some(Change {
        key: key.clone(),
        item,
    }))
}

#[async_trait]
impl ItemStore for EmbeddedStore {
    // Every read sees the latest commit, so eventual reads are strong too.
    async fn get(&self, key: &Key, _consistency: Consistency) -> Result<Option<Item>, StoreError> {
        validate::key(key)?;
        Ok(self.lock().get(key).cloned())
    }

    async fn put(&self, put: Put) -> Result<(), StoreError> {
        let key = validate::item(&put.item)?;
        validate_condition(put.condition.as_ref())?;
        let mut table = self.lock();
        check_condition(put.condition.as_ref(), table.get(&key))?;
        self.commit(
            &mut table,
            vec![Change {
                key,
                item: Some(put.item),
            }],
        )
    }

    async fn update(&self, update: UpdateItem) -> Result<Item, StoreError> {
        validate::key(&update.key)?;
        update::check(&update.update)?;
        validate_condition(update.condition.as_ref())?;
        let mut table = self.lock();
        let current = table.get(&update.key);
        check_condition(update.condition.as_ref(), current)?;
        let item = update::apply(current, &update.key, &update.update)?;
        validate::item(&item)?;
        let change = Change {
            key: update.key,
            item: Some(item.clone()),
        };
        self.commit(&mut table, vec![change])?;
        Ok(item)
    }

    async fn delete(&self, delete: Delete) -> Result<Option<Item>, StoreError> {
        validate::key(&delete.key)?;
        validate_condition(delete.condition.as_ref())?;
        let mut table = self.lock();
        let old = table.get(&delete.key).cloned();
        check_condition(delete.condition.as_ref(), old.as_ref())?;
        if old.is_some() {
            let change = Change {
                key: delete.key,
                item: None,
            };
            self.commit(&mut table, vec![change])?;
        }
        Ok(old)
    }

    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        if ops.is_empty() || ops.len() > MAX_TRANSACTION_OPS {
            return Err(StoreError::Validation(format!(
                "a transaction takes 1 to {MAX_TRANSACTION_OPS} actions, not {}",
                ops.len()
            )));
        }
        let keys: Vec<Key> = ops.iter().map(validate_tx_op).collect::<Result<_, _>>()?;
        if keys.iter().collect::<HashSet<_>>().len() != keys.len() {
            return Err(StoreError::Validation(
                "a transaction cannot act on one item twice".into(),
            ));
        }
        let mut table = self.lock();
        let mut changes = Vec::new();
        let mut reasons = Vec::with_capacity(ops.len());
        for (op, key) in ops.iter().zip(&keys) {
            match plan_tx_op(op, key, table.get(key)) {
                Ok(change) => {
                    changes.extend(change);
                    reasons.push(CancelReason::None);
                }
                Err(reason) => reasons.push(reason),
            }
        }
        if reasons.iter().any(|reason| *reason != CancelReason::None) {
            return Err(StoreError::TransactionCanceled { reasons });
        }
        self.commit(&mut table, changes)
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        query::run(&self.lock(), &query)
    }

    async fn batch_get(&self, keys: Vec<Key>) -> Result<Vec<Item>, StoreError> {
        keys.iter().try_for_each(validate::key)?;
        if keys.iter().collect::<HashSet<_>>().len() != keys.len() {
            return Err(StoreError::Validation(
                "one batch of keys names an item twice".into(),
            ));
        }
        let table = self.lock();
        Ok(keys
            .iter()
            .filter_map(|key| table.get(key).cloned())
            .collect())
    }

    // Validates every chunk before writing any, then commits the whole batch at once.
    async fn batch_write(&self, writes: Vec<BatchWrite>) -> Result<(), StoreError> {
        let mut changes = Vec::with_capacity(writes.len());
        let mut seen = HashSet::new();
        for chunk in writes.chunks(MAX_BATCH_WRITE) {
            for write in chunk {
                let change = match write {
                    BatchWrite::Put(item) => Change {
                        key: validate::item(item)?,
                        item: Some(item.clone()),
                    },
                    BatchWrite::Delete(key) => {
                        validate::key(key)?;
                        Change {
                            key: key.clone(),
                            item: None,
                        }
                    }
                };
                if !seen.insert(change.key.clone()) {
                    return Err(StoreError::Validation(
                        "one batch of writes names an item twice".into(),
                    ));
                }
                changes.push(change);
            }
        }
        let mut table = self.lock();
        self.commit(&mut table, changes)
    }
}
