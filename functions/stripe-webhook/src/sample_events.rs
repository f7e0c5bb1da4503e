//! The sample Function URL events in `events/stripe-webhook/` decode into requests this
//! handler routes, signed with the sample endpoint's secret at their own time: with a clock at
//! that time each passes the signature check and reaches the program, which the empty store
//! does not have (404); a minute past the tolerance each is refused (400).

use shared::context::AppContext;
use shared::ports::{ManualClock, SeededRandom};
use shared::store::embedded::EmbeddedStore;
use shared::stripe::{StripeEndpoint, StripeSecret};
use shared::types::ProgramId;
use std::sync::Arc;

const SIGNED_AT: i64 = 1_795_240_800;

fn context(clock: Arc<ManualClock>) -> AppContext {
    AppContext::new(
        Arc::new(EmbeddedStore::in_memory()),
        clock,
        Arc::new(SeededRandom::new(1)),
        None,
    )
}

fn dir() -> String {
    format!("{}/../../events/stripe-webhook", env!("CARGO_MANIFEST_DIR"))
}

fn event(name: &str) -> lambda_http::Request {
    let path = format!("{}/{name}", dir());
    lambda_http::request::from_str(&std::fs::read_to_string(&path).unwrap())
        .expect("a valid Function URL event")
}

#[tokio::test]
async fn sample_events_pass_the_signature_and_reach_the_program() {
    let at = time::OffsetDateTime::from_unix_timestamp(SIGNED_AT).unwrap();
    let clock = Arc::new(ManualClock::new(at));
    let ctx = context(clock.clone());
    let endpoints = [StripeEndpoint {
        program: ProgramId::parse("prog_sample").unwrap(),
        secrets: vec![StripeSecret::new("whsec_sample_endpoint_secret")],
    }];
    let signer = shared::clicks::ClickIdSigner::new(b"sample secret", &[]);
    let names = [
        "checkout-session-completed.json",
        "invoice-paid.json",
        "charge-refunded.json",
    ];
    assert_eq!(
        std::fs::read_dir(dir()).unwrap().count(),
        names.len(),
        "every sample event is checked"
    );
    for (time, status, code) in [
        (at, 404, "not_found"),
        (at + time::Duration::minutes(6), 400, "bad_request"),
    ] {
        clock.set(time);
        for name in names {
            let response = crate::handle(&ctx, &signer, &endpoints, event(name)).await;
            assert_eq!(response.status().as_u16(), status, "{name}");
            let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
            assert_eq!(body["error"]["code"], code, "{name}");
        }
    }
}
