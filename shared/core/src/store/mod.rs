//! The item-store port: one interface shaped after DynamoDB's single-table operations.
//!
//! Every repository is written once against [`ItemStore`]; each engine (DynamoDB, embedded)
//! honours the same conditions, transactions and queries, which the conformance suite checks.

mod cursor;
mod error;
mod expr;
pub mod records;
pub mod schema;
mod value;

pub mod dynamodb;
pub mod embedded;

pub use cursor::{cursor_after, decode_cursor, encode_cursor, query_cursor};
pub use error::{CancelReason, StoreError};
pub use expr::{Condition, RangeCondition, Update, UpdateAction};
pub use value::{from_item, get_n, get_s, n, s, to_item};

pub use serde_dynamo::{AttributeValue, Item};

use async_trait::async_trait;

/// DynamoDB's limit on actions in one `TransactWriteItems`.
pub const MAX_TRANSACTION_OPS: usize = 100;
/// DynamoDB's limit on requests in one `BatchWriteItem`.
pub const MAX_BATCH_WRITE: usize = 25;
/// DynamoDB's limit on keys in one `BatchGetItem`.
pub const MAX_BATCH_GET: usize = 100;
/// DynamoDB's limit on one item's size.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// The primary key of an item: partition key `pk` and sort key `sk`, both strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }

    /// Reads the key attributes of an item.
    pub fn of(item: &Item) -> Result<Self, StoreError> {
        match (item.get(schema::PK), item.get(schema::SK)) {
            (Some(AttributeValue::S(pk)), Some(AttributeValue::S(sk))) => Ok(Self::new(pk, sk)),
            _ => Err(StoreError::Validation(
                "item must carry string attributes pk and sk".into(),
            )),
        }
    }

    /// The key as an item holding only `pk` and `sk`.
    pub fn to_item(&self) -> Item {
        let mut item = Item::from(std::collections::HashMap::<String, AttributeValue>::new());
        item.insert(schema::PK.into(), AttributeValue::S(self.pk.clone()));
        item.insert(schema::SK.into(), AttributeValue::S(self.sk.clone()));
        item
    }
}

/// Whether a read must see every write acknowledged before it (`ConsistentRead`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Consistency {
    #[default]
    Eventual,
    Strong,
}

/// Writes an item whole, replacing any item with the same key.
#[derive(Debug, Clone)]
pub struct Put {
    pub item: Item,
    pub condition: Option<Condition>,
}

/// Changes attributes of one item, creating it when absent (as `UpdateItem` does).
#[derive(Debug, Clone)]
pub struct UpdateItem {
    pub key: Key,
    pub update: Update,
    pub condition: Option<Condition>,
}

/// Removes one item.
#[derive(Debug, Clone)]
pub struct Delete {
    pub key: Key,
    pub condition: Option<Condition>,
}

/// One action of an all-or-nothing transaction.
#[derive(Debug, Clone)]
pub enum TxOp {
    Put(Put),
    Update(UpdateItem),
    Delete(Delete),
    /// Only checks a condition on an item; writes nothing.
    Check {
        key: Key,
        condition: Condition,
    },
}

impl TxOp {
    pub fn key(&self) -> Result<Key, StoreError> {
        match self {
            TxOp::Put(put) => Key::of(&put.item),
            TxOp::Update(update) => Ok(update.key.clone()),
            TxOp::Delete(delete) => Ok(delete.key.clone()),
            TxOp::Check { key, .. } => Ok(key.clone()),
        }
    }
}

/// One request of a batch write: unconditional put or delete.
#[derive(Debug, Clone)]
pub enum BatchWrite {
    Put(Item),
    Delete(Key),
}

/// A query of one partition, on the table or on a global secondary index.
#[derive(Debug, Clone)]
pub struct Query {
    /// `None` queries the table; otherwise the name of an index in [`schema::INDEXES`].
    pub index: Option<&'static str>,
    /// The partition key value (of the table or of the index).
    pub partition: String,
    /// A condition on the sort key (of the table or of the index).
    pub range: Option<RangeCondition>,
    /// Ascending sort-key order when true (`ScanIndexForward`).
    pub forward: bool,
    /// The most items to return in this page (`Limit`).
    pub limit: Option<u32>,
    /// An opaque cursor from a previous [`Page`].
    pub cursor: Option<String>,
    /// Strong consistency is allowed on the table only, as in DynamoDB.
    pub consistency: Consistency,
}

impl Query {
    /// An ascending query of a table partition.
    pub fn table(partition: impl Into<String>) -> Self {
        Self {
            index: None,
            partition: partition.into(),
            range: None,
            forward: true,
            limit: None,
            cursor: None,
            consistency: Consistency::Eventual,
        }
    }

    /// An ascending query of an index partition.
    pub fn index(index: &'static str, partition: impl Into<String>) -> Self {
        Self {
            index: Some(index),
            ..Self::table(partition)
        }
    }

    pub fn range(mut self, range: RangeCondition) -> Self {
        self.range = Some(range);
        self
    }

    pub fn descending(mut self) -> Self {
        self.forward = false;
        self
    }

    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    pub fn cursor(mut self, cursor: Option<String>) -> Self {
        self.cursor = cursor;
        self
    }

    pub fn consistent(mut self) -> Self {
        self.consistency = Consistency::Strong;
        self
    }
}

/// One page of query results. `next` is set when the query stopped at its limit; as in
/// DynamoDB it may be set even when no further item exists.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub items: Vec<Item>,
    pub next: Option<String>,
}

/// The storage port. Engines: `DynamoDbStore` (aws-sdk-dynamodb) and `EmbeddedStore`.
///
/// Semantics every engine honours (checked by the conformance suite):
/// - a failed condition on `put`/`update`/`delete` changes nothing and returns
///   [`StoreError::ConditionFailed`] with the item as it was;
/// - `transact` applies all actions or none; on cancellation it returns
///   [`StoreError::TransactionCanceled`] with one reason per action, in order; at most
///   [`MAX_TRANSACTION_OPS`] actions, and no key twice;
/// - `update` returns the item as it is after the update (`ALL_NEW`);
/// - `delete` returns the item as it was (`ALL_OLD`);
/// - `batch_get` and `batch_write` take any number of keys/requests and chunk them to DynamoDB's
///   limits, retrying unprocessed ones; a call naming one item twice is a `Validation` error;
///   `batch_get` returns found items in no given order and reads eventually consistent;
/// - transient faults (throttling, transaction conflicts) are retried with backoff inside the engine.
#[async_trait]
pub trait ItemStore: Send + Sync {
    async fn get(&self, key: &Key, consistency: Consistency) -> Result<Option<Item>, StoreError>;
    async fn put(&self, put: Put) -> Result<(), StoreError>;
    async fn update(&self, update: UpdateItem) -> Result<Item, StoreError>;
    async fn delete(&self, delete: Delete) -> Result<Option<Item>, StoreError>;
    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError>;
    async fn query(&self, query: Query) -> Result<Page, StoreError>;
    async fn batch_get(&self, keys: Vec<Key>) -> Result<Vec<Item>, StoreError>;
    async fn batch_write(&self, writes: Vec<BatchWrite>) -> Result<(), StoreError>;
}
