//! Queries of table and index partitions: order, ranges, pagination, consistency.

use crate::conformance::support::{all_items, all_pages, eventually, item, unique};
use crate::store::{
    BatchWrite, Delete, Item, ItemStore, Key, Put, Query, RangeCondition, StoreError, Update,
    UpdateItem, get_s, n, s,
};
use std::sync::Arc;
use std::time::Duration;

const SORTED: usize = 25;
/// GSIs are eventually consistent: wait this long for writes to show.
const INDEX_DELAY: Duration = Duration::from_secs(10);

fn sort_key(index: usize) -> String {
    format!("sort-{index:02}")
}

/// The sort keys `sort-<from>..=sort-<to>`.
fn sort_keys(range: std::ops::RangeInclusive<usize>) -> Vec<String> {
    range.map(sort_key).collect()
}

fn sort_values(items: &[Item], attribute: &str) -> Vec<String> {
    items
        .iter()
        .map(|item| get_s(item, attribute).expect("sort attribute").to_owned())
        .collect()
}

/// Writes 25 items in gsi1 partition P (distinct table keys, sort keys `sort-00..24`, written
/// out of order) plus noise: neighbouring index partitions, items lacking an index attribute,
/// an item in gsi2 only. Returns P and the 25 items in index order.
async fn seed_index(store: &dyn ItemStore) -> (String, Vec<Item>) {
    let partition = unique("gsi");
    let base = unique("gsi-items");
    let mut expected = Vec::new();
    let mut writes = Vec::new();
    for index in (0..SORTED).map(|step| step * 7 % SORTED) {
        let item = item(&[
            ("pk", s(format!("{base}-{}", index % 5))),
            ("sk", s(format!("item-{index:02}"))),
            ("gsi1pk", s(&partition)),
            ("gsi1sk", s(sort_key(index))),
            ("position", n(index as i64)),
        ]);
        expected.push(item.clone());
        writes.push(BatchWrite::Put(item));
    }
    let shorter = &partition[..partition.len() - 1];
    let noise = [
        vec![
            ("gsi1pk", s(format!("{partition}a"))),
            ("gsi1sk", s("sort-03")),
        ],
        vec![("gsi1pk", s(shorter)), ("gsi1sk", s("sort-04"))],
        vec![("gsi1pk", s(&partition))],
        vec![("gsi1pk", s(&partition))],
        vec![("gsi1sk", s("sort-05"))],
        vec![("gsi2pk", s(&partition)), ("gsi2sk", s("sort-06"))],
    ];
    for (number, attributes) in noise.into_iter().enumerate() {
        let mut noisy = item(&attributes);
        noisy.insert("pk".into(), s(format!("{base}-noise")));
        noisy.insert("sk".into(), s(format!("noise-{number}")));
        writes.push(BatchWrite::Put(noisy));
    }
    store.batch_write(writes).await.unwrap();
    expected.sort_by(|a, b| get_s(a, "gsi1sk").cmp(&get_s(b, "gsi1sk")));
    let visible = eventually(INDEX_DELAY, || async {
        all_items(store, Query::index("gsi1", &partition))
            .await
            .len()
            == SORTED
    })
    .await;
    assert!(
        visible,
        "the index shows the 25 items of the partition, and only them"
    );
    (partition, expected)
}

/// Writes 25 items in table partition P (`sk` = `sort-00..24`, out of order) plus items in
/// neighbouring partitions. Returns P and the items in sort-key order.
async fn seed_table(store: &dyn ItemStore) -> (String, Vec<Item>) {
    let partition = unique("table");
    let mut expected = Vec::new();
    let mut writes = Vec::new();
    for index in (0..SORTED).map(|step| step * 11 % SORTED) {
        let item = item(&[
            ("pk", s(&partition)),
            ("sk", s(sort_key(index))),
            ("position", n(index as i64)),
        ]);
        expected.push(item.clone());
        writes.push(BatchWrite::Put(item));
    }
    for neighbour in [
        format!("{partition}a"),
        partition[..partition.len() - 1].to_owned(),
    ] {
        writes.push(BatchWrite::Put(item(&[
            ("pk", s(neighbour)),
            ("sk", s("sort-07")),
        ])));
    }
    store.batch_write(writes).await.unwrap();
    expected.sort_by(|a, b| get_s(a, "sk").cmp(&get_s(b, "sk")));
    (partition, expected)
}

/// Pages of 7 in both directions concatenate to the full order, without duplicates.
async fn check_pagination(store: &dyn ItemStore, query: Query, expected: &[Item]) {
    for forward in [true, false] {
        let mut wanted = expected.to_vec();
        let mut paged = query.clone().limit(7);
        if !forward {
            wanted.reverse();
            paged = paged.descending();
        }
        let pages = all_pages(store, paged).await;
        assert!(
            pages.iter().all(|page| page.items.len() <= 7),
            "no page exceeds the limit"
        );
        assert!(
            pages.len() >= 4 && pages.len() <= 5,
            "25 items in pages of 7 take 4 pages (plus possibly an empty one), got {}",
            pages.len()
        );
        let items: Vec<Item> = pages.into_iter().flat_map(|page| page.items).collect();
        assert_eq!(items, wanted, "forward = {forward}");
    }
}

