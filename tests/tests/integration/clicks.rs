//! The click aggregator on both engines: exact counts, exactly once under redelivery (also
//! concurrent, also after a failure half-way), deleted links and partners, malformed messages,
//! large batches split into parts, daily counters.

use integration_tests::app::TestApp;
use integration_tests::click_world::{
    body, click, link_clicks, partner_clicks, partner_id, program_id, seed,
};
use integration_tests::engine_tests;
use integration_tests::faults::FaultyStore;
use shared::analytics::daily_clicks::clicks_by_day;
use shared::clicks::shard::shard_of_id;
use shared::clicks::{ClickAggregator, FoldOutcome, FoldPolicy};
use shared::layout;
use shared::ports::ManualClock;
use shared::store::Consistency;
use std::sync::Arc;
use time::macros::{date, datetime};

const NOON: time::OffsetDateTime = datetime!(2026-11-21 12:00 UTC);

fn aggregator(app: &TestApp) -> ClickAggregator {
    ClickAggregator::new(app.store.clone(), app.ctx.clock.clone())
}

fn message(id: &str, body: String) -> (String, String) {
    (id.to_owned(), body)
}

engine_tests!(
    a_batch_counts_every_click_on_its_link_and_partner,
    messages_of_one_invocation_share_one_transaction_per_counter,
    the_same_batch_delivered_twice_counts_once,
    concurrent_deliveries_of_one_batch_count_it_once,
    clicks_on_a_deleted_link_or_partner_do_not_spoil_the_batch,
    a_malformed_message_is_a_batch_item_failure_and_the_others_count,
    a_batch_over_many_shards_failing_half_way_still_counts_once,
    a_long_tail_waits_for_its_fold_and_is_counted_once,
    a_fold_that_stops_half_way_is_resumed_and_counts_once,
    concurrent_folds_of_one_shard_count_each_tally_once,
    daily_counters_count_clicks_per_partner_and_utc_day
);

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
    // One journal transaction per shard: partners 0 and 1 may be in two.
    assert!((1..=2).contains(&report.transactions), "{report:?}");
    assert!(
        report
            .folds
            .iter()
            .all(|fold| matches!(fold, FoldOutcome::Folded { .. }))
    );
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
        .map(|i| {
            message(
                &format!("m{i}"),
                body(&format!("cb_{i}"), vec![click(i, 0, Some(0), NOON)]),
            )
        })
        .collect();
    let report = aggregator(&app).aggregate(messages).await;
    assert!(report.failed.is_empty());
    // One part per message and shard touched (link 0, partner 0): at most 20 markers.
    assert!((10..=20).contains(&report.parts_counted), "{report:?}");
    assert!(
        report.transactions <= 2,
        "the markers + one tally per shard: {report:?}"
    );
    assert_eq!(link_clicks(app.store.as_ref(), 0).await, 10);
    assert_eq!(partner_clicks(app.store.as_ref(), 0).await, 10);
}

