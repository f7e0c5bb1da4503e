//! The sample API Gateway events in `events/commission-admin/` decode into requests this handler
//! routes (with a key the empty store does not know, so every one is 401 from the
//! authenticator, never 404 from the router).

use shared::ports::SystemClock;
use shared::testkit::{SampleEvents, assert_each_reaches_auth, memory_context};
use std::sync::Arc;

#[tokio::test]
async fn sample_events_reach_their_routes() {
    let ctx = memory_context(Arc::new(SystemClock));
    let events = SampleEvents::of("commission-admin");
    let names = [
        "list-commissions.json",
        "update-commission.json",
        "list-customers.json",
        "get-customer.json",
        "list-payouts.json",
        "run-payouts.json",
        "confirm-payout.json",
        "get-ledger.json",
    ];
    events.assert_all_named(&names);
    assert_each_reaches_auth(&events, crate::ROUTES, &names, |request| {
        crate::handle(&ctx, request)
    })
    .await;
}
