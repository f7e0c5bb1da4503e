//! The sample Function URL events in `events/link-redirect/` decode into requests the handler
//! answers: over an empty store, the link page is 404 (HEAD without a body).

use shared::clicks::AgentParser;
use shared::clicks::RedirectPorts;
use shared::clicks::RedirectSettings;
use shared::clicks::Redirector;

use shared::ports::{SeededRandom, SequentialIds, SystemClock};
use shared::queue::QueueSettings;
use shared::queue::embedded::EmbeddedQueues;
use shared::store::embedded::EmbeddedStore;
use shared::testkit::{SampleEvents, click_signer};
use std::sync::Arc;

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
            signer: Arc::new(click_signer()),
        },
        AgentParser::ready(),
        RedirectSettings::default(),
    );
    let events = SampleEvents::of("link-redirect");
    events.assert_all_named(&["click.json", "head-preview.json"]);
    let click = crate::handle(&redirector, &events.http("click.json")).await;
    assert_eq!(click.status().as_u16(), 404);
    assert!(String::from_utf8_lossy(click.body()).contains("Link not found"));
    let head = crate::handle(&redirector, &events.http("head-preview.json")).await;
    assert_eq!(head.status().as_u16(), 404);
    assert!(head.body().is_empty());
}
