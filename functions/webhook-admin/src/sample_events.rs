//! The sample API Gateway events in `events/webhook-admin/` decode into requests this handler
//! routes (with a key the store does not hold: the route is found and auth answers 401).

use shared::context::AppContext;
use shared::ports::{SeededRandom, SystemClock};
use shared::queue::QueueSettings;
use shared::queue::embedded::EmbeddedQueues;
use shared::store::embedded::EmbeddedStore;
use shared::webhooks::{AddressPolicy, WebhookServices};
use std::sync::Arc;

fn event(name: &str) -> lambda_http::Request {
    let path = format!(
        "{}/../../events/webhook-admin/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    lambda_http::request::from_str(&std::fs::read_to_string(&path).unwrap())
        .expect("a valid API Gateway v2 event")
}

#[tokio::test]
async fn sample_events_reach_their_routes() {
    let store = Arc::new(EmbeddedStore::in_memory());
    let ctx = AppContext::new(
        store.clone(),
        Arc::new(SystemClock),
        Arc::new(SeededRandom::new(1)),
        None,
    );
    let services = WebhookServices::new(
        store.clone(),
        EmbeddedQueues::in_memory()
            .create("deliveries", QueueSettings::default())
            .unwrap(),
        Arc::new(SystemClock),
        Arc::new(SeededRandom::new(1)),
        AddressPolicy::default(),
    )
    .unwrap();
    for name in ["create-webhook.json", "list-deliveries.json"] {
        let response = crate::handle(&ctx, &services, event(name)).await;
        assert_eq!(response.status().as_u16(), 401, "{name}");
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(body["error"]["code"], "unauthorized", "{name}");
    }
}
