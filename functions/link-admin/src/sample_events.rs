//! The sample API Gateway events in `events/link-admin/` decode into requests this handler
//! routes (with a key the empty store does not know, so every one is 401 from the
//! authenticator, never 404 from the router).

use shared::clicks::track::TrackServices;
use shared::ports::SystemClock;
use shared::queue::QueueSettings;
use shared::queue::embedded::EmbeddedQueues;
use shared::testkit::{SampleEvents, assert_each_reaches_auth, click_signer, memory_context};
use std::sync::Arc;

#[tokio::test]
async fn sample_events_reach_their_routes() {
    let ctx = memory_context(Arc::new(SystemClock));
    let clicks = EmbeddedQueues::in_memory()
        .create("clicks", QueueSettings::default())
        .unwrap();
    let track = TrackServices::new(Arc::new(click_signer()), clicks);
    let events = SampleEvents::of("link-admin");
    let names = [
        "create-link.json",
        "link-info.json",
        "create-partner-link.json",
        "track-click.json",
        "create-tag.json",
        "create-discount-code.json",
    ];
    events.assert_all_named(&names);
    assert_each_reaches_auth(&events, crate::ROUTES, &names, |request| {
        crate::handle(&ctx, &track, request)
    })
    .await;
}
