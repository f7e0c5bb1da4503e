//! The DynamoDB engine against moto: conditions, transactions, counters, queries, batches.

use integration_tests::fresh_store;
use shared::store::dynamodb::Operation;
use shared::store::{
    BatchWrite, CancelReason, Condition, Consistency, Delete, Item, ItemStore, Key, Put, Query,
    RangeCondition, StoreError, TxOp, Update, UpdateItem, decode_cursor, get_n, get_s, n, s,
};
use std::collections::{BTreeSet, HashMap};

fn item(pk: &str, sk: &str, attributes: &[(&str, shared::store::AttributeValue)]) -> Item {
    let mut item = Key::new(pk, sk).to_item();
    for (name, value) in attributes {
        item.insert((*name).to_owned(), value.clone());
    }
    item
}

fn put(item: Item) -> Put {
    Put {
        item,
        condition: None,
    }
}

async fn get(store: &dyn ItemStore, pk: &str, sk: &str) -> Option<Item> {
    store
        .get(&Key::new(pk, sk), Consistency::Strong)
        .await
        .expect("get")
}

// moto serves requests on threads and takes no lock per item: its check-then-write is atomic
// only because it runs within one slice of Python's GIL. Real DynamoDB guarantees it. These
// races have held in every run; a failure here would point at moto before the engine.
#[tokio::test]
async fn only_one_of_twenty_concurrent_conditional_puts_wins() {
    let store = fresh_store().await;
    let writers = (0..20).map(|writer| {
        let store = store.clone();
        tokio::spawn(async move {
            let claim = item("CODE#launch", "CODE", &[("owner", s(format!("w{writer}")))]);
            let result = store
                .put(Put {
                    item: claim,
                    condition: Some(Condition::NotExists),
                })
                .await;
            (writer, result)
        })
    });
    let mut winners = Vec::new();
    let mut losers = Vec::new();
    for handle in writers.collect::<Vec<_>>() {
        match handle.await.expect("writer task") {
            (writer, Ok(())) => winners.push(writer),
            (_, Err(StoreError::ConditionFailed { current })) => losers.push(current),
            (_, Err(other)) => panic!("unexpected error: {other:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one writer wins");
    assert_eq!(losers.len(), 19);
    let stored = get(&*store, "CODE#launch", "CODE")
        .await
        .expect("the claim");
    let owner = format!("w{}", winners[0]);
    assert_eq!(get_s(&stored, "owner"), Some(owner.as_str()));
    // Every loser's condition failed on the winner's item, which ALL_OLD hands back.
    for current in losers {
        let current = current.expect("ALL_OLD returns the item that beat this writer");
        assert_eq!(*current, stored);
    }
}

#[tokio::test]
async fn failed_conditions_change_nothing_and_return_the_current_item() {
    let store = fresh_store().await;
    let original = item(
        "PROG#1",
        "META",
        &[
            ("version", n(1)),
            ("status", s("open")),
            ("name", s("Spring")),
        ],
    );
    store.put(put(original.clone())).await.unwrap();

    let stale_update = store
        .update(UpdateItem {
            key: Key::new("PROG#1", "META"),
            update: Update::new().set("status", s("closed")).add("version", 1),
            condition: Some(Condition::version(2)),
        })
        .await;
    let stale_delete = store
        .delete(Delete {
            key: Key::new("PROG#1", "META"),
            condition: Some(Condition::equals("status", s("closed"))),
        })
        .await;
    let duplicate_put = store
        .put(Put {
            item: item("PROG#1", "META", &[("version", n(9))]),
            condition: Some(Condition::NotExists),
        })
        .await;
    for result in [
        stale_update.map(|_| ()),
        stale_delete.map(|_| ()),
        duplicate_put,
    ] {
        match result {
            Err(StoreError::ConditionFailed {
                current: Some(current),
            }) => {
                assert_eq!(*current, original)
            }
            other => panic!("expected ConditionFailed with the item, got {other:?}"),
        }
    }
    assert_eq!(get(&*store, "PROG#1", "META").await, Some(original));

    // On a missing item there is nothing to return.
    let missing = store
        .update(UpdateItem {
            key: Key::new("PROG#2", "META"),
            update: Update::new().set("status", s("open")),
            condition: Some(Condition::Exists),
        })
        .await;
    assert!(matches!(
        missing,
        Err(StoreError::ConditionFailed { current: None })
    ));
    assert_eq!(get(&*store, "PROG#2", "META").await, None);
}

#[tokio::test]
async fn comparisons_with_an_absent_attribute() {
    let store = fresh_store().await;
    store.put(put(item("A", "1", &[]))).await.unwrap();
    let update = |condition| UpdateItem {
        key: Key::new("A", "1"),
        update: Update::new().add("hits", 1),
        condition: Some(condition),
    };
    // `<>` holds on an absent attribute in DynamoDB; ordered comparisons and `=` do not.
    let not_equal = Condition::NotEquals("status".into(), s("closed"));
    assert!(store.update(update(not_equal)).await.is_ok());
    for condition in [
        Condition::equals("status", s("closed")),
        Condition::LessThan("status".into(), s("z")),
        Condition::GreaterOrEqual("status".into(), s("")),
        Condition::Or(vec![]),
    ] {
        let result = store.update(update(condition.clone())).await;
        assert!(
            matches!(result, Err(StoreError::ConditionFailed { .. })),
            "{condition:?} holds: {result:?}"
        );
    }
    assert!(store.update(update(Condition::And(vec![]))).await.is_ok());
    let stored = get(&*store, "A", "1").await.unwrap();
    assert_eq!(get_n(&stored, "hits"), Some(2));
}

#[tokio::test]
async fn update_returns_all_new_and_delete_all_old() {
    let store = fresh_store().await;
    store
        .put(put(item("A", "1", &[("count", n(1)), ("old", s("x"))])))
        .await
        .unwrap();
    let updated = store
        .update(UpdateItem {
            key: Key::new("A", "1"),
            update: Update::new()
                .add("count", 4)
                .remove("old")
                .set_if_absent("created", n(7))
                .set_if_absent("count", n(100))
                .set("name", s("n")),
            condition: Some(Condition::Exists.and(Condition::GreaterOrEqual("count".into(), n(1)))),
        })
        .await;
    // `count` twice in one update is refused up front, as DynamoDB would.
    assert!(matches!(updated, Err(StoreError::Validation(_))));

    let updated = store
        .update(UpdateItem {
            key: Key::new("A", "1"),
            update: Update::new()
                .add("count", 4)
                .remove("old")
                .set_if_absent("created", n(7))
                .set("name", s("n")),
            condition: Some(Condition::Exists.and(Condition::GreaterOrEqual("count".into(), n(1)))),
        })
        .await
        .unwrap();
    let expected = item(
        "A",
        "1",
        &[("count", n(5)), ("created", n(7)), ("name", s("n"))],
    );
    assert_eq!(updated, expected);

    let deleted = store
        .delete(Delete {
            key: Key::new("A", "1"),
            condition: None,
        })
        .await
        .unwrap();
    assert_eq!(deleted, Some(expected));
    let again = store
        .delete(Delete {
            key: Key::new("A", "1"),
            condition: None,
        })
        .await
        .unwrap();
    assert_eq!(again, None);
}

#[tokio::test]
async fn a_canceled_transaction_applies_nothing_and_reports_the_failing_action() {
    let store = fresh_store().await;
    store
        .put(put(item("ACCT#1", "BAL", &[("balance", n(10))])))
        .await
        .unwrap();
    store
        .put(put(item("ACCT#9", "BAL", &[("balance", n(1))])))
        .await
        .unwrap();

    let ops = vec![
        TxOp::Put(put(item("LEDGER#1", "E#1", &[("amount", n(5))]))),
        TxOp::Update(UpdateItem {
            key: Key::new("ACCT#1", "BAL"),
            update: Update::new().add("balance", -5),
            condition: Some(Condition::GreaterOrEqual("balance".into(), n(5))),
        }),
        TxOp::Check {
            key: Key::new("PROG#404", "META"),
            condition: Condition::Exists,
        },
        TxOp::Delete(Delete {
            key: Key::new("ACCT#9", "BAL"),
            condition: None,
        }),
    ];
    let error = store.transact(ops).await.expect_err("the check fails");
    assert_eq!(error.failed_condition_index(), Some(2));
    match &error {
        StoreError::TransactionCanceled { reasons } => assert_eq!(
            reasons,
            &vec![
                CancelReason::None,
                CancelReason::None,
                CancelReason::ConditionFailed,
                CancelReason::None
            ]
        ),
        other => panic!("expected TransactionCanceled, got {other:?}"),
    }
    assert_eq!(get(&*store, "LEDGER#1", "E#1").await, None);
    let account = get(&*store, "ACCT#1", "BAL").await.unwrap();
    assert_eq!(get_n(&account, "balance"), Some(10));
    assert!(get(&*store, "ACCT#9", "BAL").await.is_some());

    // The same transaction with a true check applies every action.
    store.put(put(item("PROG#404", "META", &[]))).await.unwrap();
    let ops = vec![
        TxOp::Put(put(item("LEDGER#1", "E#1", &[("amount", n(5))]))),
        TxOp::Update(UpdateItem {
            key: Key::new("ACCT#1", "BAL"),
            update: Update::new().add("balance", -5),
            condition: Some(Condition::GreaterOrEqual("balance".into(), n(5))),
        }),
        TxOp::Check {
            key: Key::new("PROG#404", "META"),
            condition: Condition::Exists,
        },
        TxOp::Delete(Delete {
            key: Key::new("ACCT#9", "BAL"),
            condition: None,
        }),
    ];
    store.transact(ops).await.unwrap();
    assert!(get(&*store, "LEDGER#1", "E#1").await.is_some());
    let account = get(&*store, "ACCT#1", "BAL").await.unwrap();
    assert_eq!(get_n(&account, "balance"), Some(5));
    assert_eq!(get(&*store, "ACCT#9", "BAL").await, None);
}

#[tokio::test]
async fn transactions_are_validated_up_front() {
    let store = fresh_store().await;
    let twice = vec![
        TxOp::Put(put(item("A", "1", &[]))),
        TxOp::Delete(Delete {
            key: Key::new("A", "1"),
            condition: None,
        }),
    ];
    assert!(matches!(
        store.transact(twice).await,
        Err(StoreError::Validation(_))
    ));
    let too_many = (0..101)
        .map(|i| TxOp::Put(put(item("A", &i.to_string(), &[]))))
        .collect();
    assert!(matches!(
        store.transact(too_many).await,
        Err(StoreError::Validation(_))
    ));
    assert_eq!(store.stats().get(Operation::TransactWriteItems).requests, 0);
    let hundred = (0..100)
        .map(|i| TxOp::Put(put(item("A", &format!("{i:03}"), &[]))))
        .collect();
    store.transact(hundred).await.unwrap();
    let page = store.query(Query::table("A").consistent()).await.unwrap();
    assert_eq!(page.items.len(), 100);
}

#[tokio::test]
async fn fifty_concurrent_increments_all_count() {
    let store = fresh_store().await;
    let increments = (0..50).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            let updated = store
                .update(UpdateItem {
                    key: Key::new("PROG#1", "STATS"),
                    update: Update::new().add("clicks", 1),
                    condition: None,
                })
                .await
                .expect("increment");
            get_n(&updated, "clicks").expect("a counter")
        })
    });
    let mut seen = BTreeSet::new();
    for handle in increments.collect::<Vec<_>>() {
        seen.insert(handle.await.expect("increment task"));
    }
    // Every increment saw a distinct value: none was lost.
    assert_eq!(seen, (1..=50).collect());
    let stats = get(&*store, "PROG#1", "STATS").await.unwrap();
    assert_eq!(get_n(&stats, "clicks"), Some(50));
}

