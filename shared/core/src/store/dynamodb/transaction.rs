//! `TransactWriteItems`: validation, request building, and retries of transient cancellations.

use super::errors::{self, from_sdk};
use super::expression::Expressions;
use super::{DynamoDbStore, Operation, key_item};
use crate::store::{MAX_TRANSACTION_OPS, StoreError, TxOp};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{self as sdk, ReturnConsumedCapacity};
use std::collections::HashSet;

impl DynamoDbStore {
    pub(super) async fn transact_all(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        validate(&ops)?;
        if ops.is_empty() {
            return Ok(());
        }
        let items = ops
            .into_iter()
            .map(|op| transact_item(&self.table, op))
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
}

fn validate(ops: &[TxOp]) -> Result<(), StoreError> {
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

/// One action of the transaction as a `TransactWriteItem`.
fn transact_item(table: &str, op: TxOp) -> Result<sdk::TransactWriteItem, StoreError> {
    let mut expressions = Expressions::new();
    let item = sdk::TransactWriteItem::builder();
    let item = match op {
        TxOp::Put(put) => {
            let condition = put.condition.as_ref().map(|c| expressions.condition(c));
            let placeholders = expressions.finish();
            item.put(
                sdk::Put::builder()
                    .table_name(table)
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
                    .table_name(table)
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
                    .table_name(table)
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
                    .table_name(table)
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
