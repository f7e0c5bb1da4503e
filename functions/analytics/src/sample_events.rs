//! The sample API Gateway events in `events/analytics/` decode into requests this handler
//! routes (with a key the store does not hold: the route is found and auth answers 401).

use shared::context::AppContext;
use shared::ports::{SeededRandom, SystemClock};
use shared::store::embedded::EmbeddedStore;
use std::sync::Arc;

fn dir() -> String {
    format!("{}/../../events/analytics", env!("CARGO_MANIFEST_DIR"))
}

#[tokio::test]
async fn sample_events_reach_their_routes() {
    let ctx = AppContext::new(
        Arc::new(EmbeddedStore::in_memory()),
        Arc::new(SystemClock),
        Arc::new(SeededRandom::new(1)),
        None,
    );
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 3, "one sample per route");
    for name in names {
        let text = std::fs::read_to_string(format!("{}/{name}", dir())).unwrap();
        let request = lambda_http::request::from_str(&text).expect("a valid API Gateway v2 event");
        let response = crate::handle(&ctx, request).await;
        assert_eq!(response.status().as_u16(), 401, "{name}");
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(body["error"]["code"], "unauthorized", "{name}");
    }
}
