//! All-or-nothing transactions.

use crate::conformance::support::{item, unique};
use crate::store::{
    CancelReason, Condition, Consistency, Delete, Item, ItemStore, Key, MAX_TRANSACTION_OPS, Put,
    StoreError, TxOp, Update, UpdateItem, n, s,
};
use std::sync::Arc;

fn keyed(key: &Key, pairs: &[(&str, crate::store::AttributeValue)]) -> Item {
    let mut item = item(pairs);
    item.insert("pk".into(), s(&key.pk));
    item.insert("sk".into(), s(&key.sk));
    item
}

async fn read(store: &dyn ItemStore, key: &Key) -> Option<Item> {
    store.get(key, Consistency::Strong).await.unwrap()
}

fn tx_put(item: Item, condition: Option<Condition>) -> TxOp {
    TxOp::Put(Put { item, condition })
}

/// The second of three actions fails its condition: the transaction is canceled with one
/// reason per action, and none of the three writes happens.
pub async fn store_transaction_rollback(store: Arc<dyn ItemStore>) {
    let partition = unique("tx-rollback");
    let created = Key::new(&partition, "created");
    let versioned = Key::new(&partition, "versioned");
    let doomed = Key::new(&partition, "doomed");
    let versioned_item = keyed(&versioned, &[("version", n(1))]);
    let doomed_item = keyed(&doomed, &[("state", s("alive"))]);
    for item in [&versioned_item, &doomed_item] {
        store
            .put(Put {
                item: item.clone(),
                condition: None,
            })
            .await
            .unwrap();
    }

    let result = store
        .transact(vec![
            tx_put(keyed(&created, &[]), Some(Condition::NotExists)),
            TxOp::Update(UpdateItem {
                key: versioned.clone(),
                update: Update::new().add("version", 1),
                condition: Some(Condition::version(2)),
            }),
            TxOp::Delete(Delete {
                key: doomed.clone(),
                condition: Some(Condition::Exists),
            }),
        ])
        .await;
    let error = result.expect_err("the transaction is canceled");
    assert!(error.is_condition_failure());
    assert_eq!(error.failed_condition_index(), Some(1));
    match &error {
        StoreError::TransactionCanceled { reasons } => assert_eq!(
            reasons,
            &vec![
                CancelReason::None,
                CancelReason::ConditionFailed,
                CancelReason::None
            ]
        ),
        other => panic!("expected TransactionCanceled, got {other:?}"),
    }
    assert_eq!(
        read(&*store, &created).await,
        None,
        "the put did not happen"
    );
    assert_eq!(read(&*store, &versioned).await, Some(versioned_item));
    assert_eq!(read(&*store, &doomed).await, Some(doomed_item));
}

/// Put + Update + Delete + Check, all conditions true: every write happens.
pub async fn store_transaction_applies_all(store: Arc<dyn ItemStore>) {
    let partition = unique("tx-apply");
    let created = Key::new(&partition, "created");
    let counted = Key::new(&partition, "counted");
    let removed = Key::new(&partition, "removed");
    let checked = Key::new(&partition, "checked");
    let checked_item = keyed(&checked, &[("open", s("yes"))]);
    for item in [
        keyed(&counted, &[("count", n(1))]),
        keyed(&removed, &[]),
        checked_item.clone(),
    ] {
        store
            .put(Put {
                item,
                condition: None,
            })
            .await
            .unwrap();
    }
    store
        .transact(vec![
            tx_put(
                keyed(&created, &[("fresh", s("1"))]),
                Some(Condition::NotExists),
            ),
            TxOp::Update(UpdateItem {
                key: counted.clone(),
                update: Update::new().add("count", 2).set("touched", s("yes")),
                condition: Some(Condition::Exists),
            }),
            TxOp::Delete(Delete {
                key: removed.clone(),
                condition: None,
            }),
            TxOp::Check {
                key: checked.clone(),
                condition: Condition::equals("open", s("yes")),
            },
        ])
        .await
        .unwrap();
    assert_eq!(
        read(&*store, &created).await,
        Some(keyed(&created, &[("fresh", s("1"))]))
    );
    assert_eq!(
        read(&*store, &counted).await,
        Some(keyed(&counted, &[("count", n(3)), ("touched", s("yes"))]))
    );
    assert_eq!(read(&*store, &removed).await, None);
    assert_eq!(read(&*store, &checked).await, Some(checked_item));

    // A failing Check alone cancels an otherwise valid transaction.
    let result = store
        .transact(vec![
            tx_put(keyed(&Key::new(&partition, "never"), &[]), None),
            TxOp::Check {
                key: checked.clone(),
                condition: Condition::equals("open", s("no")),
            },
        ])
        .await;
    assert_eq!(
        result.expect_err("canceled").failed_condition_index(),
        Some(1)
    );
    assert_eq!(read(&*store, &Key::new(&partition, "never")).await, None);
}

/// At most 100 actions, each on a different item; a full 100-action transaction works.
pub async fn store_transaction_limits(store: Arc<dyn ItemStore>) {
    let partition = unique("tx-limits");
    let puts = |prefix: &str, count: usize| -> Vec<TxOp> {
        (0..count)
            .map(|index| {
                tx_put(
                    keyed(&Key::new(&partition, format!("{prefix}-{index:03}")), &[]),
                    None,
                )
            })
            .collect()
    };

    let too_many = store.transact(puts("over", MAX_TRANSACTION_OPS + 1)).await;
    assert!(
        matches!(too_many, Err(StoreError::Validation(_))),
        "101 actions: {too_many:?}"
    );
    assert_eq!(read(&*store, &Key::new(&partition, "over-000")).await, None);

    let twice = Key::new(&partition, "twice");
    let same_key = store
        .transact(vec![
            tx_put(keyed(&twice, &[]), None),
            TxOp::Update(UpdateItem {
                key: twice.clone(),
                update: Update::new().set("a", n(1)),
                condition: None,
            }),
        ])
        .await;
    assert!(
        matches!(same_key, Err(StoreError::Validation(_))),
        "same key twice: {same_key:?}"
    );
    assert_eq!(read(&*store, &twice).await, None);

    store
        .transact(puts("full", MAX_TRANSACTION_OPS))
        .await
        .expect("100 actions are allowed");
    for index in 0..MAX_TRANSACTION_OPS {
        let key = Key::new(&partition, format!("full-{index:03}"));
        assert!(read(&*store, &key).await.is_some(), "{key:?} was written");
    }
}
