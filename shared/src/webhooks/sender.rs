//! The HTTP-client port of webhook delivery, and its reqwest engine that connects only to
//! addresses the [`AddressPolicy`] allows.

use super::address_policy::{AddressPolicy, resolve_checked};
use async_trait::async_trait;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Per-attempt limit, as Svix and Standard Webhooks suggest.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);

/// One signed POST: the URL, headers and the exact body that was signed.
#[derive(Debug, Clone)]
pub struct WebhookRequest {
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: bytes::Bytes,
}

/// What the receiver answered, or why there was no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    Answered {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// Timeout, refused connection, TLS failure, or an address the policy forbids.
    NoAnswer(String),
}

#[async_trait]
pub trait WebhookSender: Send + Sync {
    async fn send(&self, request: WebhookRequest) -> SendOutcome;
}

/// Sends with reqwest: no redirects, a 15 s timeout, DNS answers filtered by the policy (so a
/// rebinding answer cannot reach an internal address), IP-literal hosts checked before sending.
pub struct HttpSender {
    client: reqwest::Client,
    policy: AddressPolicy,
}

impl HttpSender {
    pub fn new(policy: AddressPolicy) -> Result<Self, String> {
        // reqwest takes rustls's process-wide provider; the workspace's one crypto library is
        // ring (see the root Cargo.toml). An `Err` only says one is installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(ATTEMPT_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .pool_max_idle_per_host(64)
            .dns_resolver(Arc::new(CheckedResolver { policy }))
            .user_agent("Partnerline-Webhooks/1")
            .build()
            .map_err(|error| error.to_string())?;
        Ok(Self { client, policy })
    }
}

#[async_trait]
impl WebhookSender for HttpSender {
    async fn send(&self, request: WebhookRequest) -> SendOutcome {
        let url = match url::Url::parse(&request.url) {
            Ok(url) => url,
            Err(error) => return SendOutcome::NoAnswer(format!("bad URL: {error}")),
        };
        // Domains are checked in the resolver; IP literals skip DNS, so check them here.
        if !matches!(url.host(), Some(url::Host::Domain(_)))
            && let Err(refused) = resolve_checked(self.policy, &url).await
        {
            return SendOutcome::NoAnswer(refused);
        }
        if url.scheme() != "https" && !self.policy.allow_loopback_http {
            return SendOutcome::NoAnswer("only https URLs are allowed".into());
        }
        let mut builder = self
            .client
            .post(url)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(request.body);
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        match builder.send().await {
            Ok(response) => SendOutcome::Answered {
                status: response.status().as_u16(),
                retry_after: retry_after(response.headers()),
            },
            Err(error) => SendOutcome::NoAnswer(describe(&error)),
        }
    }
}

fn describe(error: &reqwest::Error) -> String {
    use std::error::Error;
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

/// `Retry-After` in seconds (the HTTP-date form is rare for webhooks and is ignored).
pub fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// Resolves with the system resolver and refuses the host when any address is internal.
struct CheckedResolver {
    policy: AddressPolicy,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addresses: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            // The scheme is not known here; loopback http is only allowed by the policy flag,
            // and https is what every other endpoint uses.
            policy.check_all("https", &addresses).map_err(
                |refused| -> Box<dyn std::error::Error + Send + Sync> { refused.into() },
            )?;
            let iter: reqwest::dns::Addrs = Box::new(addresses.into_iter());
            Ok(iter)
        })
    }
}
