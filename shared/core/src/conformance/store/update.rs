//! Update expressions and atomic counters.

use crate::conformance::support::{item, unique};
use crate::store::{Consistency, ItemStore, Key, Put, StoreError, Update, UpdateItem, get_n, n, s};
use std::sync::Arc;

fn update(key: &Key, update: Update) -> UpdateItem {
    UpdateItem {
        key: key.clone(),
        update,
        condition: None,
    }
}

/// Set / SetIfAbsent / Add / Remove; an absent item is created; the result is ALL_NEW.
pub async fn store_update_semantics(store: Arc<dyn ItemStore>) {
    let key = Key::new(unique("update"), "u");
    let created = store
        .update(update(
            &key,
            Update::new()
                .set("label", s("x"))
                .set_if_absent("first", n(1))
                .add("count", 5),
        ))
        .await
        .unwrap();
    let expected = item(&[
        ("pk", s(&key.pk)),
        ("sk", s(&key.sk)),
        ("label", s("x")),
        ("first", n(1)),
        ("count", n(5)),
    ]);
    assert_eq!(created, expected, "update creates the absent item");
    assert_eq!(
        store.get(&key, Consistency::Strong).await.unwrap(),
        Some(expected)
    );

    let changed = store
        .update(update(
            &key,
            Update::new()
                .set_if_absent("first", n(2))
                .add("count", -2)
                .remove("label")
                .set("note", s("hello")),
        ))
        .await
        .unwrap();
    let expected = item(&[
        ("pk", s(&key.pk)),
        ("sk", s(&key.sk)),
        ("first", n(1)),
        ("count", n(3)),
        ("note", s("hello")),
    ]);
    assert_eq!(changed, expected, "update returns the whole new item");
    assert_eq!(
        store.get(&key, Consistency::Strong).await.unwrap(),
        Some(expected.clone())
    );

    // Removing an absent attribute is a no-op.
    let same = store
        .update(update(&key, Update::new().remove("missing")))
        .await
        .unwrap();
    assert_eq!(same, expected);
}

/// Updates DynamoDB rejects: ADD to a string, changing a key attribute, one attribute twice.
/// None of them changes the item.
pub async fn store_update_validation(store: Arc<dyn ItemStore>) {
    let key = Key::new(unique("update-rules"), "u");
    let original = item(&[("pk", s(&key.pk)), ("sk", s(&key.sk)), ("label", s("text"))]);
    store
        .put(Put {
            item: original.clone(),
            condition: None,
        })
        .await
        .unwrap();
    let rejected = [
        Update::new().add("label", 1),
        Update::new().set("pk", s("other")),
        Update::new().set("sk", s("other")),
        Update::new().remove("sk"),
        Update::new().set("a", n(1)).add("a", 1),
    ];
    for rejected in rejected {
        let result = store.update(update(&key, rejected.clone())).await;
        assert!(
            matches!(result, Err(StoreError::Validation(_))),
            "{rejected:?} should be a validation error, got {result:?}"
        );
    }
    assert_eq!(
        store.get(&key, Consistency::Strong).await.unwrap(),
        Some(original)
    );
}

/// Concurrent ADDs on one counter lose no update.
pub async fn store_counter_under_concurrency(store: Arc<dyn ItemStore>) {
    let key = Key::new(unique("counter"), "hits");
    let deltas: Vec<i64> = std::iter::repeat_n(1, 50)
        .chain(std::iter::repeat_n(-1, 10))
        .chain(std::iter::repeat_n(5, 10))
        .collect();
    let expected: i64 = deltas.iter().sum();
    let mut tasks = Vec::new();
    for delta in deltas {
        let store = Arc::clone(&store);
        let key = key.clone();
        tasks.push(tokio::spawn(async move {
            store
                .update(update(&key, Update::new().add("hits", delta)))
                .await
        }));
    }
    for task in tasks {
        let after = task.await.unwrap().expect("counter update succeeds");
        assert!(
            get_n(&after, "hits").is_some(),
            "each update returns the counter"
        );
    }
    let stored = store.get(&key, Consistency::Strong).await.unwrap().unwrap();
    assert_eq!(get_n(&stored, "hits"), Some(expected));
}