async fn seed_index(store: &dyn ItemStore) {
    let mut writes = Vec::new();
    for i in 0..7 {
        let sk = format!("APP#{i}");
        writes.push(BatchWrite::Put(item(
            "PROG#1",
            &sk,
            &[
                ("gsi1pk", s("PROG#1#pending")),
                ("gsi1sk", s(format!("2025-01-0{i}"))),
            ],
        )));
    }
    // Another partition and an item without index keys (sparse index) stay out.
    writes.push(BatchWrite::Put(item(
        "PROG#2",
        "APP#0",
        &[("gsi1pk", s("PROG#2#pending")), ("gsi1sk", s("2025-01-00"))],
    )));
    writes.push(BatchWrite::Put(item("PROG#1", "META", &[])));
    store.batch_write(writes).await.unwrap();
}

async fn all_pages(store: &dyn ItemStore, query: Query) -> (Vec<String>, usize) {
    let mut sort_keys = Vec::new();
    let mut pages = 0;
    let mut cursor = None;
    loop {
        let page = store.query(query.clone().cursor(cursor)).await.unwrap();
        pages += 1;
        assert!(page.items.len() <= 3, "a page holds at most the limit");
        sort_keys.extend(
            page.items
                .iter()
                .map(|item| get_s(item, "gsi1sk").unwrap().to_owned()),
        );
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
        assert!(pages < 10, "pagination does not end");
    }
    (sort_keys, pages)
}

