//! The DynamoDB engine of the item-store port (aws-sdk-dynamodb).
//!
//! Conditions, updates and key conditions are compiled to expressions with placeholders
//! ([`expression`]); DynamoDB errors become [`StoreError`]s ([`errors`]); transactions and
//! batches retry transient failures with jittered exponential backoff ([`retry`]).

mod chunks;
mod errors;
mod expression;
mod retry;
mod stats;
mod table;

pub use stats::{Operation, OperationStats, StatsSnapshot};
pub use table::create_table;

use crate::store::{
    BatchWrite, Consistency, Delete, Item, ItemStore, Key, MAX_BATCH_GET, MAX_BATCH_WRITE,
    MAX_TRANSACTION_OPS, Page, Put, Query, StoreError, TxOp, UpdateItem, decode_cursor,
    encode_cursor, schema,
};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure as OnConditionFailure;
use aws_sdk_dynamodb::types::{self as sdk, AttributeValue as SdkValue};
use aws_sdk_dynamodb::types::{ReturnConsumedCapacity, ReturnValue};
use errors::{condition_failed, from_sdk};
use expression::Expressions;
use retry::Backoff;
use stats::Stats;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

type SdkItem = HashMap<String, SdkValue>;

/// The item store on one DynamoDB table laid out as in [`schema`].
#[derive(Debug)]
pub struct DynamoDbStore {
    client: Client,
    table: String,
    stats: Stats,
    /// Retries of canceled-by-conflict or throttled transactions.
    transaction_backoff: Backoff,
    /// Retries of unprocessed batch requests.
    batch_backoff: Backoff,
}

impl DynamoDbStore {
    pub fn new(client: Client, table_name: impl Into<String>) -> Self {
        Self {
            client,
            table: table_name.into(),
            stats: Stats::default(),
            transaction_backoff: Backoff::default(),
            batch_backoff: Backoff {
                attempts: 8,
                base: Duration::from_millis(50),
                max: Duration::from_secs(2),
            },
        }
    }

    pub fn table_name(&self) -> &str {
        &self.table
    }

    /// Requests sent and capacity consumed so far, per operation.
    pub fn stats(&self) -> StatsSnapshot {
        self.stats.snapshot()
    }

