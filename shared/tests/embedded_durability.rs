//! The embedded engines keep their data in a redb file across a restart; engine-specific rules.

use shared::conformance::unique;
use shared::queue::embedded::EmbeddedQueues;
use shared::queue::{MessageQueue, OutgoingMessage, QueueSettings};
use shared::store::embedded::EmbeddedStore;
use shared::store::{
    BatchWrite, Consistency, Delete, Item, ItemStore, Key, Put, Query, TxOp, Update, UpdateItem,
    get_n, n, s,
};
use std::path::PathBuf;
use std::time::Duration;

/// A file path under the temp dir, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(label: &str) -> Self {
        Self(std::env::temp_dir().join(format!("{}.redb", unique(label))))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn item(pairs: &[(&str, shared::store::AttributeValue)]) -> Item {
    let mut item = Item::default();
    for (name, value) in pairs {
        item.insert((*name).to_owned(), value.clone());
    }
    item
}

#[tokio::test]
async fn store_survives_restart() {
    let file = TempFile::new("store");
    let kept = item(&[
        ("pk", s("p")),
        ("sk", s("kept")),
        ("gsi1pk", s("g")),
        ("gsi1sk", s("1")),
    ]);
    {
        let store = EmbeddedStore::open(&file.0).unwrap();
        store
            .put(Put {
                item: kept.clone(),
                condition: None,
            })
            .await
            .unwrap();
        store
            .batch_write(vec![
                BatchWrite::Put(item(&[("pk", s("p")), ("sk", s("gone"))])),
                BatchWrite::Put(item(&[("pk", s("p")), ("sk", s("counter"))])),
            ])
            .await
            .unwrap();
        store
            .transact(vec![
                TxOp::Update(UpdateItem {
                    key: Key::new("p", "counter"),
                    update: Update::new().add("n", 41),
                    condition: None,
                }),
                TxOp::Delete(Delete {
                    key: Key::new("p", "gone"),
                    condition: None,
                }),
            ])
            .await
            .unwrap();
        store
            .update(UpdateItem {
                key: Key::new("p", "counter"),
                update: Update::new().add("n", 1),
                condition: None,
            })
            .await
            .unwrap();
    }
    let store = EmbeddedStore::open(&file.0).unwrap();
    let get = |sort: &'static str| {
        let key = Key::new("p", sort);
        let store = &store;
        async move { store.get(&key, Consistency::Strong).await.unwrap() }
    };
    assert_eq!(get("kept").await, Some(kept.clone()));
    assert_eq!(get("gone").await, None);
    assert_eq!(get_n(&get("counter").await.unwrap(), "n"), Some(42));
    let page = store.query(Query::index("gsi1", "g")).await.unwrap();
    assert_eq!(page.items, vec![kept], "indexes are rebuilt at open");
}

#[tokio::test]
async fn sweep_removes_expired_items_durably() {
    let file = TempFile::new("sweep");
    let now = 1_700_000_000;
    {
        let store = EmbeddedStore::open(&file.0).unwrap();
        let writes = [
            ("expired", Some(n(now - 1))),
            ("future", Some(n(now + 60))),
            ("text-ttl", Some(s("soon"))),
            ("no-ttl", None),
        ]
        .into_iter()
        .map(|(sort, ttl)| {
            let mut item = item(&[
                ("pk", s("ttl")),
                ("sk", s(sort)),
                ("gsi1pk", s("t")),
                ("gsi1sk", s(sort)),
            ]);
            if let Some(ttl) = ttl {
                item.insert("ttl".into(), ttl);
            }
            BatchWrite::Put(item)
        })
        .collect();
        store.batch_write(writes).await.unwrap();
        assert!(
            store
                .get(&Key::new("ttl", "expired"), Consistency::Strong)
                .await
                .unwrap()
                .is_some(),
            "expired items stay readable until swept"
        );
        assert_eq!(store.sweep_expired(now).unwrap(), 1);
        assert_eq!(store.sweep_expired(now).unwrap(), 0);
        let indexed = store.query(Query::index("gsi1", "t")).await.unwrap();
        assert_eq!(indexed.items.len(), 3, "the index forgets swept items");
    }
    let store = EmbeddedStore::open(&file.0).unwrap();
    let left = store.query(Query::table("ttl")).await.unwrap();
    let sorts: Vec<&str> = left
        .items
        .iter()
        .filter_map(|item| shared::store::get_s(item, "sk"))
        .collect();
    assert_eq!(sorts, vec!["future", "no-ttl", "text-ttl"]);
}

