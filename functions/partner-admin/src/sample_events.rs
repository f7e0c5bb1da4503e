//! The sample API Gateway events in `events/partner-admin/` decode into requests this handler
//! routes (with a key the store does not hold: the route is found and auth answers 401).

use shared::context::AppContext;
use shared::partner_listing::PartnerDirectory;
use shared::ports::{SeededRandom, SystemClock};
use shared::store::embedded::EmbeddedStore;
use std::sync::Arc;

fn event(name: &str) -> lambda_http::Request {
    let path = format!(
        "{}/../../events/partner-admin/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    lambda_http::request::from_str(&std::fs::read_to_string(&path).unwrap())
        .expect("a valid API Gateway v2 event")
}

#[tokio::test]
async fn sample_events_reach_their_routes() {
    let ctx = AppContext::new(
        Arc::new(EmbeddedStore::in_memory()),
        Arc::new(SystemClock),
        Arc::new(SeededRandom::new(1)),
        None,
    );
    let directory = PartnerDirectory::new(std::time::Duration::ZERO);
    let dir = format!("{}/../../events/partner-admin", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for name in names {
        let response = crate::handle(&ctx, &directory, event(&name)).await;
        assert_eq!(response.status().as_u16(), 401, "{name}");
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(body["error"]["code"], "unauthorized", "{name}");
    }
}
