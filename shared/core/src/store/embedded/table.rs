//! The in-memory dataset: items by primary key, plus one ordered set per secondary index.

use crate::store::schema::{INDEXES, IndexDef};
use crate::store::{AttributeValue, Item, Key};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

/// One committed write: the item's new state, `None` when it is removed.
#[derive(Debug, Clone)]
pub(super) struct Change {
    pub key: Key,
    pub item: Option<Item>,
}

/// An index entry, ordered as DynamoDB orders an index partition: index keys, then table keys.
type IndexEntry = (String, String, Key);

#[derive(Debug, Default)]
pub(super) struct Table {
    items: BTreeMap<Key, Item>,
    /// One set per entry of [`INDEXES`], in the same order.
    indexes: [BTreeSet<IndexEntry>; INDEXES.len()],
}

/// The index key of an item, when it carries both index attributes as strings (sparse index).
pub(super) fn index_key(index: &IndexDef, item: &Item) -> Option<(String, String)> {
    match (item.get(index.pk), item.get(index.sk)) {
        (Some(AttributeValue::S(pk)), Some(AttributeValue::S(sk))) => {
            Some((pk.clone(), sk.clone()))
        }
        _ => None,
    }
}

fn position(index: &IndexDef) -> usize {
    INDEXES
        .iter()
        .position(|known| known.name == index.name)
        .expect("indexes come from INDEXES")
}

impl Table {
    pub(super) fn get(&self, key: &Key) -> Option<&Item> {
        self.items.get(key)
    }

    pub(super) fn apply(&mut self, change: Change) {
        if let Some(old) = self.items.remove(&change.key) {
            for (slot, index) in INDEXES.iter().enumerate() {
                if let Some((pk, sk)) = index_key(index, &old) {
                    self.indexes[slot].remove(&(pk, sk, change.key.clone()));
                }
            }
        }
        if let Some(new) = change.item {
            for (slot, index) in INDEXES.iter().enumerate() {
                if let Some((pk, sk)) = index_key(index, &new) {
                    self.indexes[slot].insert((pk, sk, change.key.clone()));
                }
            }
            self.items.insert(change.key, new);
        }
    }

    /// Items of one table partition in sort-key order (reversed when `!forward`), strictly
    /// after `after` in that order. Yields `(sort key, item)`.
    /// `from` is the lowest sort key a forward query can match (its range's lower bound), so
    /// that a range query seeks instead of walking the partition from its start.
    pub(super) fn table_partition<'a>(
        &'a self,
        partition: &str,
        after: Option<&Key>,
        forward: bool,
        from: Option<&str>,
    ) -> Box<dyn Iterator<Item = (&'a str, &'a Item)> + 'a> {
        let first = Key::new(partition, if forward { from.unwrap_or("") } else { "" });
        let past_end = Key::new(successor(partition), "");
        let bounds = match (after, forward) {
            (Some(after), true) => (Bound::Excluded(after.clone()), Bound::Excluded(past_end)),
            (None, true) => (Bound::Included(first), Bound::Excluded(past_end)),
            (Some(after), false) => (Bound::Included(first), Bound::Excluded(after.clone())),
            (None, false) => (Bound::Included(first), Bound::Excluded(past_end)),
        };
        let range = self
            .items
            .range(bounds)
            .map(|(key, item)| (key.sk.as_str(), item));
        if forward {
            Box::new(range)
        } else {
            Box::new(range.rev())
        }
    }

    /// Items of one index partition in index sort-key order, like [`Table::table_partition`];
    /// `after` is `(index sort key, table key)`.
    pub(super) fn index_partition<'a>(
        &'a self,
        index: &IndexDef,
        partition: &str,
        after: Option<(String, Key)>,
        forward: bool,
        from: Option<&str>,
    ) -> Box<dyn Iterator<Item = (&'a str, &'a Item)> + 'a> {
        let lowest = if forward { from.unwrap_or("") } else { "" };
        let start = || (partition.to_owned(), lowest.to_owned(), Key::new("", ""));
        let past_end = (successor(partition), String::new(), Key::new("", ""));
        let after = after.map(|(sort, key)| (partition.to_owned(), sort, key));
        let bounds = match (after, forward) {
            (Some(after), true) => (Bound::Excluded(after), Bound::Excluded(past_end)),
            (None, true) => (Bound::Included(start()), Bound::Excluded(past_end)),
            (Some(after), false) => (Bound::Included(start()), Bound::Excluded(after)),
            (None, false) => (Bound::Included(start()), Bound::Excluded(past_end)),
        };
        let range = self.indexes[position(index)]
            .range(bounds)
            .map(|(_, sort, key)| (sort.as_str(), &self.items[key]));
        if forward {
            Box::new(range)
        } else {
            Box::new(range.rev())
        }
    }

    /// Keys of items whose numeric `ttl` is before `now` (epoch seconds).
    pub(super) fn expired(&self, ttl_attribute: &str, now: i64) -> Vec<Key> {
        self.items
            .iter()
            .filter(|(_, item)| match item.get(ttl_attribute) {
                Some(AttributeValue::N(ttl)) => {
                    super::number::compare(ttl, &now.to_string()).is_some_and(|order| order.is_lt())
                }
                _ => false,
            })
            .map(|(key, _)| key.clone())
            .collect()
    }
}

/// The smallest string greater than `text`, bounding a partition from above.
fn successor(text: &str) -> String {
    format!("{text}\0")
}