#[tokio::test]
async fn queue_survives_restart() {
    let file = TempFile::new("queue");
    let settings = QueueSettings {
        visibility_timeout: Duration::from_secs(60),
        ..QueueSettings::default()
    };
    {
        let hub = EmbeddedQueues::open(&file.0).unwrap();
        let queue = hub.create("jobs", settings.clone()).unwrap();
        queue
            .send_batch(&[
                OutgoingMessage::new("a", "first"),
                OutgoingMessage::new("b", "second"),
                OutgoingMessage::new("c", "later").delayed(Duration::from_secs(600)),
            ])
            .await
            .unwrap();
        let first = queue.receive(1, Duration::ZERO).await.unwrap();
        assert_eq!(first[0].body, "first");
        queue.delete(&first[0].receipt_handle).await.unwrap();
        let second = queue.receive(1, Duration::ZERO).await.unwrap();
        assert_eq!(second[0].body, "second");
        assert_eq!(queue.approximate_len(), 2);
    }
    let hub = EmbeddedQueues::open(&file.0).unwrap();
    assert!(
        hub.get("jobs").is_none(),
        "queues come back when created again"
    );
    let queue = hub.create("jobs", settings).unwrap();
    assert_eq!(
        queue.approximate_len(),
        2,
        "the in-flight and the delayed message"
    );
    let again = queue.receive(10, Duration::ZERO).await.unwrap();
    assert_eq!(
        again.len(),
        1,
        "the delayed message is still hidden: {again:?}"
    );
    assert_eq!(again[0].body, "second");
    assert_eq!(
        again[0].receive_count, 2,
        "in flight before: visible again, count kept"
    );
    queue
        .send_batch(&[OutgoingMessage::new("d", "after restart")])
        .await
        .unwrap();
    let newer = queue.receive(10, Duration::ZERO).await.unwrap();
    assert_eq!(newer.len(), 1);
    assert_eq!(newer[0].body, "after restart");
    assert_ne!(newer[0].message_id, again[0].message_id);
}

#[tokio::test]
async fn dead_lettering_is_durable() {
    let file = TempFile::new("dlq");
    let redrive = QueueSettings {
        visibility_timeout: Duration::from_secs(60),
        max_receive_count: Some(1),
        dead_letter_queue: Some("dead".into()),
    };
    {
        let hub = EmbeddedQueues::open(&file.0).unwrap();
        hub.create("dead", QueueSettings::default()).unwrap();
        let source = hub.create("source", redrive.clone()).unwrap();
        source
            .send_batch(&[OutgoingMessage::new("a", "poison")])
            .await
            .unwrap();
        let received = source.receive(1, Duration::ZERO).await.unwrap();
        source
            .change_visibility(&received[0].receipt_handle, Duration::ZERO)
            .await
            .unwrap();
        assert!(source.receive(1, Duration::ZERO).await.unwrap().is_empty());
        assert_eq!(source.approximate_len(), 0);
    }
    let hub = EmbeddedQueues::open(&file.0).unwrap();
    let dead = hub.create("dead", QueueSettings::default()).unwrap();
    let source = hub.create("source", redrive).unwrap();
    assert_eq!(source.approximate_len(), 0);
    let moved = dead.receive(1, Duration::ZERO).await.unwrap();
    assert_eq!(moved[0].body, "poison");
}

