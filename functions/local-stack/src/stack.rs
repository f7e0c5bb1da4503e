//! The embedded engines and the contexts the functions run with.

use shared::auth::{AdminTokenConfig, AdminTokenIssuer, AdminTokenVerifier, JwtKey};
use shared::clicks::AgentParser;
use shared::clicks::ClickAggregator;
use shared::clicks::ClickIdSigner;
use shared::clicks::RedirectPorts;
use shared::clicks::RedirectSettings;
use shared::clicks::Redirector;
use shared::clicks::track::TrackServices;
use shared::context::AppContext;

use shared::outbox::OutboxRelay;
use shared::partner_listing::PartnerDirectory;
use shared::portal::PortalLinkSigner;
use shared::ports::{OsRandom, Random, SystemClock, UlidIds};
use shared::queue::QueueSettings;
use shared::queue::embedded::{EmbeddedQueue, EmbeddedQueues};
use shared::store::embedded::EmbeddedStore;
use shared::webhooks::{AddressPolicy, WebhookServices};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub const ISSUER: &str = "partnerline-local";
pub const AUDIENCE: &str = "partnerline-api";
pub const EVENTS_QUEUE: &str = "events";
pub const EVENTS_DLQ: &str = "events-dlq";
pub const DELIVERIES_QUEUE: &str = "webhook-deliveries";
pub const DELIVERIES_DLQ: &str = "webhook-deliveries-dlq";
/// The click queue: the redirect sends click batches, the aggregator consumes them.
pub const CLICKS_QUEUE: &str = "clicks";
pub const CLICKS_DLQ: &str = "clicks-dlq";
/// Where local portal links point (no portal is served locally; the link is for inspection).
pub const LOCAL_PORTAL_URL: &str = "http://localhost/portal";

#[derive(Clone)]
pub struct Stack {
    pub ctx: Arc<AppContext>,
    pub store: Arc<EmbeddedStore>,
    pub relay: Arc<OutboxRelay>,
    pub webhooks: Arc<WebhookServices>,
    /// The partner listing's projections (refreshed on every request).
    pub partners: Arc<PartnerDirectory>,
    /// The queues the in-process consumers poll.
    pub events: Arc<EmbeddedQueue>,
    pub deliveries: Arc<EmbeddedQueue>,
    pub clicks: Arc<EmbeddedQueue>,
    pub click_aggregator: Arc<ClickAggregator>,
    pub redirector: Arc<Redirector>,
    pub track: Arc<TrackServices>,
    pub tokens: Arc<AdminTokenIssuer>,
    /// Signs and verifies click ids (its secret is kept in the data directory).
    pub click_ids: Arc<ClickIdSigner>,
    /// Signs partner portal links (its secret is kept in the data directory).
    pub portal_links: Arc<PortalLinkSigner>,
    pub data_dir: std::path::PathBuf,
    /// The programs' Stripe endpoints (the demo program's, with the secret in `demo.json`).
    pub stripe_endpoints: Arc<std::sync::RwLock<Vec<shared::stripe::StripeEndpoint>>>,
}

