//! The sample API Gateway events in `events/program-admin/` decode into requests this handler
//! routes (without credentials for a stored program: the route is found and auth answers 401),
//! and the API document is public.

use shared::ports::SystemClock;
use shared::testkit::{SampleEvents, assert_each_reaches_auth, memory_context};
use std::sync::Arc;

#[tokio::test]
async fn sample_events_reach_their_routes() {
    let ctx = memory_context(Arc::new(SystemClock));
    let events = SampleEvents::of("program-admin");
    events.assert_all_named(&[
        "get-program.json",
        "create-api-key.json",
        "get-openapi.json",
    ]);
    let names = ["get-program.json", "create-api-key.json"];
    assert_each_reaches_auth(&events, crate::ROUTES, &names, |request| {
        crate::handle(&ctx, request)
    })
    .await;
}

#[tokio::test]
async fn the_api_document_is_public() {
    let ctx = memory_context(Arc::new(SystemClock));
    let request = SampleEvents::of("program-admin").http("get-openapi.json");
    let response = crate::handle(&ctx, request).await;
    assert_eq!(response.status().as_u16(), 200);
    let document: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    assert!(document["paths"]["/links"]["post"].is_object());
}