#[tokio::test]
async fn queue_hub_rules() {
    let hub = EmbeddedQueues::in_memory();
    let first = hub.create("same", QueueSettings::default()).unwrap();
    let second = hub.create("same", QueueSettings::default()).unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&first, &second),
        "create is idempotent"
    );
    assert!(hub.get("same").is_some());
    let missing_dead_letters = QueueSettings {
        max_receive_count: Some(3),
        dead_letter_queue: Some("nowhere".into()),
        ..QueueSettings::default()
    };
    assert!(hub.create("orphan", missing_dead_letters).is_err());
    assert!(hub.create("bad name!", QueueSettings::default()).is_err());
    // A handle of one queue means nothing to another.
    let other = hub.create("other", QueueSettings::default()).unwrap();
    first
        .send_batch(&[OutgoingMessage::new("a", "x")])
        .await
        .unwrap();
    let received = first.receive(1, Duration::ZERO).await.unwrap();
    assert!(other.delete(&received[0].receipt_handle).await.is_err());
    assert_eq!(first.approximate_len(), 1);
}

#[tokio::test]
async fn query_pages_stop_near_one_megabyte() {
    let store = EmbeddedStore::in_memory();
    let writes = (0..5)
        .map(|index| {
            BatchWrite::Put(item(&[
                ("pk", s("big")),
                ("sk", s(format!("{index}"))),
                ("blob", s("x".repeat(300 * 1024))),
            ]))
        })
        .collect();
    store.batch_write(writes).await.unwrap();
    let first = store.query(Query::table("big")).await.unwrap();
    assert_eq!(first.items.len(), 4, "the page stops once past 1 MB");
    assert!(first.next.is_some());
    let second = store
        .query(Query::table("big").cursor(first.next))
        .await
        .unwrap();
    assert_eq!(second.items.len(), 1);
    assert!(second.next.is_none());
}

fn file_size(file: &TempFile) -> u64 {
    std::fs::metadata(&file.0).unwrap().len()
}

/// Many small commits, then deleting most of the items: compaction keeps the file in
/// proportion to the data (without it, the file keeps the size of the most it ever held, and
/// more), at open and while running.
#[tokio::test]
async fn the_file_stays_in_proportion_to_its_data() {
    let file = TempFile::new("compaction");
    let body = "x".repeat(1_000);
    let put = |n: usize| Put {
        item: item(&[
            ("pk", s(format!("P#{n:06}"))),
            ("sk", s("A")),
            ("body", s(&body)),
        ]),
        condition: None,
    };
    let store = EmbeddedStore::open(&file.0).unwrap();
    let empty = file_size(&file);
    for n in 0..2_000 {
        store.put(put(n)).await.unwrap();
    }
    let full = file_size(&file);
    // 2,000 items of about 1 KB: about 2 MB of data.
    assert!(full > 2_000_000, "{full}");
    for n in 0..1_950 {
        let key = Key::new(format!("P#{n:06}"), "A");
        store
            .delete(Delete {
                key,
                condition: None,
            })
            .await
            .unwrap();
    }
    let grown = file_size(&file);
    assert!(
        grown >= full,
        "redb does not shrink by itself: {grown} < {full}"
    );
    assert_eq!(store.commits_since_compaction(), 3_950);
    assert!(!store.compact_if_grown(10_000).unwrap(), "not yet");
    assert!(store.compact_if_grown(1_000).unwrap());
    assert_eq!(store.commits_since_compaction(), 0);
    let compacted = file_size(&file);
    // 50 items left: about 50 KB of data, in a file of a few hundred KB at most.
    assert!(
        compacted < empty + 1_000_000,
        "{compacted} (empty {empty}, full {full})"
    );
    assert!(compacted * 4 < full, "{compacted} vs {full}");
    drop(store);
    // At open too, and the data is all there.
    let store = EmbeddedStore::open(&file.0).unwrap();
    assert!(file_size(&file) <= compacted);
    let left = store
        .get(&Key::new("P#001990", "A"), Consistency::Strong)
        .await
        .unwrap();
    assert!(left.is_some());
    assert!(
        store
            .get(&Key::new("P#000001", "A"), Consistency::Strong)
            .await
            .unwrap()
            .is_none()
    );
}
