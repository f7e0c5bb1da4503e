//! The sample API Gateway events in `events/partner-portal/` decode into requests this handler
//! routes (with credentials the store does not hold: the route is found and auth answers 401).

use shared::context::AppContext;
use shared::portal::PortalLinkSigner;
use shared::ports::{SeededRandom, SystemClock};
use shared::store::embedded::EmbeddedStore;
use std::sync::Arc;

fn event(name: &str) -> lambda_http::Request {
    let path = format!(
        "{}/../../events/partner-portal/{name}",
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
    let links = PortalLinkSigner::new(
        b"portal-link-secret-of-the-tests-32b!",
        "https://partners.example.com/portal".parse().unwrap(),
    );
    let dir = format!("{}/../../events/partner-portal", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 9);
    for name in names {
        let response = crate::handle(&ctx, &links, event(&name)).await;
        assert_eq!(response.status().as_u16(), 401, "{name}");
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(body["error"]["code"], "unauthorized", "{name}");
    }
}