    async fn send_transaction(&self, items: Vec<sdk::TransactWriteItem>) -> Result<(), StoreError> {
        self.stats.request(Operation::TransactWriteItems);
        let output = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|error| match error.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(canceled)) => {
                    StoreError::TransactionCanceled {
                        reasons: errors::cancel_reasons(canceled.cancellation_reasons()),
                    }
                }
                _ => from_sdk(error),
            })?;
        self.stats
            .consumed(Operation::TransactWriteItems, output.consumed_capacity());
        Ok(())
    }

    fn transact_item(&self, op: TxOp) -> Result<sdk::TransactWriteItem, StoreError> {
        let mut expressions = Expressions::new();
        let item = sdk::TransactWriteItem::builder();
        let item = match op {
            TxOp::Put(put) => {
                let condition = put.condition.as_ref().map(|c| expressions.condition(c));
                let placeholders = expressions.finish();
                item.put(
                    sdk::Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(put.item.into()))
                        .set_condition_expression(condition)
                        .set_expression_attribute_names(placeholders.names)
                        .set_expression_attribute_values(placeholders.values)
                        .build()
                        .map_err(StoreError::engine)?,
                )
            }
            TxOp::Update(update) => {
                if update.update.is_empty() {
                    return Err(StoreError::Validation(
                        "an update in a transaction needs at least one action".into(),
                    ));
                }
                let expression = expressions.update(&update.update)?;
                let condition = update.condition.as_ref().map(|c| expressions.condition(c));
                let placeholders = expressions.finish();
                item.update(
                    sdk::Update::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_item(&update.key)))
                        .update_expression(expression)
                        .set_condition_expression(condition)
                        .set_expression_attribute_names(placeholders.names)
                        .set_expression_attribute_values(placeholders.values)
                        .build()
                        .map_err(StoreError::engine)?,
                )
            }
            TxOp::Delete(delete) => {
                let condition = delete.condition.as_ref().map(|c| expressions.condition(c));
                let placeholders = expressions.finish();
                item.delete(
                    sdk::Delete::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_item(&delete.key)))
                        .set_condition_expression(condition)
                        .set_expression_attribute_names(placeholders.names)
                        .set_expression_attribute_values(placeholders.values)
                        .build()
                        .map_err(StoreError::engine)?,
                )
            }
            TxOp::Check { key, condition } => {
                let condition = expressions.condition(&condition);
                let placeholders = expressions.finish();
                item.condition_check(
                    sdk::ConditionCheck::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_item(&key)))
                        .condition_expression(condition)
                        .set_expression_attribute_names(placeholders.names)
                        .set_expression_attribute_values(placeholders.values)
                        .build()
                        .map_err(StoreError::engine)?,
                )
            }
        };
        Ok(item.build())
    }

    fn write_request(write: BatchWrite) -> Result<(Key, sdk::WriteRequest), StoreError> {
        let request = sdk::WriteRequest::builder();
        Ok(match write {
            BatchWrite::Put(item) => {
                let key = Key::of(&item)?;
                let put = sdk::PutRequest::builder()
                    .set_item(Some(item.into()))
                    .build()
                    .map_err(StoreError::engine)?;
                (key, request.put_request(put).build())
            }
            BatchWrite::Delete(key) => {
                let delete = sdk::DeleteRequest::builder()
                    .set_key(Some(key_item(&key)))
                    .build()
                    .map_err(StoreError::engine)?;
                (key, request.delete_request(delete).build())
            }
        })
    }

    /// Reads one chunk of keys, retrying the unprocessed ones.
    async fn batch_get_chunk(
        &self,
        mut pending: Vec<SdkItem>,
        found: &mut Vec<Item>,
    ) -> Result<(), StoreError> {
        let mut retry = 0;
        loop {
            let keys = sdk::KeysAndAttributes::builder()
                .set_keys(Some(pending))
                .build()
                .map_err(StoreError::engine)?;
            self.stats.request(Operation::BatchGetItem);
            let output = self
                .client
                .batch_get_item()
                .request_items(&self.table, keys)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(from_sdk)?;
            self.stats
                .consumed(Operation::BatchGetItem, output.consumed_capacity());
            let items = output.responses.and_then(|mut r| r.remove(&self.table));
            found.extend(items.into_iter().flatten().map(Item::from));
            pending = output
                .unprocessed_keys
                .and_then(|mut unprocessed| unprocessed.remove(&self.table))
                .map(|keys| keys.keys)
                .unwrap_or_default();
            if pending.is_empty() {
                return Ok(());
            }
            retry = self.batch_retry(retry, pending.len()).await?;
        }
    }

    /// Writes one chunk, retrying the unprocessed requests.
    async fn batch_write_chunk(
        &self,
        mut pending: Vec<sdk::WriteRequest>,
    ) -> Result<(), StoreError> {
        let mut retry = 0;
        loop {
            self.stats.request(Operation::BatchWriteItem);
            let output = self
                .client
                .batch_write_item()
                .request_items(&self.table, pending)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(from_sdk)?;
            self.stats
                .consumed(Operation::BatchWriteItem, output.consumed_capacity());
            pending = output
                .unprocessed_items
                .and_then(|mut unprocessed| unprocessed.remove(&self.table))
                .unwrap_or_default();
            if pending.is_empty() {
                return Ok(());
            }
            retry = self.batch_retry(retry, pending.len()).await?;
        }
    }

    /// Waits before the next round of a batch, or gives up when the retries are spent.
    async fn batch_retry(&self, retry: u32, unprocessed: usize) -> Result<u32, StoreError> {
        if retry + 1 >= self.batch_backoff.attempts {
            return Err(StoreError::Throttled(Box::new(errors::Unprocessed(
                unprocessed,
            ))));
        }
        tracing::debug!(unprocessed, retry, "retrying unprocessed batch requests");
        self.batch_backoff.sleep(retry).await;
        Ok(retry + 1)
    }
}

