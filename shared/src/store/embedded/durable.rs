//! Write-through persistence of the table in a redb file: one redb transaction per commit.

use super::table::Change;
use crate::store::{Item, StoreError};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::path::Path;

/// Items by `(pk, sk)`, each stored as DynamoDB JSON.
const ITEMS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("items");

pub(super) struct DurableFile {
    database: Database,
}

impl DurableFile {
    /// Opens (or creates) the file and reads back every stored item.
    pub(super) fn open(path: &Path) -> Result<(Self, Vec<Item>), StoreError> {
        let database = Database::create(path).map_err(StoreError::engine)?;
        let setup = database.begin_write().map_err(StoreError::engine)?;
        setup.open_table(ITEMS).map_err(StoreError::engine)?;
        setup.commit().map_err(StoreError::engine)?;

        let read = database.begin_read().map_err(StoreError::engine)?;
        let table = read.open_table(ITEMS).map_err(StoreError::engine)?;
        let mut items = Vec::new();
        for entry in table.iter().map_err(StoreError::engine)? {
            let (_, value) = entry.map_err(StoreError::engine)?;
            items.push(serde_json::from_slice(value.value()).map_err(StoreError::engine)?);
        }
        Ok((Self { database }, items))
    }

    /// Writes all changes in one transaction, so a crash keeps all or none of them.
    pub(super) fn write(&self, changes: &[Change]) -> Result<(), StoreError> {
        let transaction = self.database.begin_write().map_err(StoreError::engine)?;
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
