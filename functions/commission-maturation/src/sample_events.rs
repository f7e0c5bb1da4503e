//! The sample schedule event in `events/commission-maturation/` runs the handler (on an empty
//! store: nothing to mature).

use shared::ports::SystemClock;
use shared::testkit::{SampleEvents, memory_context};
use std::sync::Arc;

#[tokio::test]
async fn the_schedule_event_runs_the_maturation() {
    let ctx = memory_context(Arc::new(SystemClock));
    let events = SampleEvents::of("commission-maturation");
    events.assert_all_named(&["schedule.json"]);
    let event = events.json("schedule.json");
    let report = crate::handle(&ctx, event).await.unwrap();
    assert_eq!(report["processed"], 0);
    assert_eq!(report["skipped"], 0);
}