async fn the_same_batch_delivered_twice_counts_once(app: TestApp) {
    seed(app.store.as_ref(), 1, 1).await;
    let batch = body(
        "cb_twice",
        vec![click(1, 0, Some(0), NOON), click(2, 0, Some(0), NOON)],
    );
    let aggregator = aggregator(&app);
    let first = aggregator
        .aggregate(vec![message("m1", batch.clone())])
        .await;
    assert!(first.parts_counted >= 1);
    assert_eq!(first.parts_already_counted, 0);
    // Redelivered later, and sent twice into one invocation.
    let again = aggregator
        .aggregate(vec![
            message("m2", batch.clone()),
            message("m3", batch.clone()),
        ])
        .await;
    assert!(again.failed.is_empty(), "a counted batch is acknowledged");
    assert_eq!(again.parts_counted, 0);
    assert_eq!(again.parts_already_counted, first.parts_counted);
    assert_eq!(link_clicks(app.store.as_ref(), 0).await, 2);
    assert_eq!(partner_clicks(app.store.as_ref(), 0).await, 2);
    let marker = app
        .store
        .get(
            &layout::click_batch_marker("cb_twice", shard_of_id(partner_id(0).as_str())),
            Consistency::Strong,
        )
        .await
        .unwrap()
        .expect("the marker");
    let ttl: i64 = shared::store::get_n(&marker, "ttl").expect("a ttl");
    let now = app.ctx.clock.now().unix_timestamp();
    assert!(
        ttl >= now + 14 * 86_400,
        "the marker outlives the queue's retention"
    );
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
                aggregator
                    .aggregate(vec![message(&format!("m{i}"), batch)])
                    .await
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
    let batch = body(
        "cb_gone",
        vec![
            click(1, 0, Some(0), NOON),
            click(2, 7, Some(0), NOON),
            click(3, 1, Some(9), NOON),
            click(4, 1, Some(1), NOON),
        ],
    );
    let aggregator = aggregator(&app);
    let report = aggregator
        .aggregate(vec![message("m1", batch.clone())])
        .await;
    assert!(report.failed.is_empty(), "{report:?}");
    assert_eq!(report.missing_owners, 2);
    let store = app.store.as_ref();
    assert_eq!(link_clicks(store, 0).await, 1);
    assert_eq!(link_clicks(store, 1).await, 2);
    assert_eq!(partner_clicks(store, 0).await, 2);
    assert_eq!(partner_clicks(store, 1).await, 1);
    // Nothing was created for the missing link and partner.
    for key in [
        layout::link(&integration_tests::click_world::link_id(7)),
        layout::partner(&partner_id(9)),
    ] {
        assert!(
            store
                .get(&key, Consistency::Strong)
                .await
                .unwrap()
                .is_none()
        );
    }
    let days = clicks_by_day(
        store,
        &program_id(),
        &partner_id(9),
        NOON.date(),
        NOON.date(),
    )
    .await
    .unwrap();
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
            message(
                "bad-click",
                r#"{"batchId":"cb_x","clicks":[{"linkId":"nope"}]}"#.into(),
            ),
            message("no-id", r#"{"batchId":"","clicks":[]}"#.into()),
        ])
        .await;
    assert_eq!(report.failed, ["bad-json", "bad-click", "no-id"]);
    assert_eq!(link_clicks(app.store.as_ref(), 0).await, 1);
}

async fn a_batch_over_many_shards_failing_half_way_still_counts_once(app: TestApp) {
    const LINKS: usize = 150;
    const PARTNERS: usize = 40;
    seed(app.store.as_ref(), PARTNERS, LINKS).await;
    let clicks: Vec<_> = (0..600)
        .map(|i| click(i, i % LINKS, Some((i % LINKS) % PARTNERS), NOON))
        .collect();
    let batch = body("cb_large", clicks);
    // 40 partners spread over the shards: one part (and one journal transaction) each.
    let shards: std::collections::BTreeSet<usize> = (0..PARTNERS)
        .map(|p| shard_of_id(partner_id(p).as_str()))
        .collect();
    assert!(shards.len() >= 4);

    // The second transaction fails: the message is reported, the first part stays counted.
    let flaky = Arc::new(FaultyStore::failing_transactions(app.store.clone(), |n| {
        n == 2
    }));
    let first = ClickAggregator::new(flaky, app.ctx.clock.clone())
        .aggregate(vec![message("m1", batch.clone())])
        .await;
    assert_eq!(first.failed, ["m1"]);
    assert!(first.parts_counted >= 1, "{first:?}");

    let again = aggregator(&app).aggregate(vec![message("m1", batch)]).await;
    assert!(again.failed.is_empty(), "{again:?}");
    assert_eq!(again.parts_already_counted, first.parts_counted);
    assert!(again.parts_counted >= 1, "the failed parts are counted now");
    assert_eq!(
        again.parts_counted + again.parts_already_counted,
        shards.len()
    );
    for &shard in &shards {
        assert!(
            app.store
                .get(
                    &layout::click_batch_marker("cb_large", shard),
                    Consistency::Strong
                )
                .await
                .unwrap()
                .is_some()
        );
    }
    let store = app.store.as_ref();
    for link in 0..LINKS {
        assert_eq!(link_clicks(store, link).await, 4, "link {link}");
    }
    for partner in 0..PARTNERS {
        let links = (0..LINKS).filter(|l| l % PARTNERS == partner).count() as i64;
        assert_eq!(
            partner_clicks(store, partner).await,
            4 * links,
            "partner {partner}"
        );
    }
}

