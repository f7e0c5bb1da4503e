//! Applies an update expression to an item, as `UpdateItem` does.

use super::{number, validate};
use crate::store::{AttributeValue, Item, Key, StoreError, Update, UpdateAction};
use std::collections::HashSet;

/// Rejects updates DynamoDB refuses whatever the item: key attributes, one attribute twice.
pub(super) fn check(update: &Update) -> Result<(), StoreError> {
    let mut seen = HashSet::new();
    for name in update.names() {
        if name.is_empty() {
            return Err(StoreError::Validation(
                "attribute names cannot be empty".into(),
            ));
        }
        if validate::is_key_attribute(name) {
            return Err(StoreError::Validation(format!(
                "cannot update key attribute {name}"
            )));
        }
        if !seen.insert(name) {
            return Err(StoreError::Validation(format!(
                "two actions of one update touch attribute {name}"
            )));
        }
    }
    Ok(())
}

/// The item after the update; an absent item starts as its key alone.
pub(super) fn apply(
    current: Option<&Item>,
    key: &Key,
    update: &Update,
) -> Result<Item, StoreError> {
    let mut item = current.cloned().unwrap_or_else(|| key.to_item());
    for action in &update.actions {
        match action {
            UpdateAction::Set(name, value) => {
                item.insert(name.clone(), value.clone());
            }
            UpdateAction::SetIfAbsent(name, value) => {
                item.entry(name.clone()).or_insert_with(|| value.clone());
            }
            UpdateAction::Add(name, delta) => {
                let sum = match item.get(name) {
                    None => delta.to_string(),
                    Some(AttributeValue::N(current)) => number::add(current, *delta)?,
                    Some(_) => {
                        return Err(StoreError::Validation(format!(
                            "ADD needs a number, but attribute {name} is of another type"
                        )));
                    }
                };
                item.insert(name.clone(), AttributeValue::N(sum));
            }
            UpdateAction::Remove(name) => {
                item.remove(name);
            }
        }
    }
    Ok(item)
}