impl Stack {
    pub fn open(data_dir: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
        let store = Arc::new(
            EmbeddedStore::open(data_dir.join("store.redb"))
                .map_err(|e| format!("cannot open the store: {e}"))?,
        );
        let queues = EmbeddedQueues::open(data_dir.join("queues.redb"))
            .map_err(|e| format!("cannot open the queues: {e}"))?;
        queues
            .create(EVENTS_DLQ, QueueSettings::default())
            .map_err(|e| e.to_string())?;
        let events = queues
            .create(
                EVENTS_QUEUE,
                QueueSettings {
                    visibility_timeout: Duration::from_secs(30),
                    max_receive_count: Some(5),
                    dead_letter_queue: Some(EVENTS_DLQ.into()),
                },
            )
            .map_err(|e| e.to_string())?;
        queues
            .create(DELIVERIES_DLQ, QueueSettings::default())
            .map_err(|e| e.to_string())?;
        // Longer than a delivery's claim, so a redelivered message finds an abandoned claim
        // lapsed (see shared::webhooks::delivery).
        let deliveries = queues
            .create(
                DELIVERIES_QUEUE,
                QueueSettings {
                    visibility_timeout: Duration::from_secs(120),
                    max_receive_count: Some(5),
                    dead_letter_queue: Some(DELIVERIES_DLQ.into()),
                },
            )
            .map_err(|e| e.to_string())?;
        queues
            .create(CLICKS_DLQ, QueueSettings::default())
            .map_err(|e| e.to_string())?;
        let clicks = queues
            .create(
                CLICKS_QUEUE,
                QueueSettings {
                    visibility_timeout: Duration::from_secs(180),
                    max_receive_count: Some(5),
                    dead_letter_queue: Some(CLICKS_DLQ.into()),
                },
            )
            .map_err(|e| e.to_string())?;

        let random: Arc<dyn Random> = Arc::new(OsRandom);
        let token_config = AdminTokenConfig {
            issuer: ISSUER.into(),
            audience: AUDIENCE.into(),
            key: JwtKey::Hs256(local_secret(data_dir, "jwt-secret", random.as_ref())?),
        };
        let verifier = AdminTokenVerifier::new(&token_config)?;
        let click_secret = local_secret(data_dir, "click-id-secret", random.as_ref())?;
        let portal_secret = local_secret(data_dir, "portal-link-secret", random.as_ref())?;
        let portal_links = PortalLinkSigner::new(
            &portal_secret,
            url::Url::parse(LOCAL_PORTAL_URL).expect("a valid URL"),
        );
        let clock: Arc<SystemClock> = Arc::new(SystemClock);
        // The local stack may deliver to receivers on this machine over plain http.
        let policy = AddressPolicy {
            allow_loopback_http: true,
        };
        let webhooks = WebhookServices::new(
            store.clone(),
            deliveries.clone(),
            clock.clone(),
            random.clone(),
            policy,
        )?;
        let click_aggregator = Arc::new(ClickAggregator::new(store.clone(), clock.clone()));
        let signer = Arc::new(ClickIdSigner::new(&click_secret, &[]));
        let redirector = Redirector::new(
            RedirectPorts {
                store: store.clone(),
                queue: clicks.clone(),
                clock: clock.clone(),
                random: random.clone(),
                ids: Arc::new(UlidIds::new(clock.clone(), random.clone())),
                signer: signer.clone(),
            },
            AgentParser::new(),
            // Plain http: a `Secure` cookie would not be kept.
            RedirectSettings {
                secure_cookie: false,
                // A developer sees a click in the analytics within seconds; deployed, batches
                // wait up to 30 s so that each SQS message carries more clicks (the cost model).
                batch_max_age: time::Duration::seconds(1),
                ..Default::default()
            },
        );
        let track = TrackServices::new(signer.clone(), clicks.clone());
        // Stripe Connect payouts when STRIPE_SECRET_KEY (and STRIPE_API_BASE) are set.
        let transfers = shared::payouts::transfers::StripeTransfers::from_env()
            .map(|sender| Arc::new(sender) as Arc<dyn shared::payouts::transfers::TransferSender>);
        let ctx =
            AppContext::new(store.clone(), clock, random, Some(verifier)).with_transfers(transfers);
        Ok(Self {
            redirector: Arc::new(redirector),
            track: Arc::new(track),
            relay: Arc::new(OutboxRelay::new(store.clone(), events.clone())),
            webhooks: Arc::new(webhooks),
            partners: Arc::new(PartnerDirectory::new(Duration::ZERO)),
            events,
            deliveries,
            clicks,
            click_aggregator,
            ctx: Arc::new(ctx),
            store,
            tokens: Arc::new(AdminTokenIssuer::new(&token_config)?),
            click_ids: signer,
            portal_links: Arc::new(portal_links),
            data_dir: data_dir.to_path_buf(),
            stripe_endpoints: Default::default(),
        })
    }
}

/// A local secret (the admin tokens' HS256 key, the click-id key), made on first start and
/// kept in the data directory so that printed tokens and issued click ids stay valid across
/// restarts.
fn local_secret(data_dir: &Path, name: &str, random: &dyn Random) -> Result<Vec<u8>, String> {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    let path = data_dir.join(name);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return STANDARD.decode(existing.trim()).map_err(|_| {
            format!(
                "{} is corrupt; delete it to make a new secret",
                path.display()
            )
        });
    }
    let mut secret = vec![0u8; 32];
    random.fill(&mut secret);
    std::fs::write(&path, STANDARD.encode(&secret))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(secret)
}

/// Path prefix of short links on the local stack: `/r/{domain}/{key}` serves `https://{domain}/{key}`.
pub const SHORT_LINK_PREFIX: &str = "/r/";
