//! `spawn_app()`-style harness for function tests: the same handler over either engine, with
//! the system clock (admin tokens are signed and checked against real time), time-ordered ids
//! and locally signed admin tokens. Tests that move time build on a `ManualClock` instead
//! (`link_world`, `webhook_world`, `clicks.rs`); the tests' click-id secret is
//! `shared::testkit::CLICK_SECRET`.

use crate::{fresh_queue, fresh_store};
use http::{Method, StatusCode};
use shared::auth::{
    AdminClaims, AdminTokenConfig, AdminTokenIssuer, AdminTokenVerifier, CREATE_PROGRAMS_SCOPE,
    JwtKey, Principal,
};
use shared::context::AppContext;
use shared::ports::{OsRandom, SystemClock};
use shared::queue::embedded::EmbeddedQueues;
use shared::queue::{MessageQueue, QueueSettings};
use shared::store::ItemStore;
use shared::store::embedded::EmbeddedStore;
use shared::types::ProgramId;
use std::sync::Arc;

pub const ISSUER: &str = "https://idp.test";
pub const AUDIENCE: &str = "partnerline-tests";
pub const SECRET: &[u8] = b"a-test-secret-of-at-least-32-bytes!!";

/// Which engines a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Embedded,
    Moto,
}

pub struct TestApp {
    pub ctx: Arc<AppContext>,
    pub store: Arc<dyn ItemStore>,
    pub events: Arc<dyn MessageQueue>,
    /// The webhook deliveries queue.
    pub deliveries: Arc<dyn MessageQueue>,
    /// The click queue (click batches from the redirect and client-side tracking).
    pub clicks: Arc<dyn MessageQueue>,
    pub tokens: AdminTokenIssuer,
}

pub fn token_config() -> AdminTokenConfig {
    AdminTokenConfig {
        issuer: ISSUER.into(),
        audience: AUDIENCE.into(),
        key: JwtKey::Hs256(SECRET.to_vec()),
    }
}

impl TestApp {
    pub async fn spawn(engine: Engine) -> Self {
        type Queue = Arc<dyn MessageQueue>;
        let (store, events, deliveries, clicks): (Arc<dyn ItemStore>, Queue, Queue, Queue) =
            match engine {
                Engine::Embedded => {
                    let queues = EmbeddedQueues::in_memory();
                    let create = |name| {
                        queues
                            .create(name, QueueSettings::default())
                            .expect("a queue")
                    };
                    (
                        Arc::new(EmbeddedStore::in_memory()),
                        create("events"),
                        create("deliveries"),
                        create("clicks"),
                    )
                }
                Engine::Moto => (
                    Arc::new(crate::serial_writes::SerialWrites::new(fresh_store().await)),
                    fresh_queue(QueueSettings::default()).await.queue,
                    fresh_queue(QueueSettings::default()).await.queue,
                    fresh_queue(QueueSettings::default()).await.queue,
                ),
            };
        let mut app = Self::over(store, events, deliveries);
        app.clicks = clicks;
        app
    }

    /// An app over a given store, events queue and webhook deliveries queue (and an in-memory
    /// click queue).
    pub fn over(
        store: Arc<dyn ItemStore>,
        events: Arc<dyn MessageQueue>,
        deliveries: Arc<dyn MessageQueue>,
    ) -> Self {
        let verifier = AdminTokenVerifier::new(&token_config()).expect("valid token settings");
        let ctx = AppContext::new(
            store.clone(),
            Arc::new(SystemClock),
            Arc::new(OsRandom),
            Some(verifier),
        );
        Self {
            ctx: Arc::new(ctx),
            store,
            events,
            deliveries,
            clicks: EmbeddedQueues::in_memory()
                .create("clicks", QueueSettings::default())
                .expect("a queue"),
            tokens: AdminTokenIssuer::new(&token_config()).expect("HS256 issuer"),
        }
    }

    fn expiry() -> u64 {
        (time::OffsetDateTime::now_utc() + time::Duration::hours(1)).unix_timestamp() as u64
    }

    /// A token that may create programs.
    pub fn platform_token(&self) -> String {
        self.tokens.issue(
            "platform-admin",
            None,
            Some(CREATE_PROGRAMS_SCOPE),
            Self::expiry(),
        )
    }

    /// An admin token for one program.
    pub fn admin_token(&self, program: &ProgramId) -> String {
        self.tokens
            .issue("admin@test", Some(program), None, Self::expiry())
    }

    /// The principal of [`Self::admin_token`], for calling use cases directly.
    pub fn admin_principal(&self, program: &ProgramId) -> Principal {
        Principal::Admin(AdminClaims {
            sub: "admin@test".into(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            exp: Self::expiry(),
            program_id: Some(program.clone()),
            scope: None,
        })
    }

    /// The principal of [`Self::platform_token`], for calling use cases directly.
    pub fn platform_principal(&self) -> Principal {
        Principal::Admin(AdminClaims {
            sub: "platform-admin".into(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            exp: Self::expiry(),
            program_id: None,
            scope: Some(CREATE_PROGRAMS_SCOPE.into()),
        })
    }
}

/// A response as tests look at it.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub body: serde_json::Value,
}

impl Reply {
    /// The error code of an error envelope, checking the envelope's shape.
    pub fn error_code(&self) -> &str {
        let error = &self.body["error"];
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "no message in {}",
            self.body
        );
        assert!(
            error["doc_url"].as_str().is_some(),
            "no doc_url in {}",
            self.body
        );
        error["code"]
            .as_str()
            .unwrap_or_else(|| panic!("not an error envelope: {}", self.body))
    }
}

/// Builds a request with an optional bearer credential and JSON body.
pub fn request(
    method: Method,
    path: &str,
    credential: Option<&str>,
    body: Option<serde_json::Value>,
) -> http::Request<Vec<u8>> {
    let mut builder = http::Request::builder().method(method).uri(path);
    if let Some(credential) = credential {
        builder = builder.header("authorization", format!("Bearer {credential}"));
    }
    let body = body
        .map(|b| serde_json::to_vec(&b).expect("JSON"))
        .unwrap_or_default();
    builder
        .header("content-type", "application/json")
        .body(body)
        .expect("a valid request")
}

/// Reads a handler's response.
pub fn reply(response: http::Response<Vec<u8>>) -> Reply {
    let (parts, body) = response.into_parts();
    let body = if body.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&body)
            .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&body).into()))
    };
    Reply {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

/// Runs each named test once per engine: `engine_tests!(name, ...)` above a plain
/// `async fn name(app: TestApp) { ... }` (a plain function, so rustfmt formats it) makes a
/// module `name` with the tests `embedded` and `moto`.
#[macro_export]
macro_rules! engine_tests {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn embedded() {
                    let app = $crate::app::TestApp::spawn($crate::app::Engine::Embedded).await;
                    super::$name(app).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn moto() {
                    super::$name($crate::app::TestApp::spawn($crate::app::Engine::Moto).await).await;
                }
            }
        )*
    };
}