async fn a_long_tail_waits_for_its_fold_and_is_counted_once(app: TestApp) {
    seed(app.store.as_ref(), 2, 3).await;
    let clock = Arc::new(ManualClock::new(NOON));
    let aggregator =
        ClickAggregator::new(app.store.clone(), clock.clone()).with_policy(FoldPolicy {
            min_clicks_per_counter: 20,
            max_delay: time::Duration::hours(1),
        });
    let batch = body(
        "cb_tail",
        vec![click(1, 0, Some(0), NOON), click(2, 1, Some(1), NOON)],
    );
    let report = aggregator
        .aggregate(vec![message("m1", batch.clone())])
        .await;
    assert!(report.failed.is_empty(), "{report:?}");
    assert!(!report.folds.is_empty());
    assert!(
        report
            .folds
            .iter()
            .all(|fold| matches!(fold, FoldOutcome::NotDue { .. })),
        "{report:?}"
    );
    let store = app.store.as_ref();
    assert_eq!(
        link_clicks(store, 0).await,
        0,
        "two clicks on 5 counters: not due"
    );
    // Redelivered while it waits: journaled once.
    let again = aggregator.aggregate(vec![message("m2", batch)]).await;
    assert_eq!(
        (again.parts_counted, again.parts_already_counted),
        (0, report.parts_counted)
    );
    clock.advance(time::Duration::minutes(59));
    assert!(
        aggregator
            .fold(false)
            .await
            .into_iter()
            .all(|fold| !matches!(fold, Ok(FoldOutcome::Folded { .. })))
    );
    clock.advance(time::Duration::minutes(1));
    let folded: i64 = aggregator
        .fold(false)
        .await
        .into_iter()
        .map(|fold| match fold.unwrap() {
            FoldOutcome::Folded { clicks, .. } => clicks,
            _ => 0,
        })
        .sum();
    assert_eq!(folded, 2, "an hour old: folded");
    assert_eq!(
        (link_clicks(store, 0).await, link_clicks(store, 1).await),
        (1, 1)
    );
    assert_eq!(
        (
            partner_clicks(store, 0).await,
            partner_clicks(store, 1).await
        ),
        (1, 1)
    );
    // A forced fold (the schedule's) finds nothing left.
    assert!(
        aggregator
            .fold(true)
            .await
            .into_iter()
            .all(|fold| fold.unwrap() == FoldOutcome::Empty)
    );
    let days = clicks_by_day(
        store,
        &program_id(),
        &partner_id(0),
        NOON.date(),
        NOON.date(),
    )
    .await
    .unwrap();
    assert_eq!(days[0].clicks, 1);
}

