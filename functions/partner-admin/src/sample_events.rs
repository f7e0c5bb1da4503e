//! The sample API Gateway events in `events/partner-admin/` decode into requests this handler
//! routes (with a key the store does not hold: the route is found and auth answers 401).

use shared::partner_listing::PartnerDirectory;
use shared::ports::SystemClock;
use shared::testkit::{SampleEvents, assert_each_reaches_auth, memory_context};
use std::sync::Arc;

#[tokio::test]
async fn sample_events_reach_their_routes() {
    let ctx = memory_context(Arc::new(SystemClock));
    let directory = PartnerDirectory::new(std::time::Duration::ZERO);
    let events = SampleEvents::of("partner-admin");
    let names = ["list-partners.json"];
    events.assert_all_named(&names);
    assert_each_reaches_auth(&events, crate::ROUTES, &names, |request| {
        crate::handle(&ctx, &directory, request)
    })
    .await;
}
