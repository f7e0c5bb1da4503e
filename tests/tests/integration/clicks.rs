//! The click aggregator on both engines: exact counts, exactly once under redelivery (also
//! concurrent, also after a failure half-way), deleted links and partners, malformed messages,
//! large batches split into parts, daily counters.

use async_trait::async_trait;
use integration_tests::app::TestApp;
use integration_tests::click_world::{
    body, click, link_clicks, partner_clicks, partner_id, program_id, seed,
};
use integration_tests::engine_tests;
use shared::clicks::aggregate::MAX_PART_ACTIONS;
use shared::clicks::{ClickAggregator, clicks_by_day};
use shared::layout;
use shared::store::{
    BatchWrite, Consistency, Delete, Item, ItemStore, Key, Page, Put, Query, StoreError, TxOp,
    UpdateItem,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use time::macros::{date, datetime};

const NOON: time::OffsetDateTime = datetime!(2026-11-21 12:00 UTC);

fn aggregator(app: &TestApp) -> ClickAggregator {
    ClickAggregator::new(app.store.clone(), app.ctx.clock.clone())
}

fn message(id: &str, body: String) -> (String, String) {
    (id.to_owned(), body)
}

engine_tests! {
    async fn a_batch_counts_every_click_on_its_link_and_partner(app: TestApp) {
        seed(app.store.as_ref(), 2, 3).await;
        // Link 0 and 2 belong to partner 0, link 1 to partner 1; the clicks say so too.
        let clicks = vec![
            click(1, 0, Some(0), NOON),
            click(2, 0, Some(0), NOON),
            click(3, 1, Some(1), NOON),
            click(4, 2, Some(0), NOON),
            click(5, 0, Some(0), NOON),
        ];
        let report = aggregator(&app)
            .aggregate(vec![message("m1", body("cb_1", clicks))])
            .await;
        assert!(report.failed.is_empty());
        assert!(report.parts_counted >= 1);
        assert_eq!(report.transactions, 1);
        let store = app.store.as_ref();
        assert_eq!(link_clicks(store, 0).await, 3);
        assert_eq!(link_clicks(store, 1).await, 1);
        assert_eq!(link_clicks(store, 2).await, 1);
        assert_eq!(partner_clicks(store, 0).await, 4);
        assert_eq!(partner_clicks(store, 1).await, 1);
    }

    async fn messages_of_one_invocation_share_one_transaction_per_counter(app: TestApp) {
        seed(app.store.as_ref(), 1, 1).await;
        let messages: Vec<_> = (0..10)
            .map(|i| message(&format!("m{i}"), body(&format!("cb_{i}"), vec![click(i, 0, Some(0), NOON)])))
            .collect();
        let report = aggregator(&app).aggregate(messages).await;
        assert!(report.failed.is_empty());
        // One part per message and shard touched (link 0, partner 0): at most 20 markers.
        assert!((10..=20).contains(&report.parts_counted), "{report:?}");
        assert_eq!(report.transactions, 1, "the markers + 3 merged counters");
        assert_eq!(link_clicks(app.store.as_ref(), 0).await, 10);
        assert_eq!(partner_clicks(app.store.as_ref(), 0).await, 10);
    }

    async fn the_same_batch_delivered_twice_counts_once(app: TestApp) {
        seed(app.store.as_ref(), 1, 1).await;
        let batch = body("cb_twice", vec![click(1, 0, Some(0), NOON), click(2, 0, Some(0), NOON)]);
        let aggregator = aggregator(&app);
        let first = aggregator.aggregate(vec![message("m1", batch.clone())]).await;
        assert!(first.parts_counted >= 1);
        assert_eq!(first.parts_already_counted, 0);
        // Redelivered later, and sent twice into one invocation.
        let again = aggregator
            .aggregate(vec![message("m2", batch.clone()), message("m3", batch.clone())])
            .await;
        assert!(again.failed.is_empty(), "a counted batch is acknowledged");
        assert_eq!(again.parts_counted, 0);
        assert_eq!(again.parts_already_counted, first.parts_counted);
        assert_eq!(link_clicks(app.store.as_ref(), 0).await, 2);
        assert_eq!(partner_clicks(app.store.as_ref(), 0).await, 2);
        let marker = app
            .store
            .get(&layout::click_batch_marker("cb_twice", 0), Consistency::Strong)
            .await
            .unwrap()
            .expect("the marker");
        let ttl: i64 = shared::store::get_n(&marker, "ttl").expect("a ttl");
        let now = app.ctx.clock.now().unix_timestamp();
        assert!(ttl >= now + 14 * 86_400, "the marker outlives the queue's retention");
    }

    async fn concurrent_deliveries_of_one_batch_count_it_once(app: TestApp) {
        seed(app.store.as_ref(), 1, 1).await;
        let batch = body("cb_race", vec![click(1, 0, Some(0), NOON)]);
        let aggregator = Arc::new(aggregator(&app));
        let tasks: Vec<_> = (0..4)
            .map(|i| {
                let aggregator = aggregator.clone();
                let batch = batch.clone();
                tokio::spawn(async move {
                    aggregator.aggregate(vec![message(&format!("m{i}"), batch)]).await
                })
            })
            .collect();
        let mut counted = 0;
        let mut parts = 0;
        for task in tasks {
            let report = task.await.unwrap();
            assert!(report.failed.is_empty(), "{report:?}");
            counted += report.parts_counted;
            parts = report.parts_counted + report.parts_already_counted;
        }
        assert!(parts >= 1);
        assert_eq!(counted, parts, "each part counted by exactly one delivery");
        assert_eq!(link_clicks(app.store.as_ref(), 0).await, 1);
        assert_eq!(partner_clicks(app.store.as_ref(), 0).await, 1);
    }

    async fn clicks_on_a_deleted_link_or_partner_do_not_spoil_the_batch(app: TestApp) {
        // Links 0..3 exist (partners 0 and 1); link 7 and partner 9 do not.
        seed(app.store.as_ref(), 2, 3).await;
        let batch = body("cb_gone", vec![
            click(1, 0, Some(0), NOON),
            click(2, 7, Some(0), NOON),
            click(3, 1, Some(9), NOON),
            click(4, 1, Some(1), NOON),
        ]);
        let aggregator = aggregator(&app);
        let report = aggregator.aggregate(vec![message("m1", batch.clone())]).await;
        assert!(report.failed.is_empty(), "{report:?}");
        assert_eq!(report.missing_owners, 2);
        let store = app.store.as_ref();
        assert_eq!(link_clicks(store, 0).await, 1);
        assert_eq!(link_clicks(store, 1).await, 2);
        assert_eq!(partner_clicks(store, 0).await, 2);
        assert_eq!(partner_clicks(store, 1).await, 1);
        // Nothing was created for the missing link and partner.
        for key in [layout::link(&integration_tests::click_world::link_id(7)), layout::partner(&partner_id(9))] {
            assert!(store.get(&key, Consistency::Strong).await.unwrap().is_none());
        }
        let days = clicks_by_day(store, &program_id(), &partner_id(9), NOON.date(), NOON.date()).await.unwrap();
        assert_eq!(days[0].clicks, 0);
        // Redelivered: counted once.
        let again = aggregator.aggregate(vec![message("m1", batch)]).await;
        assert_eq!(again.parts_counted, 0);
        assert_eq!(again.parts_already_counted, report.parts_counted);
        assert_eq!(link_clicks(store, 1).await, 2);
    }

    async fn a_malformed_message_is_a_batch_item_failure_and_the_others_count(app: TestApp) {
        seed(app.store.as_ref(), 1, 1).await;
        let report = aggregator(&app)
            .aggregate(vec![
                message("good", body("cb_good", vec![click(1, 0, Some(0), NOON)])),
                message("bad-json", "{\"batchId\":".into()),
                message("bad-click", r#"{"batchId":"cb_x","clicks":[{"linkId":"nope"}]}"#.into()),
                message("no-id", r#"{"batchId":"","clicks":[]}"#.into()),
            ])
            .await;
        assert_eq!(report.failed, ["bad-json", "bad-click", "no-id"]);
        assert_eq!(link_clicks(app.store.as_ref(), 0).await, 1);
    }

    async fn a_large_batch_is_split_and_a_failure_half_way_still_counts_once(app: TestApp) {
        const LINKS: usize = 150;
        const PARTNERS: usize = 40;
        seed(app.store.as_ref(), PARTNERS, LINKS).await;
        let clicks: Vec<_> = (0..600)
            .map(|i| click(i, i % LINKS, Some((i % LINKS) % PARTNERS), NOON))
            .collect();
        let batch = body("cb_large", clicks);
        // 150 links × (total + day) + 40 partners = 340 updates, and the program's day in
        // each shard: at least 4 parts (and one per shard).
        let parts = 340usize.div_ceil(MAX_PART_ACTIONS);

        // The second transaction fails: the message is reported, the first part stays counted.
        let flaky = Arc::new(FailingTransaction { inner: app.store.clone(), calls: AtomicUsize::new(0), fail_call: 2 });
        let first = ClickAggregator::new(flaky, app.ctx.clock.clone())
            .aggregate(vec![message("m1", batch.clone())])
            .await;
        assert_eq!(first.failed, ["m1"]);
        assert!(first.parts_counted >= 1, "{first:?}");

        let again = aggregator(&app).aggregate(vec![message("m1", batch)]).await;
        assert!(again.failed.is_empty(), "{again:?}");
        assert_eq!(again.parts_already_counted, first.parts_counted);
        assert!(again.parts_counted >= 1, "the failed parts are counted now");
        assert!(again.parts_counted + again.parts_already_counted >= parts);
        for part in 0..again.parts_counted + again.parts_already_counted {
            assert!(app.store.get(&layout::click_batch_marker("cb_large", part), Consistency::Strong).await.unwrap().is_some());
        }
        let store = app.store.as_ref();
        for link in 0..LINKS {
            assert_eq!(link_clicks(store, link).await, 4, "link {link}");
        }
        for partner in 0..PARTNERS {
            let links = (0..LINKS).filter(|l| l % PARTNERS == partner).count() as i64;
            assert_eq!(partner_clicks(store, partner).await, 4 * links, "partner {partner}");
        }
    }

    async fn daily_counters_count_clicks_per_partner_and_utc_day(app: TestApp) {
        seed(app.store.as_ref(), 2, 2).await;
        let late = datetime!(2026-11-20 23:59:59 UTC);
        // 01:00 in Berlin is still 00:00 on the 21st in UTC
        let early = datetime!(2026-11-21 01:00 +01:00);
        let aggregator = aggregator(&app);
        aggregator
            .aggregate(vec![
                message("m1", body("cb_d1", vec![click(1, 0, Some(0), late), click(2, 0, Some(0), early)])),
                message("m2", body("cb_d2", vec![click(3, 0, Some(0), NOON), click(4, 1, Some(1), NOON)])),
            ])
            .await;
        let days = clicks_by_day(app.store.as_ref(), &program_id(), &partner_id(0), date!(2026-11-19), date!(2026-11-22))
            .await
            .unwrap();
        let counts: Vec<i64> = days.iter().map(|d| d.clicks).collect();
        assert_eq!(counts, [0, 1, 2, 0]);
        let other = clicks_by_day(app.store.as_ref(), &program_id(), &partner_id(1), date!(2026-11-21), date!(2026-11-21))
            .await
            .unwrap();
        assert_eq!(other[0].clicks, 1);
    }
}

/// Fails the `fail_call`-th transaction (1-based) with an engine error.
struct FailingTransaction {
    inner: Arc<dyn ItemStore>,
    calls: AtomicUsize,
    fail_call: usize,
}

#[async_trait]
impl ItemStore for FailingTransaction {
    async fn get(&self, key: &Key, consistency: Consistency) -> Result<Option<Item>, StoreError> {
        self.inner.get(key, consistency).await
    }
    async fn put(&self, put: Put) -> Result<(), StoreError> {
        self.inner.put(put).await
    }
    async fn update(&self, update: UpdateItem) -> Result<Item, StoreError> {
        self.inner.update(update).await
    }
    async fn delete(&self, delete: Delete) -> Result<Option<Item>, StoreError> {
        self.inner.delete(delete).await
    }
    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        if self.calls.fetch_add(1, Ordering::SeqCst) + 1 == self.fail_call {
            return Err(StoreError::engine(std::io::Error::other(
                "injected failure",
            )));
        }
        self.inner.transact(ops).await
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }
    async fn batch_get(&self, keys: Vec<Key>) -> Result<Vec<Item>, StoreError> {
        self.inner.batch_get(keys).await
    }
    async fn batch_write(&self, writes: Vec<BatchWrite>) -> Result<(), StoreError> {
        self.inner.batch_write(writes).await
    }
}
