//! The sample API Gateway events in `events/webhook-admin/` decode into requests this handler
//! routes (with a key the store does not hold: the route is found and auth answers 401).

use shared::ports::SeededRandom;
use shared::ports::SystemClock;
use shared::queue::QueueSettings;
use shared::queue::embedded::EmbeddedQueues;
use shared::testkit::{SampleEvents, assert_each_reaches_auth, memory_context};
use shared::webhooks::{AddressPolicy, WebhookServices};
use std::sync::Arc;

#[tokio::test]
async fn sample_events_reach_their_routes() {
    let ctx = memory_context(Arc::new(SystemClock));
    let services = WebhookServices::new(
        ctx.store.clone(),
        EmbeddedQueues::in_memory()
            .create("deliveries", QueueSettings::default())
            .unwrap(),
        Arc::new(SystemClock),
        Arc::new(SeededRandom::new(1)),
        AddressPolicy::default(),
    )
    .unwrap();
    let events = SampleEvents::of("webhook-admin");
    let names = ["create-webhook.json", "list-deliveries.json"];
    events.assert_all_named(&names);
    assert_each_reaches_auth(&events, crate::ROUTES, &names, |request| {
        crate::handle(&ctx, &services, request)
    })
    .await;
}
