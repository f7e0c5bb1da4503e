//! Single-item reads and writes, conditions.

use crate::conformance::support::{eventually, item, unique};
use crate::store::{
    AttributeValue, Condition, Consistency, Delete, Item, ItemStore, Key, Put, StoreError, Update,
    UpdateItem, n, s,
};
use std::sync::Arc;
use std::time::Duration;

fn put(item: Item) -> Put {
    Put {
        item,
        condition: None,
    }
}

fn put_if(item: Item, condition: Condition) -> Put {
    Put {
        item,
        condition: Some(condition),
    }
}

/// Put, get (strong and eventual), delete returning the old item, delete of nothing.
pub async fn store_round_trip(store: Arc<dyn ItemStore>) {
    let key = Key::new(unique("round-trip"), "profile");
    let nested = AttributeValue::M(
        [("city".to_owned(), s("Lyon")), ("zip".to_owned(), n(69001))]
            .into_iter()
            .collect(),
    );
    let written = item(&[
        ("pk", s(&key.pk)),
        ("sk", s(&key.sk)),
        ("name", s("Ada")),
        ("visits", n(3)),
        ("active", AttributeValue::Bool(true)),
        ("address", nested),
        ("tags", AttributeValue::L(vec![s("a"), n(1)])),
    ]);
    assert!(
        store
            .get(&key, Consistency::Strong)
            .await
            .unwrap()
            .is_none()
    );
    store.put(put(written.clone())).await.unwrap();

    let strong = store.get(&key, Consistency::Strong).await.unwrap();
    assert_eq!(strong.as_ref(), Some(&written), "strong read sees the put");
    let seen = eventually(Duration::from_secs(5), || async {
        store
            .get(&key, Consistency::Eventual)
            .await
            .unwrap()
            .as_ref()
            == Some(&written)
    })
    .await;
    assert!(seen, "eventual read converges to the put");

    let deleted = store
        .delete(Delete {
            key: key.clone(),
            condition: None,
        })
        .await
        .unwrap();
    assert_eq!(deleted, Some(written), "delete returns the old item");
    assert!(
        store
            .get(&key, Consistency::Strong)
            .await
            .unwrap()
            .is_none()
    );
    let again = store
        .delete(Delete {
            key: key.clone(),
            condition: None,
        })
        .await
        .unwrap();
    assert_eq!(again, None, "delete of an absent item returns nothing");
}

/// A put replaces the whole item: attributes it lacks are gone.
pub async fn store_put_replaces_whole_item(store: Arc<dyn ItemStore>) {
    let key = Key::new(unique("replace"), "a");
    let first = item(&[
        ("pk", s(&key.pk)),
        ("sk", s(&key.sk)),
        ("old", s("x")),
        ("kept", n(1)),
    ]);
    let second = item(&[("pk", s(&key.pk)), ("sk", s(&key.sk)), ("kept", n(2))]);
    store.put(put(first)).await.unwrap();
    store.put(put(second.clone())).await.unwrap();
    let stored = store.get(&key, Consistency::Strong).await.unwrap();
    assert_eq!(stored, Some(second));
}

/// N writers race to create one item: exactly one wins, the others see its item.
pub async fn store_conditional_put_race(store: Arc<dyn ItemStore>) {
    const WRITERS: i64 = 20;
    let key = Key::new(unique("race"), "claim");
    let mut tasks = Vec::new();
    for writer in 0..WRITERS {
        let store = Arc::clone(&store);
        let candidate = item(&[
            ("pk", s(&key.pk)),
            ("sk", s(&key.sk)),
            ("writer", n(writer)),
        ]);
        tasks.push(tokio::spawn(async move {
            let result = store.put(put_if(candidate, Condition::NotExists)).await;
            (writer, result)
        }));
    }
    let mut winners = Vec::new();
    let mut losers_saw = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            (writer, Ok(())) => winners.push(writer),
            (_, Err(StoreError::ConditionFailed { current })) => {
                let current = current.expect("a failed NotExists carries the existing item");
                losers_saw.push(crate::store::get_n(&current, "writer").expect("writer attribute"));
            }
            (_, Err(other)) => panic!("unexpected error {other:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one writer wins: {winners:?}");
    assert_eq!(losers_saw.len() as i64, WRITERS - 1);
    let winner = winners[0];
    assert!(
        losers_saw.iter().all(|seen| *seen == winner),
        "losers see the winner's item"
    );
    let stored = store.get(&key, Consistency::Strong).await.unwrap().unwrap();
    assert_eq!(crate::store::get_n(&stored, "writer"), Some(winner));
}

/// Optimistic locking on `version`; a failed condition reports the current item and changes
/// nothing, for put, update and delete alike.
pub async fn store_version_condition(store: Arc<dyn ItemStore>) {
    let key = Key::new(unique("version"), "doc");
    let v1 = item(&[
        ("pk", s(&key.pk)),
        ("sk", s(&key.sk)),
        ("version", n(1)),
        ("body", s("first")),
    ]);
    store.put(put_if(v1, Condition::NotExists)).await.unwrap();

    let v2 = store
        .update(UpdateItem {
            key: key.clone(),
            update: Update::new().set("body", s("second")).add("version", 1),
            condition: Some(Condition::version(1)),
        })
        .await
        .unwrap();
    let expected_v2 = item(&[
        ("pk", s(&key.pk)),
        ("sk", s(&key.sk)),
        ("version", n(2)),
        ("body", s("second")),
    ]);
    assert_eq!(v2, expected_v2, "update returns the new item");

    let stale_update = store
        .update(UpdateItem {
            key: key.clone(),
            update: Update::new().set("body", s("stale")).add("version", 1),
            condition: Some(Condition::version(1)),
        })
        .await;
    assert_condition_failed(stale_update.map(drop), &expected_v2);

    let stale_put = store
        .put(put_if(
            item(&[("pk", s(&key.pk)), ("sk", s(&key.sk)), ("version", n(2))]),
            Condition::version(1),
        ))
        .await;
    assert_condition_failed(stale_put, &expected_v2);

    let stale_delete = store
        .delete(Delete {
            key: key.clone(),
            condition: Some(Condition::version(1)),
        })
        .await;
    assert_condition_failed(stale_delete.map(drop), &expected_v2);

    let stored = store.get(&key, Consistency::Strong).await.unwrap();
    assert_eq!(
        stored.as_ref(),
        Some(&expected_v2),
        "failed writes changed nothing"
    );

    let deleted = store
        .delete(Delete {
            key: key.clone(),
            condition: Some(Condition::version(2)),
        })
        .await
        .unwrap();
    assert_eq!(deleted, Some(expected_v2));
}

