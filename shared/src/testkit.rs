//! What the tests of every crate share: the sample Lambda events under `events/`, a context
//! over empty in-memory engines, and the tests' one click-id secret. Built only with the
//! `testkit` feature, which the crates turn on for their tests.

use crate::clicks::ClickIdSigner;
use crate::context::AppContext;
use crate::ports::{Clock, SeededRandom};
use crate::store::embedded::EmbeddedStore;
use std::path::PathBuf;
use std::sync::Arc;

/// The click-id secret of every test (at least 32 bytes, as deployments require).
pub const CLICK_SECRET: &str = "click-id-secret-of-the-tests-32-bytes!";

/// A click-id signer with [`CLICK_SECRET`] and no previous secret.
pub fn click_signer() -> ClickIdSigner {
    ClickIdSigner::new(CLICK_SECRET.as_bytes(), &[])
}

/// A context over an empty in-memory store, with `clock` and seeded randomness.
pub fn memory_context(clock: Arc<dyn Clock>) -> AppContext {
    AppContext::new(
        Arc::new(EmbeddedStore::in_memory()),
        clock,
        Arc::new(SeededRandom::new(1)),
        None,
    )
}

/// The sample events of one function: the files of `events/{function}/`.
pub struct SampleEvents {
    dir: PathBuf,
}

impl SampleEvents {
    pub fn of(function: &str) -> Self {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../events")
            .join(function);
        assert!(dir.is_dir(), "no sample events at {}", dir.display());
        Self { dir }
    }

    /// Every file's name, in order.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .expect("a readable events folder")
            .map(|entry| {
                entry
                    .expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into()
            })
            .collect();
        names.sort();
        names
    }

    /// Fails unless `named` is every file of the folder: a new sample event gets checked too.
    pub fn assert_all_named(&self, named: &[&str]) {
        let mut named: Vec<String> = named.iter().map(|name| (*name).to_owned()).collect();
        named.sort();
        assert_eq!(self.names(), named, "every sample event is checked");
    }

    pub fn text(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).expect("a readable sample event")
    }

    pub fn json(&self, name: &str) -> serde_json::Value {
        serde_json::from_str(&self.text(name)).expect("a JSON sample event")
    }

    /// An API Gateway (or Function URL) event as the request `lambda_http` hands a handler.
    pub fn http(&self, name: &str) -> lambda_http::Request {
        lambda_http::request::from_str(&self.text(name)).expect("a valid API Gateway v2 event")
    }
}

/// Each of `names` (sample events of `events`) has a route in `routes`, and `handle` answers it
/// 401 in the error envelope: with a credential the empty store does not know, a request that
/// found its route stops at the authenticator, never at the router's 404.
pub async fn assert_each_reaches_auth<E, F, Fut>(
    events: &SampleEvents,
    routes: &[crate::web::Route<E>],
    names: &[&str],
    handle: F,
) where
    E: Copy,
    F: Fn(lambda_http::Request) -> Fut,
    Fut: std::future::Future<Output = crate::web::ApiResponse>,
{
    for name in names {
        let request = events.http(name);
        let routed = crate::web::match_route(routes, request.method(), request.uri().path());
        assert!(routed.is_ok(), "{name} has a route");
        let response = handle(request).await;
        assert_eq!(response.status().as_u16(), 401, "{name}");
        let body: serde_json::Value =
            serde_json::from_slice(response.body()).expect("a JSON answer");
        assert_eq!(body["error"]["code"], "unauthorized", "{name}");
    }
}

/// An approved partner with the referral code `code` and its default link, to write with
/// [`PartnerSeed::write`](crate::enrollment::PartnerSeed::write).
pub fn a_partner(code: &str) -> crate::enrollment::PartnerSeed {
    let code = crate::types::ReferralCode::parse(code).expect("a valid referral code");
    crate::enrollment::PartnerSeed::with_code(code)
}

/// A click on the link `link` of program `prog_1` at `at` from a desktop Chrome on macOS, by no
/// partner, with no country or referer: a test changes what it looks at.
pub fn a_click(link: &str, at: time::OffsetDateTime) -> crate::model::Click {
    use crate::types::{ClickId, LinkId, ProgramId};
    crate::model::Click {
        id: ClickId::parse("clk_x").expect("a click id"),
        timestamp: at,
        link_id: LinkId::parse(link).expect("a link id"),
        partner_id: None,
        program_id: ProgramId::parse("prog_1").expect("a program id"),
        country: None,
        device: "Desktop".into(),
        browser: "Chrome".into(),
        os: "macOS".into(),
        referer: None,
        qr: false,
    }
}
