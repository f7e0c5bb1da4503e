//! The sample API Gateway events in `events/link-admin/` decode into requests this handler
//! routes (with a key the empty store does not know, so every one is 401 from the
//! authenticator, never 404 from the router).

use shared::clicks::ClickIdSigner;
use shared::clicks::track::TrackServices;
use shared::context::AppContext;
use shared::ports::{SeededRandom, SystemClock};
use shared::queue::QueueSettings;
use shared::queue::embedded::EmbeddedQueues;
use shared::store::embedded::EmbeddedStore;
use std::sync::Arc;

fn event(name: &str) -> lambda_http::Request {
    let path = format!(
        "{}/../../events/link-admin/{name}",
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
    let clicks = EmbeddedQueues::in_memory()
        .create("clicks", QueueSettings::default())
        .unwrap();
    let track = TrackServices::new(Arc::new(ClickIdSigner::new(&[7; 32], &[])), clicks);
    let names = [
        "create-link.json",
        "link-info.json",
        "create-partner-link.json",
        "track-click.json",
        "create-tag.json",
        "create-discount-code.json",
    ];
    let dir = format!("{}/../../events/link-admin", env!("CARGO_MANIFEST_DIR"));
    assert_eq!(
        std::fs::read_dir(dir).unwrap().count(),
        names.len(),
        "every sample event is checked"
    );
    for name in names {
        let request = event(name);
        assert!(
            shared::web::match_route(crate::ROUTES, request.method(), request.uri().path()).is_ok(),
            "{name} has a route"
        );
        let response = crate::handle(&ctx, &track, request).await;
        assert_eq!(response.status().as_u16(), 401, "{name}");
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(body["error"]["code"], "unauthorized", "{name}");
    }
}
