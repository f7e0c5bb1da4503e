//! The sample API Gateway events in `events/program-admin/` decode into requests this handler
//! routes (here without credentials for the stored program, so: authenticated or not, the
//! route is found and the envelope comes back).

use shared::context::AppContext;
use shared::ports::{SeededRandom, SystemClock};
use shared::store::embedded::EmbeddedStore;
use std::sync::Arc;

fn context() -> AppContext {
    AppContext::new(
        Arc::new(EmbeddedStore::in_memory()),
        Arc::new(SystemClock),
        Arc::new(SeededRandom::new(1)),
        None,
    )
}

fn event(name: &str) -> lambda_http::Request {
    let path = format!(
        "{}/../../events/program-admin/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    lambda_http::request::from_str(&std::fs::read_to_string(&path).unwrap())
        .expect("a valid API Gateway v2 event")
}

#[tokio::test]
async fn sample_events_reach_their_routes() {
    let ctx = context();
    for (name, expected) in [("get-program.json", 401), ("create-api-key.json", 401)] {
        let response = crate::handle(&ctx, event(name)).await;
        assert_eq!(response.status().as_u16(), expected, "{name}");
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(
            body["error"]["code"], "unauthorized",
            "{name}: the route was found and auth ran"
        );
    }
}

#[tokio::test]
async fn the_api_document_is_public() {
    let response = crate::handle(&context(), event("get-openapi.json")).await;
    assert_eq!(response.status().as_u16(), 200);
    let document: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    assert!(document["paths"]["/links"]["post"].is_object());
}