fn key_item(key: &Key) -> SdkItem {
    key.to_item().into()
}

/// The key attributes a query runs on: the table's or an index's.
fn query_keys(query: &Query) -> Result<(&'static str, &'static str), StoreError> {
    let Some(name) = query.index else {
        return Ok((schema::PK, schema::SK));
    };
    let index = schema::index(name)
        .ok_or_else(|| StoreError::Validation(format!("no index named {name}")))?;
    if query.consistency == Consistency::Strong {
        return Err(StoreError::Validation(
            "global secondary indexes do not support consistent reads".into(),
        ));
    }
    Ok((index.pk, index.sk))
}

fn validate_transaction(ops: &[TxOp]) -> Result<(), StoreError> {
    if ops.len() > MAX_TRANSACTION_OPS {
        return Err(StoreError::Validation(format!(
            "a transaction takes at most {MAX_TRANSACTION_OPS} actions, not {}",
            ops.len()
        )));
    }
    let mut keys = HashSet::new();
    for op in ops {
        let key = op.key()?;
        if !keys.insert(key.clone()) {
            return Err(StoreError::Validation(format!(
                "a transaction acts on {}/{} more than once",
                key.pk, key.sk
            )));
        }
    }
    Ok(())
}

#[async_trait]
impl ItemStore for DynamoDbStore {
    async fn get(&self, key: &Key, consistency: Consistency) -> Result<Option<Item>, StoreError> {
        self.stats.request(Operation::GetItem);
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_item(key)))
            .consistent_read(consistency == Consistency::Strong)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(from_sdk)?;
        self.stats
            .consumed(Operation::GetItem, output.consumed_capacity());
        Ok(output.item.map(Item::from))
    }

    async fn put(&self, put: Put) -> Result<(), StoreError> {
        Key::of(&put.item)?;
        let mut expressions = Expressions::new();
        let condition = put.condition.as_ref().map(|c| expressions.condition(c));
        let on_failure = condition.as_ref().map(|_| OnConditionFailure::AllOld);
        let placeholders = expressions.finish();
        self.stats.request(Operation::PutItem);
        let output = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(put.item.into()))
            .set_condition_expression(condition)
            .set_expression_attribute_names(placeholders.names)
            .set_expression_attribute_values(placeholders.values)
            .set_return_values_on_condition_check_failure(on_failure)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|error| match error.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(failed)) => {
                    condition_failed(failed.item())
                }
                _ => from_sdk(error),
            })?;
        self.stats
            .consumed(Operation::PutItem, output.consumed_capacity());
        Ok(())
    }

    async fn update(&self, update: UpdateItem) -> Result<Item, StoreError> {
        let mut expressions = Expressions::new();
        let expression = expressions.update(&update.update)?;
        let condition = update.condition.as_ref().map(|c| expressions.condition(c));
        let on_failure = condition.as_ref().map(|_| OnConditionFailure::AllOld);
        let placeholders = expressions.finish();
        self.stats.request(Operation::UpdateItem);
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&update.key)))
            .set_update_expression((!expression.is_empty()).then_some(expression))
            .set_condition_expression(condition)
            .set_expression_attribute_names(placeholders.names)
            .set_expression_attribute_values(placeholders.values)
            .set_return_values_on_condition_check_failure(on_failure)
            .return_values(ReturnValue::AllNew)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|error| match error.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                    condition_failed(failed.item())
                }
                _ => from_sdk(error),
            })?;
        self.stats
            .consumed(Operation::UpdateItem, output.consumed_capacity());
        // An update without actions on a new item leaves just the key.
        Ok(output
            .attributes
            .map_or_else(|| update.key.to_item(), Item::from))
    }

    async fn delete(&self, delete: Delete) -> Result<Option<Item>, StoreError> {
        let mut expressions = Expressions::new();
        let condition = delete.condition.as_ref().map(|c| expressions.condition(c));
        let on_failure = condition.as_ref().map(|_| OnConditionFailure::AllOld);
        let placeholders = expressions.finish();
        self.stats.request(Operation::DeleteItem);
        let output = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&delete.key)))
            .set_condition_expression(condition)
            .set_expression_attribute_names(placeholders.names)
            .set_expression_attribute_values(placeholders.values)
            .set_return_values_on_condition_check_failure(on_failure)
            .return_values(ReturnValue::AllOld)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|error| match error.as_service_error() {
                Some(DeleteItemError::ConditionalCheckFailedException(failed)) => {
                    condition_failed(failed.item())
                }
                _ => from_sdk(error),
            })?;
        self.stats
            .consumed(Operation::DeleteItem, output.consumed_capacity());
        Ok(output.attributes.filter(|a| !a.is_empty()).map(Item::from))
    }

    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        validate_transaction(&ops)?;
        if ops.is_empty() {
            return Ok(());
        }
        let items = ops
            .into_iter()
            .map(|op| self.transact_item(op))
            .collect::<Result<Vec<_>, _>>()?;
        // No ClientRequestToken: a conflict or throttling means nothing was written, so sending
        // the same actions again is safe.
        self.transaction_backoff
            .retry(
                || self.send_transaction(items.clone()),
                errors::is_transient_transaction_error,
            )
            .await
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        let (partition_attr, sort_attr) = query_keys(&query)?;
        if query.limit == Some(0) {
            return Err(StoreError::Validation(
                "a query limit must be at least 1".into(),
            ));
        }
        let start = query.cursor.as_deref().map(decode_cursor).transpose()?;
        let mut expressions = Expressions::new();
        let key_condition = expressions.key_condition(
            partition_attr,
            &query.partition,
            sort_attr,
            query.range.as_ref(),
        );
        let placeholders = expressions.finish();
        self.stats.request(Operation::Query);
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(query.index.map(str::to_owned))
            .key_condition_expression(key_condition)
            .set_expression_attribute_names(placeholders.names)
            .set_expression_attribute_values(placeholders.values)
            .scan_index_forward(query.forward)
            .set_limit(query.limit.map(|limit| limit.min(i32::MAX as u32) as i32))
            .set_exclusive_start_key(start.map(Into::into))
            .consistent_read(query.consistency == Consistency::Strong)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(from_sdk)?;
        self.stats
            .consumed(Operation::Query, output.consumed_capacity());
        Ok(Page {
            items: output
                .items
                .unwrap_or_default()
                .into_iter()
                .map(Item::from)
                .collect(),
            next: output
                .last_evaluated_key
                .filter(|key| !key.is_empty())
                .map(|key| encode_cursor(&Item::from(key))),
        })
    }

    async fn batch_get(&self, keys: Vec<Key>) -> Result<Vec<Item>, StoreError> {
        let mut found = Vec::with_capacity(keys.len());
        for chunk in chunks::distinct_keys(keys, MAX_BATCH_GET) {
            let pending = chunk.iter().map(key_item).collect();
            self.batch_get_chunk(pending, &mut found).await?;
        }
        Ok(found)
    }

    async fn batch_write(&self, writes: Vec<BatchWrite>) -> Result<(), StoreError> {
        let requests = writes
            .into_iter()
            .map(Self::write_request)
            .collect::<Result<Vec<_>, _>>()?;
        // Chunks go one after the other so that a later write of a key wins.
        for chunk in chunks::by_key(requests, MAX_BATCH_WRITE) {
            self.batch_write_chunk(chunk).await?;
        }
        Ok(())
    }
}
