//! The DynamoDB engine of the item-store port (aws-sdk-dynamodb).
//!
//! Conditions, updates and key conditions are compiled to expressions with placeholders
//! (`expression`); DynamoDB errors become [`StoreError`]s (`errors`); transactions
//! (`transaction`) and batches (`batch`) retry transient failures with jittered
//! exponential backoff (`retry`).

mod batch;
mod chunks;
mod errors;
mod expression;
mod retry;
mod stats;
mod table;
mod transaction;

pub use stats::{Operation, OperationStats, StatsSnapshot};
pub use table::create_table;

use crate::store::{
    BatchWrite, Consistency, Delete, Item, ItemStore, Key, Page, Put, Query, StoreError, TxOp,
    UpdateItem, encode_cursor, query_cursor, schema,
};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue as SdkValue;
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure as OnConditionFailure;
use aws_sdk_dynamodb::types::{ReturnConsumedCapacity, ReturnValue};
use errors::{condition_failed, from_sdk};
use expression::Expressions;
use retry::Backoff;
use stats::Stats;
use std::collections::HashMap;
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
        self.transact_all(ops).await
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        let (partition_attr, sort_attr) = query_keys(&query)?;
        if query.limit == Some(0) {
            return Err(StoreError::Validation(
                "a query limit must be at least 1".into(),
            ));
        }
        let start = query
            .cursor
            .as_deref()
            .map(|cursor| query_cursor(cursor, partition_attr, sort_attr, &query.partition))
            .transpose()?;
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
        self.batch_get_all(keys).await
    }

    async fn batch_write(&self, writes: Vec<BatchWrite>) -> Result<(), StoreError> {
        self.batch_write_all(writes).await
    }
}
