//! Runs a query against the in-memory table: one partition, a sort-key range, pages.

use super::table::{Table, index_key};
use super::validate::item_size;
use crate::store::schema::{self, IndexDef};
use crate::store::{
    AttributeValue, Consistency, Item, Key, Page, Query, RangeCondition, StoreError, decode_cursor,
    encode_cursor,
};

/// DynamoDB stops a page after this much data.
const MAX_PAGE_BYTES: usize = 1024 * 1024;

pub(super) fn run(table: &Table, query: &Query) -> Result<Page, StoreError> {
    if query.limit == Some(0) {
        return Err(StoreError::Validation("limit must be at least 1".into()));
    }
    if query.partition.is_empty() {
        return Err(StoreError::Validation(
            "the partition key value cannot be empty".into(),
        ));
    }
    let index = match query.index {
        None => None,
        Some(name) => {
            let index = schema::index(name)
                .ok_or_else(|| StoreError::Validation(format!("unknown index {name}")))?;
            if query.consistency == Consistency::Strong {
                return Err(StoreError::Validation(
                    "consistent reads are not supported on global secondary indexes".into(),
                ));
            }
            Some(index)
        }
    };
    let after = query
        .cursor
        .as_deref()
        .map(|cursor| CursorPosition::decode(cursor, index.as_ref(), &query.partition))
        .transpose()?;
    let from = query.range.as_ref().and_then(lower_bound);
    let candidates = match (&index, after) {
        (None, after) => table.table_partition(
            &query.partition,
            after.map(|position| position.key).as_ref(),
            query.forward,
            from,
        ),
        (Some(index), after) => table.index_partition(
            index,
            &query.partition,
            after.map(|position| (position.index_sort.unwrap_or_default(), position.key)),
            query.forward,
            from,
        ),
    };
    let limit = query.limit.map_or(usize::MAX, |limit| limit as usize);
    let mut items = Vec::new();
    let mut bytes = 0;
    for (sort, item) in candidates {
        if query.forward
            && query
                .range
                .as_ref()
                .is_some_and(|range| past_upper_bound(range, sort))
        {
            break;
        }
        if !query
            .range
            .as_ref()
            .is_none_or(|range| in_range(range, sort))
        {
            continue;
        }
        bytes += item_size(item);
        items.push(item.clone());
        if items.len() >= limit || bytes >= MAX_PAGE_BYTES {
            let next = Some(cursor_of(
                items.last().expect("just pushed"),
                index.as_ref(),
            ));
            return Ok(Page { items, next });
        }
    }
    Ok(Page { items, next: None })
}

/// The lowest sort key `range` can match, if it has one (a seek point for forward queries).
fn lower_bound(range: &RangeCondition) -> Option<&str> {
    match range {
        RangeCondition::Equals(value)
        | RangeCondition::GreaterThan(value)
        | RangeCondition::GreaterOrEqual(value)
        | RangeCondition::Between(value, _)
        | RangeCondition::BeginsWith(value) => Some(value),
        RangeCondition::LessThan(_) | RangeCondition::LessOrEqual(_) => None,
    }
}

/// Whether a forward walk has passed every sort key `range` can match.
fn past_upper_bound(range: &RangeCondition, sort: &str) -> bool {
    let sort = sort.as_bytes();
    match range {
        RangeCondition::Equals(value) | RangeCondition::LessOrEqual(value) => {
            sort > value.as_bytes()
        }
        RangeCondition::LessThan(value) => sort >= value.as_bytes(),
        RangeCondition::Between(_, high) => sort > high.as_bytes(),
        RangeCondition::BeginsWith(prefix) => {
            sort > prefix.as_bytes() && !sort.starts_with(prefix.as_bytes())
        }
        RangeCondition::GreaterThan(_) | RangeCondition::GreaterOrEqual(_) => false,
    }
}

fn in_range(range: &RangeCondition, sort: &str) -> bool {
    let sort = sort.as_bytes();
    match range {
        RangeCondition::Equals(value) => sort == value.as_bytes(),
        RangeCondition::LessThan(value) => sort < value.as_bytes(),
        RangeCondition::LessOrEqual(value) => sort <= value.as_bytes(),
        RangeCondition::GreaterThan(value) => sort > value.as_bytes(),
        RangeCondition::GreaterOrEqual(value) => sort >= value.as_bytes(),
        RangeCondition::Between(low, high) => low.as_bytes() <= sort && sort <= high.as_bytes(),
        RangeCondition::BeginsWith(prefix) => sort.starts_with(prefix.as_bytes()),
    }
}

/// The last evaluated key: table keys, plus the index keys for an index query.
fn cursor_of(item: &Item, index: Option<&IndexDef>) -> String {
    let mut last = Key::of(item).expect("stored items have keys").to_item();
    if let Some(index) = index {
        let (pk, sk) = index_key(index, item).expect("index items have index keys");
        last.insert(index.pk.into(), AttributeValue::S(pk));
        last.insert(index.sk.into(), AttributeValue::S(sk));
    }
    encode_cursor(&last)
}

/// Where a cursor says the previous page stopped.
struct CursorPosition {
    key: Key,
    index_sort: Option<String>,
}

impl CursorPosition {
    fn decode(cursor: &str, index: Option<&IndexDef>, partition: &str) -> Result<Self, StoreError> {
        let invalid =
            || StoreError::InvalidCursor("the cursor does not belong to this query".into());
        let last = decode_cursor(cursor)?;
        let key = Key::of(&last).map_err(|_| invalid())?;
        let string = |name: &str| match last.get(name) {
            Some(AttributeValue::S(value)) => Ok(value.clone()),
            _ => Err(invalid()),
        };
        let (cursor_partition, index_sort) = match index {
            None => (key.pk.clone(), None),
            Some(index) => (string(index.pk)?, Some(string(index.sk)?)),
        };
        if cursor_partition != partition {
            return Err(invalid());
        }
        Ok(Self { key, index_sort })
    }
}
