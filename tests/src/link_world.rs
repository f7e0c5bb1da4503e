//! Links for tests: a program with keys, partners with their default links, the redirect over
//! a [`TestApp`]'s engines with a manual clock, and the click batches that reached the queue.

use crate::app::{TestApp, reply, request};
use http::{Method, StatusCode};
use serde_json::{Value, json};
use shared::clicks::AgentParser;
use shared::clicks::RedirectPorts;
use shared::clicks::RedirectResponse;
use shared::clicks::RedirectSettings;
use shared::clicks::Redirector;
use shared::clicks::Visit;
use shared::clicks::track::TrackServices;
use shared::clicks::{ClickBatch, ClickBuffer, ClickIdSigner};

use shared::model::{Click, Link, Partner, Program};
use shared::ports::{Clock, ManualClock, SeededRandom, UlidIds};
use shared::queue::MessageQueue;
use shared::types::{GroupId, ProgramId};
use std::sync::Arc;
use std::time::Duration;

pub const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
pub const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
pub const ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";

/// The tests' one click-id signer (`shared::testkit::CLICK_SECRET`).
pub fn signer() -> Arc<ClickIdSigner> {
    Arc::new(shared::testkit::click_signer())
}

/// A program made through the API, with its admin token and a key of every scope.
pub struct LinkProgram {
    pub id: ProgramId,
    pub domain: String,
    pub admin: String,
    pub key: String,
}

pub async fn api_key(app: &TestApp, program: &ProgramId, scopes: Value) -> String {
    let created = reply(
        program_admin::handle(
            &app.ctx,
            request(
                Method::POST,
                &format!("/programs/{program}/api-keys"),
                Some(&app.admin_token(program)),
                Some(json!({"name": "k", "scopes": scopes})),
            ),
        )
        .await,
    );
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body["key"].as_str().unwrap().to_owned()
}

pub async fn program(app: &TestApp, domain: &str) -> LinkProgram {
    let created = reply(
        program_admin::handle(
            &app.ctx,
            request(
                Method::POST,
                "/programs",
                Some(&app.platform_token()),
                Some(json!({"name": "Acme", "domain": domain})),
            ),
        )
        .await,
    );
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = ProgramId::parse(created.body["id"].as_str().unwrap()).unwrap();
    LinkProgram {
        admin: app.admin_token(&id),
        key: api_key(app, &id, json!(["apis.all"])).await,
        domain: domain.into(),
        id,
    }
}

/// An approved partner in the program's `default` group, with its default referral link
/// `https://{domain}/{code lower-cased}` to `destination`.
pub async fn partner(
    app: &TestApp,
    program: &LinkProgram,
    code: &str,
    tenant_id: Option<&str>,
    destination: &str,
) -> (Partner, Link) {
    let record: Program = shared::programs::find_program(app.store.as_ref(), &program.id)
        .await
        .unwrap()
        .unwrap();
    let mut seed = shared::testkit::a_partner(code)
        .linking_to(shared::types::WebUrl::parse(destination).unwrap());
    if let Some(tenant_id) = tenant_id {
        seed = seed.tenant(tenant_id);
    }
    seed.write(&app.ctx, &record).await.unwrap()
}

/// Calls the link-admin function with a bearer credential.
pub async fn call(
    app: &TestApp,
    track: &TrackServices,
    method: Method,
    path: &str,
    credential: Option<&str>,
    body: Option<Value>,
) -> crate::app::Reply {
    reply(link_admin::handle(&app.ctx, track, request(method, path, credential, body)).await)
}

pub fn track_services(app: &TestApp) -> TrackServices {
    TrackServices {
        agents: AgentParser::ready(),
        ..TrackServices::new(signer(), app.clicks.clone())
    }
}

/// The redirect over the app's store and click queue, on a manual clock.
pub struct RedirectWorld {
    pub clock: Arc<ManualClock>,
    pub redirector: Redirector,
}

impl RedirectWorld {
    pub fn new(app: &TestApp) -> Self {
        Self::with_buffer(app, None)
    }

    /// With a click buffer of `max_bytes` per message (default: 64 KB).
    pub fn with_buffer(app: &TestApp, max_bytes: Option<usize>) -> Self {
        let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
        let random = Arc::new(SeededRandom::new(5));
        let settings = RedirectSettings::default();
        let buffer = match max_bytes {
            Some(bytes) => ClickBuffer::with_limit(settings.batch_max_age, bytes),
            None => ClickBuffer::new(settings.batch_max_age),
        };
        let redirector = Redirector::with_buffer(
            RedirectPorts {
                store: app.store.clone(),
                queue: app.clicks.clone(),
                ids: Arc::new(UlidIds::new(clock.clone(), random.clone())),
                clock: clock.clone(),
                random,
                signer: signer(),
            },
            AgentParser::ready(),
            buffer,
            settings,
        );
        Self { clock, redirector }
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    /// `GET https://{domain}{path_and_query}` from a desktop Chrome at `ip`.
    pub async fn get(&self, domain: &str, path_and_query: &str, ip: &str) -> RedirectResponse {
        self.visit(domain, path_and_query, |visit| Visit {
            client_ip: ip,
            ..visit
        })
        .await
    }

    /// A visit with the defaults (GET, Chrome, `203.0.113.1`) changed by `change`.
    pub async fn visit<'a>(
        &self,
        domain: &'a str,
        path_and_query: &'a str,
        change: impl FnOnce(Visit<'a>) -> Visit<'a>,
    ) -> RedirectResponse {
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path_and_query, None),
        };
        let visit = change(Visit {
            head: false,
            domain,
            path,
            query,
            user_agent: CHROME,
            client_ip: "203.0.113.1",
            country: None,
            referer: None,
            cookies: None,
        });
        self.redirector.visit(&visit).await
    }
}

/// Every click batch on the queue (received and deleted), in arrival order of their batches.
pub async fn click_batches(queue: &dyn MessageQueue) -> Vec<ClickBatch> {
    let mut batches = Vec::new();
    loop {
        let received = queue.receive(10, Duration::from_millis(300)).await.unwrap();
        if received.is_empty() {
            return batches;
        }
        for message in received {
            batches.push(ClickBatch::parse(&message.body).expect("a click batch"));
            queue.delete(&message.receipt_handle).await.unwrap();
        }
    }
}

/// The clicks that reached the queue, once the redirect's buffer is sent.
pub async fn sent_clicks(world: &RedirectWorld, queue: &dyn MessageQueue) -> Vec<Click> {
    world.redirector.flush(true).await.unwrap();
    let mut clicks: Vec<Click> = click_batches(queue)
        .await
        .into_iter()
        .flat_map(|batch| batch.clicks)
        .collect();
    clicks.sort_by_key(|click| click.timestamp);
    clicks
}

/// The default group id of a program.
pub async fn default_group(app: &TestApp, program: &ProgramId) -> GroupId {
    shared::groups::find_group_by_slug(
        app.store.as_ref(),
        program,
        shared::model::DEFAULT_GROUP_SLUG,
    )
    .await
    .unwrap()
    .expect("a default group")
    .id
}
