//! The sample Function URL events in `events/stripe-webhook/` decode into requests this
//! handler routes, signed with the sample endpoint's secret at their own time: with a clock at
//! that time each passes the signature check and reaches the program, which the empty store
//! does not have (404); a minute past the tolerance each is refused (400).

use shared::ports::ManualClock;
use shared::stripe::{StripeEndpoint, StripeSecret};
use shared::testkit::{SampleEvents, click_signer, memory_context};
use shared::types::ProgramId;
use std::sync::Arc;

const SIGNED_AT: i64 = 1_795_240_800;

#[tokio::test]
async fn sample_events_pass_the_signature_and_reach_the_program() {
    let at = time::OffsetDateTime::from_unix_timestamp(SIGNED_AT).unwrap();
    let clock = Arc::new(ManualClock::new(at));
    let ctx = memory_context(clock.clone());
    let endpoints = [StripeEndpoint {
        program: ProgramId::parse("prog_sample").unwrap(),
        secrets: vec![StripeSecret::new("whsec_sample_endpoint_secret")],
    }];
    let signer = click_signer();
    let names = [
        "checkout-session-completed.json",
        "invoice-paid.json",
        "charge-refunded.json",
    ];
    let events = SampleEvents::of("stripe-webhook");
    events.assert_all_named(&names);
    for (time, status, code) in [
        (at, 404, "not_found"),
        (at + time::Duration::minutes(6), 400, "bad_request"),
    ] {
        clock.set(time);
        for name in names {
            let response = crate::handle(&ctx, &signer, &endpoints, events.http(name)).await;
            assert_eq!(response.status().as_u16(), status, "{name}");
            let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
            assert_eq!(body["error"]["code"], code, "{name}");
        }
    }
}
