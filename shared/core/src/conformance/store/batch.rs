//! Batch reads and writes beyond DynamoDB's per-call limits; rules on items and keys.

use crate::conformance::support::{item, unique};
use crate::store::{
    BatchWrite, Consistency, Item, ItemStore, Key, MAX_ITEM_BYTES, Put, StoreError, n, s,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

fn by_key(items: Vec<Item>) -> HashMap<Key, Item> {
    items
        .into_iter()
        .map(|item| (Key::of(&item).expect("items have keys"), item))
        .collect()
}

/// `batch_get` may read eventually consistently: poll until it returns exactly `expected`.
async fn assert_batch_get(store: &dyn ItemStore, keys: &[Key], expected: &HashMap<Key, Item>) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let found = by_key(store.batch_get(keys.to_vec()).await.unwrap());
        if &found == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "batch_get returned {} items, expected {}",
            found.len(),
            expected.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// 60 puts (over 25 per call), a 130-key read (over 100) with absent keys, then deletes.
pub async fn store_batch_chunking(store: Arc<dyn ItemStore>) {
    let partition = unique("batch");
    let written: Vec<Item> = (0..60)
        .map(|index| {
            item(&[
                ("pk", s(&partition)),
                ("sk", s(format!("item-{index:03}"))),
                ("index", n(index)),
            ])
        })
        .collect();
    store
        .batch_write(written.iter().cloned().map(BatchWrite::Put).collect())
        .await
        .unwrap();

    let keys: Vec<Key> = (0..130)
        .map(|index| Key::new(&partition, format!("item-{index:03}")))
        .collect();
    let mut expected = by_key(written.clone());
    assert_batch_get(&*store, &keys, &expected).await;

    // Delete 30, add 5 more, in one batch.
    let mut writes: Vec<BatchWrite> = (0..30)
        .map(|index| BatchWrite::Delete(Key::new(&partition, format!("item-{index:03}"))))
        .collect();
    for index in 100..105 {
        let added = item(&[
            ("pk", s(&partition)),
            ("sk", s(format!("item-{index:03}"))),
            ("index", n(index)),
        ]);
        expected.insert(Key::of(&added).unwrap(), added.clone());
        writes.push(BatchWrite::Put(added));
    }
    store.batch_write(writes).await.unwrap();
    for index in 0..30 {
        expected.remove(&Key::new(&partition, format!("item-{index:03}")));
    }
    assert_eq!(expected.len(), 35);
    assert_batch_get(&*store, &keys, &expected).await;
}

/// One key twice in one batch of writes is refused.
pub async fn store_batch_write_rules(store: Arc<dyn ItemStore>) {
    let key = Key::new(unique("batch-rules"), "dup");
    let result = store
        .batch_write(vec![
            BatchWrite::Put(key.to_item()),
            BatchWrite::Delete(key.clone()),
        ])
        .await;
    assert!(
        matches!(result, Err(StoreError::Validation(_))),
        "same key twice in a batch: {result:?}"
    );
    assert!(
        store.batch_write(Vec::new()).await.is_ok(),
        "an empty batch does nothing"
    );
}

/// Items over 400 KB and items without proper string keys are refused.
pub async fn store_item_rules(store: Arc<dyn ItemStore>) {
    let key = Key::new(unique("item-rules"), "big");
    let with_blob = |bytes: usize| {
        item(&[
            ("pk", s(&key.pk)),
            ("sk", s(&key.sk)),
            ("blob", s("x".repeat(bytes))),
        ])
    };
    let put = |item: Item| Put {
        item,
        condition: None,
    };

    let too_big = store.put(put(with_blob(MAX_ITEM_BYTES + 1024))).await;
    assert!(
        matches!(too_big, Err(StoreError::Validation(_))),
        "item over 400 KB: {too_big:?}"
    );
    assert!(
        store
            .get(&key, Consistency::Strong)
            .await
            .unwrap()
            .is_none()
    );

    let large = with_blob(300 * 1024);
    store
        .put(put(large.clone()))
        .await
        .expect("a 300 KB item fits");
    assert_eq!(
        store.get(&key, Consistency::Strong).await.unwrap(),
        Some(large)
    );

    let bad_items = [
        item(&[("pk", s(unique("item-rules")))]),
        item(&[("sk", s("only-sort"))]),
        item(&[("pk", n(1)), ("sk", s("numeric-partition"))]),
    ];
    for bad in bad_items {
        let result = store.put(put(bad.clone())).await;
        assert!(
            matches!(result, Err(StoreError::Validation(_))),
            "{bad:?} should be refused, got {result:?}"
        );
    }
}