fn assert_condition_failed(result: Result<(), StoreError>, current: &Item) {
    match result {
        Err(StoreError::ConditionFailed {
            current: Some(seen),
        }) => {
            assert_eq!(&*seen, current, "the error carries the current item");
        }
        other => panic!("expected ConditionFailed with the current item, got {other:?}"),
    }
}

/// Conditions on absent items and attributes, typed comparisons, AND/OR/NOT.
pub async fn store_condition_semantics(store: Arc<dyn ItemStore>) {
    let key = Key::new(unique("conditions"), "c");
    let attempt = |condition: Condition| {
        let store = Arc::clone(&store);
        let key = key.clone();
        async move {
            match store
                .update(UpdateItem {
                    key,
                    update: Update::new().add("attempts", 1),
                    condition: Some(condition),
                })
                .await
            {
                Ok(_) => true,
                Err(StoreError::ConditionFailed { .. }) => false,
                Err(other) => panic!("unexpected error {other:?}"),
            }
        }
    };

    // No item yet: only "does not exist" conditions hold.
    assert!(!attempt(Condition::Exists).await);
    assert!(!attempt(Condition::AttributeExists("n".into())).await);
    assert!(!attempt(Condition::GreaterThan("n".into(), n(0))).await);
    assert!(!attempt(Condition::equals("n", n(0))).await);
    assert!(
        store
            .get(&key, Consistency::Strong)
            .await
            .unwrap()
            .is_none()
    );
    match store
        .put(put_if(
            item(&[("pk", s(&key.pk)), ("sk", s(&key.sk))]),
            Condition::Exists,
        ))
        .await
    {
        Err(StoreError::ConditionFailed { current: None }) => {}
        other => panic!("expected ConditionFailed without an item, got {other:?}"),
    }
    assert!(attempt(Condition::AttributeNotExists("n".into())).await);

    store
        .put(put(item(&[
            ("pk", s(&key.pk)),
            ("sk", s(&key.sk)),
            ("n", n(10)),
            ("text", s("b")),
        ])))
        .await
        .unwrap();
    // Numbers compare numerically (10 > 9), strings byte-wise ("b" > "a"; "10" < "9").
    assert!(attempt(Condition::GreaterThan("n".into(), n(9))).await);
    assert!(attempt(Condition::LessOrEqual("n".into(), n(10))).await);
    assert!(!attempt(Condition::LessThan("n".into(), n(10))).await);
    assert!(attempt(Condition::GreaterThan("text".into(), s("a"))).await);
    assert!(attempt(Condition::GreaterOrEqual("text".into(), s("b"))).await);
    assert!(!attempt(Condition::GreaterThan("text".into(), s("c"))).await);
    // Different types never equal (ordering across types: `store_mixed_type_ordering`).
    assert!(!attempt(Condition::equals("n", s("10"))).await);
    assert!(attempt(Condition::NotEquals("n".into(), n(11))).await);
    assert!(!attempt(Condition::NotEquals("n".into(), n(10))).await);
    assert!(attempt(Condition::Exists.and(Condition::equals("text", s("b")))).await);
    assert!(!attempt(Condition::Exists.and(Condition::equals("text", s("c")))).await);
    assert!(
        attempt(Condition::Or(vec![
            Condition::equals("text", s("c")),
            Condition::equals("n", n(10)),
        ]))
        .await
    );
    assert!(attempt(Condition::Not(Box::new(Condition::equals("text", s("c"))))).await);
    assert!(
        !attempt(Condition::Not(Box::new(Condition::AttributeExists(
            "n".into()
        ))))
        .await
    );

    // The put replaced the item; 8 attempts succeeded after it.
    let stored = store.get(&key, Consistency::Strong).await.unwrap().unwrap();
    assert_eq!(crate::store::get_n(&stored, "attempts"), Some(8));
}

/// An ordered comparison between a number and a string is false, as in DynamoDB. Not in the
/// moto run: moto 5.2.5 answers HTTP 500 here (see `tests/tests/integration/conformance_moto.rs`).
pub async fn store_mixed_type_ordering(store: Arc<dyn ItemStore>) {
    let key = Key::new(unique("mixed"), "m");
    store
        .put(put(item(&[
            ("pk", s(&key.pk)),
            ("sk", s(&key.sk)),
            ("n", n(10)),
        ])))
        .await
        .unwrap();
    for condition in [
        Condition::LessThan("n".into(), s("99")),
        Condition::GreaterThan("n".into(), s("1")),
    ] {
        let result = store
            .update(UpdateItem {
                key: key.clone(),
                update: Update::new().add("attempts", 1),
                condition: Some(condition),
            })
            .await;
        assert!(
            matches!(result, Err(StoreError::ConditionFailed { .. })),
            "{result:?}"
        );
    }
}
