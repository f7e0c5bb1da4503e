//! The sample API Gateway events in `events/partner-portal/` decode into requests this handler
//! routes (with credentials the store does not hold: the route is found and auth answers 401).

use shared::portal::PortalLinkSigner;
use shared::ports::SystemClock;
use shared::testkit::{SampleEvents, assert_each_reaches_auth, memory_context};
use std::sync::Arc;

#[tokio::test]
async fn sample_events_reach_their_routes() {
    let ctx = memory_context(Arc::new(SystemClock));
    let links = PortalLinkSigner::new(
        b"portal-link-secret-of-the-tests-32b!",
        "https://partners.example.com/portal".parse().unwrap(),
    );
    let events = SampleEvents::of("partner-portal");
    let names = [
        "affiliate.json",
        "analytics.json",
        "dashboard.json",
        "embed-data.json",
        "embed-session.json",
        "embed-token.json",
        "issue-session.json",
        "portal-link.json",
        "revoke-session.json",
    ];
    events.assert_all_named(&names);
    assert_each_reaches_auth(&events, crate::ROUTES, &names, |request| {
        crate::handle(&ctx, &links, request)
    })
    .await;
}
