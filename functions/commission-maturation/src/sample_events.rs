//! The sample schedule event in `events/commission-maturation/` runs the handler (on an empty
//! store: nothing to mature).

use shared::context::AppContext;
use shared::ports::{SeededRandom, SystemClock};
use shared::store::embedded::EmbeddedStore;
use std::sync::Arc;

#[tokio::test]
async fn the_schedule_event_runs_the_maturation() {
    let ctx = AppContext::new(
        Arc::new(EmbeddedStore::in_memory()),
        Arc::new(SystemClock),
        Arc::new(SeededRandom::new(1)),
        None,
    );
    let dir = format!(
        "{}/../../events/commission-maturation",
        env!("CARGO_MANIFEST_DIR")
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    let raw = std::fs::read_to_string(format!("{dir}/schedule.json")).unwrap();
    let event: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let report = crate::handle(&ctx, event).await.unwrap();
    assert_eq!(report["processed"], 0);
    assert_eq!(report["skipped"], 0);
}
