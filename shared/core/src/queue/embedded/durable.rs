//! Persistence of queued messages in a redb file. In-flight state is not kept: after a restart
//! every message is visible again (its delay, if still running, is kept).

use crate::queue::QueueError;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Messages by `(queue name, sequence number)`, as JSON.
const MESSAGES: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("messages");

/// What survives a restart of one message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct StoredMessage {
    pub id: String,
    pub body: String,
    pub receive_count: u32,
    /// Wall-clock end of the send delay, in epoch milliseconds.
    pub delayed_until_ms: u64,
}

/// One change to the file.
pub(super) enum FileWrite<'a> {
    Put {
        queue: &'a str,
        sequence: u64,
        message: StoredMessage,
    },
    Remove {
        queue: &'a str,
        sequence: u64,
    },
}

pub(super) struct QueueFile {
    database: Database,
}

impl QueueFile {
    /// Opens (or creates) the file; also returns the highest sequence number in it.
    pub(super) fn open(path: &Path) -> Result<(Self, u64), QueueError> {
        let database = Database::create(path).map_err(QueueError::engine)?;
        let setup = database.begin_write().map_err(QueueError::engine)?;
        setup.open_table(MESSAGES).map_err(QueueError::engine)?;
        setup.commit().map_err(QueueError::engine)?;
        let read = database.begin_read().map_err(QueueError::engine)?;
        let table = read.open_table(MESSAGES).map_err(QueueError::engine)?;
        let mut highest = 0;
        for entry in table.iter().map_err(QueueError::engine)? {
            let (key, _) = entry.map_err(QueueError::engine)?;
            highest = highest.max(key.value().1);
        }
        Ok((Self { database }, highest))
    }

    /// The messages of one queue in sequence order.
    pub(super) fn load(&self, queue: &str) -> Result<Vec<(u64, StoredMessage)>, QueueError> {
        let read = self.database.begin_read().map_err(QueueError::engine)?;
        let table = read.open_table(MESSAGES).map_err(QueueError::engine)?;
        let mut messages = Vec::new();
        for entry in table
            .range((queue, 0)..=(queue, u64::MAX))
            .map_err(QueueError::engine)?
        {
            let (key, value) = entry.map_err(QueueError::engine)?;
            let message = serde_json::from_slice(value.value()).map_err(QueueError::engine)?;
            messages.push((key.value().1, message));
        }
        Ok(messages)
    }

    /// Applies all writes in one transaction.
    pub(super) fn write(&self, writes: &[FileWrite<'_>]) -> Result<(), QueueError> {
        if writes.is_empty() {
            return Ok(());
        }
        let transaction = self.database.begin_write().map_err(QueueError::engine)?;
        {
            let mut table = transaction
                .open_table(MESSAGES)
                .map_err(QueueError::engine)?;
            for write in writes {
                match write {
                    FileWrite::Put {
                        queue,
                        sequence,
                        message,
                    } => {
                        let json = serde_json::to_vec(message).map_err(QueueError::engine)?;
                        table
                            .insert((*queue, *sequence), json.as_slice())
                            .map_err(QueueError::engine)?;
                    }
                    FileWrite::Remove { queue, sequence } => {
                        table
                            .remove((*queue, *sequence))
                            .map_err(QueueError::engine)?;
                    }
                }
            }
        }
        transaction.commit().map_err(QueueError::engine)
    }
}