#[tokio::test]
async fn index_queries_paginate_in_both_orders() {
    let store = fresh_store().await;
    seed_index(&*store).await;
    let ascending: Vec<String> = (0..7).map(|i| format!("2025-01-0{i}")).collect();

    let query = Query::index("gsi1", "PROG#1#pending").limit(3);
    let (forward, pages) = all_pages(&*store, query.clone()).await;
    assert_eq!(forward, ascending);
    // 3 + 3 + 1; the last page has no cursor because it stopped short of the limit.
    assert_eq!(pages, 3);

    let (backward, pages) = all_pages(&*store, query.descending()).await;
    let descending: Vec<String> = ascending.iter().rev().cloned().collect();
    assert_eq!(backward, descending);
    assert_eq!(pages, 3);

    let ranged = Query::index("gsi1", "PROG#1#pending")
        .range(RangeCondition::Between(
            "2025-01-02".into(),
            "2025-01-04".into(),
        ))
        .limit(3);
    let (middle, _) = all_pages(&*store, ranged).await;
    assert_eq!(middle, ascending[2..5]);

    let strong = Query::index("gsi1", "PROG#1#pending").consistent();
    assert!(matches!(
        store.query(strong).await,
        Err(StoreError::Validation(_))
    ));
    assert!(matches!(
        store.query(Query::index("nope", "x")).await,
        Err(StoreError::Validation(_))
    ));
}

