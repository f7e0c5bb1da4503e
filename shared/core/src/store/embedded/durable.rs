//! Write-through persistence of the table in a redb file: one redb transaction per commit.
//!
//! redb writes copy-on-write: every commit writes new pages and frees old ones, and a freed
//! page is reused only for later data of a size that fits it, so a file written one small
//! commit at a time grows well past its data, and never shrinks when items are deleted.
//! [`DurableFile::compact`] rewrites the file to its data; the store compacts it at open and,
//! while running, when it has been idle after many commits (`EmbeddedStore::compact_if_idle`).

use super::table::Change;
use crate::store::{Item, StoreError};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::path::Path;

/// Items by `(pk, sk)`, each stored as DynamoDB JSON.
const ITEMS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("items");

pub(super) struct DurableFile {
    /// Writes and compaction are serialised by the store's table lock; this lock only gives
    /// compaction the `&mut` it needs.
    database: std::sync::Mutex<Database>,
    /// Commits since the last compaction.
    commits: std::sync::atomic::AtomicU64,
}

impl DurableFile {
    /// Opens (or creates) the file and reads back every stored item.
    pub(super) fn open(path: &Path) -> Result<(Self, Vec<Item>), StoreError> {
        let database = Database::create(path).map_err(StoreError::engine)?;
        let setup = database.begin_write().map_err(StoreError::engine)?;
        setup.open_table(ITEMS).map_err(StoreError::engine)?;
        setup.commit().map_err(StoreError::engine)?;

        let mut items = Vec::new();
        {
            let read = database.begin_read().map_err(StoreError::engine)?;
            let table = read.open_table(ITEMS).map_err(StoreError::engine)?;
            for entry in table.iter().map_err(StoreError::engine)? {
                let (_, value) = entry.map_err(StoreError::engine)?;
                items.push(serde_json::from_slice(value.value()).map_err(StoreError::engine)?);
            }
        }
        let file = Self {
            database: std::sync::Mutex::new(database),
            commits: Default::default(),
        };
        file.compact()?;
        Ok((file, items))
    }

    fn database(&self) -> std::sync::MutexGuard<'_, Database> {
        self.database
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Commits since the last compaction.
    pub(super) fn commits(&self) -> u64 {
        self.commits.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Rewrites the file to the size of its data (the caller holds the table lock, so no write
    /// runs meanwhile).
    pub(super) fn compact(&self) -> Result<(), StoreError> {
        let mut database = self.database();
        // Each pass moves what it can; a few passes leave only live pages.
        for _ in 0..4 {
            if !database.compact().map_err(StoreError::engine)? {
                break;
            }
        }
        self.commits.store(0, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// Writes all changes in one transaction, so a crash keeps all or none of them.
    pub(super) fn write(&self, changes: &[Change]) -> Result<(), StoreError> {
        self.commits
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let transaction = self.database().begin_write().map_err(StoreError::engine)?;
        {
            let mut table = transaction.open_table(ITEMS).map_err(StoreError::engine)?;
            for change in changes {
                let key = (change.key.pk.as_str(), change.key.sk.as_str());
                match &change.item {
                    Some(item) => {
                        let json = serde_json::to_vec(item).map_err(StoreError::engine)?;
                        table
                            .insert(key, json.as_slice())
                            .map_err(StoreError::engine)?;
                    }
                    None => {
                        table.remove(key).map_err(StoreError::engine)?;
                    }
                }
            }
        }
        transaction.commit().map_err(StoreError::engine)
    }
}