/// Each range condition selects exactly the expected sort keys, in both directions.
async fn check_ranges(store: &dyn ItemStore, query: Query, attribute: &str) {
    let cases = [
        (
            RangeCondition::BeginsWith("sort-1".into()),
            sort_keys(10..=19),
        ),
        (
            RangeCondition::Between(sort_key(5), sort_key(8)),
            sort_keys(5..=8),
        ),
        (
            RangeCondition::GreaterThan(sort_key(20)),
            sort_keys(21..=24),
        ),
        (
            RangeCondition::GreaterOrEqual(sort_key(20)),
            sort_keys(20..=24),
        ),
        (RangeCondition::LessThan(sort_key(3)), sort_keys(0..=2)),
        (RangeCondition::LessOrEqual(sort_key(3)), sort_keys(0..=3)),
        (RangeCondition::Equals(sort_key(7)), sort_keys(7..=7)),
        (RangeCondition::BeginsWith("nothing".into()), Vec::new()),
    ];
    for (range, wanted) in cases {
        let forward = all_items(store, query.clone().range(range.clone())).await;
        assert_eq!(sort_values(&forward, attribute), wanted, "{range:?}");
        let mut reversed = wanted.clone();
        reversed.reverse();
        let backward = all_items(
            store,
            query.clone().range(range.clone()).descending().limit(3),
        )
        .await;
        assert_eq!(
            sort_values(&backward, attribute),
            reversed,
            "{range:?} descending"
        );
    }
}

pub async fn store_index_pagination(store: Arc<dyn ItemStore>) {
    let (partition, expected) = seed_index(&*store).await;
    check_pagination(&*store, Query::index("gsi1", partition), &expected).await;
}

pub async fn store_index_range_conditions(store: Arc<dyn ItemStore>) {
    let (partition, _) = seed_index(&*store).await;
    check_ranges(&*store, Query::index("gsi1", partition), "gsi1sk").await;
}

/// Strongly consistent reads and unknown names are refused on indexes, as in DynamoDB.
pub async fn store_index_query_rules(store: Arc<dyn ItemStore>) {
    let strong = store
        .query(Query::index("gsi1", unique("gsi")).consistent())
        .await;
    assert!(
        matches!(strong, Err(StoreError::Validation(_))),
        "strong index query: {strong:?}"
    );
    let unknown = store
        .query(Query::index("no-such-index", unique("gsi")))
        .await;
    assert!(
        matches!(unknown, Err(StoreError::Validation(_))),
        "unknown index: {unknown:?}"
    );
}

/// A cursor that is not one the store issued for this partition is refused as such, on every
/// engine: garbage, empty, or a real cursor of another partition.
pub async fn store_foreign_cursors_are_refused(store: Arc<dyn ItemStore>) {
    let (partition, _) = seed_table(&*store).await;
    let (other, _) = seed_table(&*store).await;
    let page = store
        .query(Query::table(&other).consistent().limit(2))
        .await
        .expect("a first page");
    let foreign = page.next.expect("more than one page");
    for cursor in ["".to_owned(), "not-a-cursor".to_owned(), foreign] {
        let result = store
            .query(
                Query::table(&partition)
                    .consistent()
                    .cursor(Some(cursor.clone())),
            )
            .await;
        assert!(
            matches!(result, Err(StoreError::InvalidCursor(_))),
            "cursor {cursor:?}: {result:?}"
        );
    }
}

pub async fn store_table_pagination(store: Arc<dyn ItemStore>) {
    let (partition, expected) = seed_table(&*store).await;
    let all = all_items(&*store, Query::table(&partition).consistent()).await;
    assert_eq!(
        all, expected,
        "one unlimited query returns the partition in order"
    );
    check_pagination(&*store, Query::table(partition).consistent(), &expected).await;
}

pub async fn store_table_range_conditions(store: Arc<dyn ItemStore>) {
    let (partition, _) = seed_table(&*store).await;
    check_ranges(&*store, Query::table(partition).consistent(), "sk").await;
}

/// A strongly consistent table query sees each write acknowledged before it.
pub async fn store_consistent_query_sees_writes(store: Arc<dyn ItemStore>) {
    let partition = unique("consistent");
    let key = Key::new(&partition, "one");
    let query = || Query::table(&partition).consistent();
    let written = item(&[("pk", s(&key.pk)), ("sk", s(&key.sk)), ("state", s("new"))]);
    store
        .put(Put {
            item: written.clone(),
            condition: None,
        })
        .await
        .unwrap();
    assert_eq!(all_items(&*store, query()).await, vec![written]);

    let updated = store
        .update(UpdateItem {
            key: key.clone(),
            update: Update::new().set("state", s("changed")),
            condition: None,
        })
        .await
        .unwrap();
    assert_eq!(all_items(&*store, query()).await, vec![updated]);

    store
        .delete(Delete {
            key,
            condition: None,
        })
        .await
        .unwrap();
    assert!(all_items(&*store, query()).await.is_empty());
}