#[tokio::test]
async fn cursors_round_trip_the_last_evaluated_key() {
    let store = fresh_store().await;
    seed_index(&*store).await;

    let first = store
        .query(
            Query::table("PROG#1")
                .range(RangeCondition::BeginsWith("APP#".into()))
                .limit(2)
                .consistent(),
        )
        .await
        .unwrap();
    let cursor = first.next.expect("more items follow");
    assert_eq!(
        decode_cursor(&cursor).unwrap(),
        Key::new("PROG#1", "APP#1").to_item()
    );
    let second = store
        .query(
            Query::table("PROG#1")
                .range(RangeCondition::BeginsWith("APP#".into()))
                .limit(2)
                .cursor(Some(cursor)),
        )
        .await
        .unwrap();
    let keys: Vec<Key> = second.items.iter().map(|i| Key::of(i).unwrap()).collect();
    assert_eq!(
        keys,
        vec![Key::new("PROG#1", "APP#2"), Key::new("PROG#1", "APP#3")]
    );

    // An index cursor carries the index keys and the table keys.
    let page = store
        .query(Query::index("gsi1", "PROG#1#pending").limit(1))
        .await
        .unwrap();
    let last = decode_cursor(&page.next.unwrap()).unwrap();
    let names: BTreeSet<&str> = last.keys().map(String::as_str).collect();
    assert_eq!(names, BTreeSet::from(["pk", "sk", "gsi1pk", "gsi1sk"]));

    let forged = store
        .query(Query::table("PROG#1").cursor(Some("not a cursor!".into())))
        .await;
    assert!(matches!(forged, Err(StoreError::InvalidCursor(_))));
}

#[tokio::test]
async fn batches_are_chunked_to_dynamodb_limits() {
    let store = fresh_store().await;
    let writes: Vec<BatchWrite> = (0..60)
        .map(|i| BatchWrite::Put(item("BATCH", &format!("{i:03}"), &[("n", n(i))])))
        .collect();
    store.batch_write(writes).await.unwrap();
    // moto accepts any batch size, so the chunking is checked by counting requests: 25+25+10.
    assert_eq!(store.stats().get(Operation::BatchWriteItem).requests, 3);

    let keys: Vec<Key> = (0..130)
        .map(|i| Key::new("BATCH", format!("{i:03}")))
        .collect();
    let found = store.batch_get(keys).await.unwrap();
    assert_eq!(store.stats().get(Operation::BatchGetItem).requests, 2);
    let by_sk: HashMap<String, i64> = found
        .iter()
        .map(|i| (get_s(i, "sk").unwrap().to_owned(), get_n(i, "n").unwrap()))
        .collect();
    assert_eq!(found.len(), 60);
    assert_eq!(by_sk.len(), 60);
    for i in 0..60 {
        assert_eq!(by_sk[&format!("{i:03}")], i);
    }

    // Deletes in batches; a call naming one key twice is refused whole.
    let deletes: Vec<BatchWrite> = (0..30)
        .map(|i| BatchWrite::Delete(Key::new("BATCH", format!("{i:03}"))))
        .collect();
    let mut twice = deletes.clone();
    twice.push(BatchWrite::Put(item("BATCH", "000", &[("n", n(-1))])));
    assert!(matches!(
        store.batch_write(twice).await,
        Err(StoreError::Validation(_))
    ));
    assert_eq!(
        store
            .query(Query::table("BATCH").consistent())
            .await
            .unwrap()
            .items
            .len(),
        60,
        "nothing written"
    );
    store.batch_write(deletes).await.unwrap();
    let page = store
        .query(Query::table("BATCH").consistent())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 30);
    assert!(get(&*store, "BATCH", "000").await.is_none());

    let stats = store.stats();
    assert!(stats.get(Operation::BatchWriteItem).write_units > 0.0);
    assert!(stats.get(Operation::BatchGetItem).read_units > 0.0);
}

#[tokio::test]
async fn items_need_string_keys() {
    let store = fresh_store().await;
    let mut keyless = Item::from(HashMap::<String, shared::store::AttributeValue>::new());
    keyless.insert("pk".into(), s("A"));
    assert!(matches!(
        store.put(put(keyless.clone())).await,
        Err(StoreError::Validation(_))
    ));
    assert!(matches!(
        store.batch_write(vec![BatchWrite::Put(keyless)]).await,
        Err(StoreError::Validation(_))
    ));
}
