//! The sample Function URL events in `events/link-redirect/` decode into requests the handler
//! answers: over an empty store, the link page is 404 (HEAD without a body).

use shared::clicks::AgentParser;
use shared::clicks::ClickIdSigner;
use shared::clicks::RedirectPorts;
use shared::clicks::RedirectSettings;
use shared::clicks::Redirector;

use shared::ports::{SeededRandom, SequentialIds, SystemClock};
use shared::queue::QueueSettings;
use shared::queue::embedded::EmbeddedQueues;
use shared::store::embedded::EmbeddedStore;
use std::sync::Arc;

fn event(name: &str) -> lambda_http::Request {
    let path = format!(
        "{}/../../events/link-redirect/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    lambda_http::request::from_str(&std::fs::read_to_string(&path).unwrap())
        .expect("a valid Function URL event")
}

#[tokio::test]
async fn sample_events_are_answered() {
    let redirector = Redirector::new(
        RedirectPorts {
            store: Arc::new(EmbeddedStore::in_memory()),
            queue: EmbeddedQueues::in_memory()
                .create("clicks", QueueSettings::default())
                .unwrap(),
            clock: Arc::new(SystemClock),
            random: Arc::new(SeededRandom::new(1)),
            ids: Arc::new(SequentialIds::default()),
            signer: Arc::new(ClickIdSigner::new(&[7; 32], &[])),
        },
        AgentParser::ready(),
        RedirectSettings::default(),
    );
    let dir = format!("{}/../../events/link-redirect", env!("CARGO_MANIFEST_DIR"));
    assert_eq!(
        std::fs::read_dir(dir).unwrap().count(),
        2,
        "every sample is checked"
    );
    let click = crate::handle(&redirector, &event("click.json")).await;
    assert_eq!(click.status().as_u16(), 404);
    assert!(String::from_utf8_lossy(click.body()).contains("Link not found"));
    let head = crate::handle(&redirector, &event("head-preview.json")).await;
    assert_eq!(head.status().as_u16(), 404);
    assert!(head.body().is_empty());
}
