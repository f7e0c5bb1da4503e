//! The sample SQS batch in `events/click-aggregator/` (two click batches and one poisoned
//! message): only the poisoned message is reported as failed, a click on a link that does not
//! exist does not spoil its batch, and delivering the batch again counts nothing more.

use shared::clicks::ClickAggregator;
use shared::layout;
use shared::links::stats::link_stats_of;
use shared::model::{Link, Partner};
use shared::partners::totals::partner_totals_of;
use shared::ports::SystemClock;
use shared::store::embedded::EmbeddedStore;
use shared::store::{Consistency, ItemStore};
use shared::testkit::SampleEvents;
use shared::types::{GroupId, LinkId, PartnerId, ProgramId, WebUrl};
use std::sync::Arc;

const PROGRAM: &str = "prog_01JDEMO0000000000000000000";
const PARTNER: &str = "pn_01JDEMOPARTNER000000000001";
const LINK: &str = "link_01JDEMOLINK00000000000001";

async fn seed(store: &EmbeddedStore) {
    let partner = Partner::approved(
        PartnerId::parse(PARTNER).unwrap(),
        (
            &ProgramId::parse(PROGRAM).unwrap(),
            &GroupId::parse("grp_1").unwrap(),
        ),
        "Jane".into(),
        time::OffsetDateTime::UNIX_EPOCH,
    );
    let link = Link {
        partner_id: Some(partner.id.clone()),
        ..Link::new(
            LinkId::parse(LINK).unwrap(),
            &partner.program_id,
            ("go.example.com".into(), "jane".into()),
            WebUrl::parse("https://example.com").unwrap(),
            time::OffsetDateTime::UNIX_EPOCH,
        )
    };
    let ops = shared::enrollment::seed_writes(&partner, &link).unwrap();
    store.transact(ops).await.unwrap();
}

async fn clicks(store: &EmbeddedStore) -> (i64, i64) {
    let link = store
        .get(
            &layout::link(&LinkId::parse(LINK).unwrap()),
            Consistency::Strong,
        )
        .await
        .unwrap()
        .unwrap();
    let partner = store
        .get(
            &layout::partner(&PartnerId::parse(PARTNER).unwrap()),
            Consistency::Strong,
        )
        .await
        .unwrap()
        .unwrap();
    (
        link_stats_of(&link).unwrap().clicks,
        partner_totals_of(&partner).unwrap().total_clicks,
    )
}

#[tokio::test]
async fn only_the_poisoned_message_fails_and_a_redelivery_counts_nothing() {
    let store = Arc::new(EmbeddedStore::in_memory());
    seed(&store).await;
    let aggregator = ClickAggregator::new(store.clone(), Arc::new(SystemClock));
    let events = SampleEvents::of("click-aggregator");
    events.assert_all_named(&["clicks-batch.json", "schedule.json"]);
    for _delivery in 0..2 {
        let event = serde_json::from_value(events.json("clicks-batch.json")).unwrap();
        let response = crate::handle(&aggregator, event).await;
        let failed: Vec<_> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        assert_eq!(failed, vec!["clicks-msg-2"]);
        assert_eq!(clicks(&store).await, (3, 3));
    }
}

#[tokio::test]
async fn the_schedule_folds_what_waited_and_the_sqs_event_goes_through_the_same_entry() {
    use shared::clicks::FoldPolicy;
    use shared::ports::ManualClock;
    let store = Arc::new(EmbeddedStore::in_memory());
    seed(&store).await;
    let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
    let aggregator = ClickAggregator::new(store.clone(), clock.clone()).with_policy(FoldPolicy {
        min_clicks_per_counter: 1_000,
        max_delay: time::Duration::hours(1),
    });
    let events = SampleEvents::of("click-aggregator");
    let read = |name: &str| events.json(name);
    let response = crate::handle_event(&aggregator, read("clicks-batch.json"))
        .await
        .unwrap();
    assert_eq!(
        response["batchItemFailures"][0]["itemIdentifier"],
        "clicks-msg-2"
    );
    assert_eq!(clicks(&store).await, (0, 0), "journaled, not due yet");
    let early = crate::handle_event(&aggregator, read("schedule.json"))
        .await
        .unwrap();
    assert_eq!(early["foldedShards"], 0);
    clock.advance(time::Duration::hours(1));
    let due = crate::handle_event(&aggregator, read("schedule.json"))
        .await
        .unwrap();
    assert!(due["foldedShards"].as_i64().unwrap() >= 1, "{due}");
    assert_eq!(clicks(&store).await, (3, 3));
}
