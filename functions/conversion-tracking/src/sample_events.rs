//! The sample API Gateway events in `events/conversion-tracking/` decode into requests this handler
//! routes (with a key or partner session the empty store does not know, so every one is 401
//! from its authenticator, never 404 from the router).

use shared::ports::SystemClock;
use shared::testkit::{SampleEvents, assert_each_reaches_auth, click_signer, memory_context};
use std::sync::Arc;

#[tokio::test]
async fn sample_events_reach_their_routes() {
    let ctx = memory_context(Arc::new(SystemClock));
    let signer = click_signer();
    let events = SampleEvents::of("conversion-tracking");
    let names = [
        "track-lead.json",
        "track-sale.json",
        "track-refund.json",
        "register-deal.json",
        "register-deal-partner.json",
    ];
    events.assert_all_named(&names);
    assert_each_reaches_auth(&events, crate::ROUTES, &names, |request| {
        crate::handle(&ctx, &signer, request)
    })
    .await;
}
