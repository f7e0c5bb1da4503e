//! Helpers shared by the cases: unique names, items, paging, polling.

use crate::queue::{MessageQueue, ReceivedMessage};
use crate::store::{AttributeValue, Item, ItemStore, Page, Query};
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// A name no other case or run uses: `conf-<label>-<random hex>`.
pub fn unique(label: &str) -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the OS provides randomness");
    format!("conf-{label}-{}", hex::encode(bytes))
}

/// An item from name/value pairs.
pub(crate) fn item(pairs: &[(&str, AttributeValue)]) -> Item {
    let mut item = Item::default();
    for (name, value) in pairs {
        item.insert((*name).to_owned(), value.clone());
    }
    item
}

/// Every page of a query, following cursors until none is returned.
pub(crate) async fn all_pages(store: &dyn ItemStore, query: Query) -> Vec<Page> {
    let mut pages = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .query(query.clone().cursor(cursor))
            .await
            .expect("query succeeds");
        cursor = page.next.clone();
        pages.push(page);
        assert!(pages.len() < 1000, "the query never ends");
        if cursor.is_none() {
            return pages;
        }
    }
}

/// Every item of a query, all pages concatenated.
pub(crate) async fn all_items(store: &dyn ItemStore, query: Query) -> Vec<Item> {
    all_pages(store, query)
        .await
        .into_iter()
        .flat_map(|page| page.items)
        .collect()
}

/// Polls `check` until it returns true or `timeout` passes; returns whether it did.
/// For reads DynamoDB only makes eventually consistent (index queries, eventual gets).
pub(crate) async fn eventually<F, Fut>(timeout: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Receives until `count` messages arrived or `timeout` passed (a receive may return fewer
/// messages than are visible). Deletes none.
pub(crate) async fn receive_count(
    queue: &dyn MessageQueue,
    count: usize,
    timeout: Duration,
) -> Vec<ReceivedMessage> {
    let deadline = Instant::now() + timeout;
    let mut received = Vec::new();
    while received.len() < count && Instant::now() < deadline {
        let wait = (deadline - Instant::now()).min(Duration::from_secs(1));
        let wait = Duration::from_secs(wait.as_secs().max(1));
        received.extend(queue.receive(10, wait).await.expect("receive succeeds"));
    }
    received
}