async fn a_fold_that_stops_half_way_is_resumed_and_counts_once(app: TestApp) {
    // One partner: every counter in its shard.
    seed(app.store.as_ref(), 1, 30).await;
    let clicks: Vec<_> = (0..60).map(|i| click(i, i % 30, Some(0), NOON)).collect();
    let clock = Arc::new(ManualClock::new(NOON));
    let flaky = Arc::new(FaultyStore::failing_updates(app.store.clone(), "LINK#", 10));
    let first = ClickAggregator::new(flaky, clock.clone())
        .aggregate(vec![message("m1", body("cb_half", clicks))])
        .await;
    assert!(
        first.failed.is_empty(),
        "journaled: the message is done ({first:?})"
    );
    assert!(
        first.folds.is_empty(),
        "the fold failed half-way and kept its plan"
    );
    let store = app.store.as_ref();
    let written: i64 = {
        let mut sum = 0;
        for link in 0..30 {
            sum += link_clicks(store, link).await;
        }
        sum
    };
    assert!(written > 0 && written < 60, "half-way: {written}");
    let aggregator = ClickAggregator::new(app.store.clone(), clock.clone());
    // The plan's lease still runs: another fold waits.
    assert!(
        aggregator
            .fold(true)
            .await
            .iter()
            .any(|fold| matches!(fold, Ok(FoldOutcome::Busy)))
    );
    clock.advance(time::Duration::minutes(3));
    let resumed = aggregator.fold(true).await;
    assert!(
        resumed
            .iter()
            .any(|fold| matches!(fold, Ok(FoldOutcome::Folded { .. }))),
        "{resumed:?}"
    );
    for link in 0..30 {
        assert_eq!(link_clicks(store, link).await, 2, "link {link}");
    }
    assert_eq!(partner_clicks(store, 0).await, 60);
    let days = clicks_by_day(
        store,
        &program_id(),
        &partner_id(0),
        NOON.date(),
        NOON.date(),
    )
    .await
    .unwrap();
    assert_eq!(days[0].clicks, 60);
}

async fn concurrent_folds_of_one_shard_count_each_tally_once(app: TestApp) {
    seed(app.store.as_ref(), 3, 9).await;
    let clock = Arc::new(ManualClock::new(NOON));
    let waiting = FoldPolicy {
        min_clicks_per_counter: 1_000,
        max_delay: time::Duration::days(1),
    };
    let journal = ClickAggregator::new(app.store.clone(), clock.clone()).with_policy(waiting);
    for batch in 0..5 {
        let clicks = (0..9)
            .map(|i| click(batch * 9 + i, i, Some(i % 3), NOON))
            .collect();
        let report = journal
            .aggregate(vec![message("m", body(&format!("cb_c{batch}"), clicks))])
            .await;
        assert!(report.failed.is_empty());
    }
    let aggregator = Arc::new(ClickAggregator::new(app.store.clone(), clock.clone()));
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let aggregator = aggregator.clone();
            tokio::spawn(async move { aggregator.fold(true).await })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().iter().all(Result::is_ok));
    }
    // Any fold that lost the race left nothing behind: a last one finds every shard empty.
    assert!(
        aggregator
            .fold(true)
            .await
            .into_iter()
            .all(|fold| fold.unwrap() == FoldOutcome::Empty)
    );
    for link in 0..9 {
        assert_eq!(
            link_clicks(app.store.as_ref(), link).await,
            5,
            "link {link}"
        );
    }
    for partner in 0..3 {
        assert_eq!(
            partner_clicks(app.store.as_ref(), partner).await,
            15,
            "partner {partner}"
        );
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
            message(
                "m1",
                body(
                    "cb_d1",
                    vec![click(1, 0, Some(0), late), click(2, 0, Some(0), early)],
                ),
            ),
            message(
                "m2",
                body(
                    "cb_d2",
                    vec![click(3, 0, Some(0), NOON), click(4, 1, Some(1), NOON)],
                ),
            ),
        ])
        .await;
    let days = clicks_by_day(
        app.store.as_ref(),
        &program_id(),
        &partner_id(0),
        date!(2026 - 11 - 19),
        date!(2026 - 11 - 22),
    )
    .await
    .unwrap();
    let counts: Vec<i64> = days.iter().map(|d| d.clicks).collect();
    assert_eq!(counts, [0, 1, 2, 0]);
    let other = clicks_by_day(
        app.store.as_ref(),
        &program_id(),
        &partner_id(1),
        date!(2026 - 11 - 21),
        date!(2026 - 11 - 21),
    )
    .await
    .unwrap();
    assert_eq!(other[0].clicks, 1);
}
