//! The sample API Gateway events in `events/commission-admin/` decode into requests this handler
//! routes (with a key the empty store does not know, so every one is 401 from the
//! authenticator, never 404 from the router).

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

fn dir() -> String {
    format!(
        "{}/../../events/commission-admin",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn event(name: &str) -> lambda_http::Request {
    let path = format!("{}/{name}", dir());
    lambda_http::request::from_str(&std::fs::read_to_string(&path).unwrap())
        .expect("a valid API Gateway v2 event")
}

#[tokio::test]
async fn sample_events_reach_their_routes() {
    let ctx = context();
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
    assert_eq!(
        std::fs::read_dir(dir()).unwrap().count(),
        names.len(),
        "every sample event is checked"
    );
    for name in names {
        let request = event(name);
        assert!(
            shared::web::match_route(crate::ROUTES, request.method(), request.uri().path()).is_ok(),
            "{name} has a route"
        );
        let response = crate::handle(&ctx, request).await;
        assert_eq!(response.status().as_u16(), 401, "{name}");
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(body["error"]["code"], "unauthorized", "{name}");
    }
}
