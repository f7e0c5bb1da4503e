//! The click redirect: `GET`/`HEAD https://{domain}/{key}`.
//!
//! The hot path makes no database write and, with a warm cache, no read: link targets come from
//! an in-process cache, then from one eventually consistent `GetItem` of the link's key claim,
//! which carries the target. A found link is kept up to [`RedirectSettings::link_max_age`]
//! while the domain's change notes are read every [`RedirectSettings::link_ttl`] (one small
//! query per domain, see `watch`), else for `link_ttl`; an unknown key for
//! [`RedirectSettings::missing_ttl`]. Program settings (the click-id parameter and the
//! attribution window) are cached per program. Counted clicks go to the [`ClickBuffer`] and
//! reach the click queue in batches.
//!
//! A link changed, deleted or disabled through the API (or by a ban) is served as it was for up
//! to about `link_ttl` by an instance that cached it: the time until its next read of the
//! notes, plus the table's replication.

mod decide;
mod destination;
pub mod pages;
mod visitors;
mod watch;

pub use decide::{Decision, decide};
pub use destination::{Extras, destination_url};
pub use visitors::{RepeatVisitors, visitor_key};

use crate::cache::TtlCache;
use crate::clicks::AgentParser;
use crate::clicks::ClickIdSigner;
use crate::clicks::record::NewClick;
use crate::clicks::record::record_click;
use crate::clicks::{ClickBuffer, send_batches};
use crate::links::RedirectTarget;
use crate::links::key::lookup_key;
use crate::links::repo;
use crate::ports::{Clock, IdSource, Random};
use crate::programs;
use crate::queue::{MessageQueue, QueueError};
use crate::store::ItemStore;
use crate::types::{ClickId, ProgramId};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// Cookie carrying a visitor's click id for one link: `pl_click_{linkId}`.
pub const COOKIE_PREFIX: &str = "pl_click_";

#[derive(Debug, Clone)]
pub struct RedirectSettings {
    /// How often a domain's change notes are read; a found link is trusted this long without
    /// them.
    pub link_ttl: Duration,
    /// The longest a found link is kept while the notes are read (a bound should a change
    /// ever miss its note).
    pub link_max_age: Duration,
    pub missing_ttl: Duration,
    pub program_ttl: Duration,
    /// A visitor's repeat clicks within this window keep their click id and count once.
    pub repeat_window: Duration,
    /// A shard's open click batch is sent once this old (checked at each request). Long
    /// enough for a busy instance to fill its shards' batches (a full batch costs the
    /// aggregator one marker for ~220 clicks; see docs/links-and-clicks.md, "Click counting"); it bounds the
    /// clicks a crashed instance loses to the counters.
    pub batch_max_age: Duration,
    pub max_cached_links: usize,
    pub max_remembered_visitors: usize,
    /// `Secure` cookies (https); off on the local stack's plain http.
    pub secure_cookie: bool,
}

impl Default for RedirectSettings {
    fn default() -> Self {
        Self {
            link_ttl: Duration::seconds(5),
            link_max_age: Duration::minutes(30),
            missing_ttl: Duration::seconds(5),
            program_ttl: Duration::seconds(60),
            repeat_window: Duration::hours(1),
            batch_max_age: Duration::seconds(30),
            max_cached_links: 10_000,
            max_remembered_visitors: 100_000,
            secure_cookie: true,
        }
    }
}

/// One short-link request, as the HTTP edge read it.
#[derive(Debug, Clone, Default)]
pub struct Visit<'a> {
    pub head: bool,
    /// The `Host` (a port is ignored).
    pub domain: &'a str,
    /// The path after the domain, e.g. `/jane20`.
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub user_agent: &'a str,
    pub client_ip: &'a str,
    /// `CloudFront-Viewer-Country`.
    pub country: Option<&'a str>,
    pub referer: Option<&'a str>,
    /// The `Cookie` header.
    pub cookies: Option<&'a str>,
}

/// What to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectResponse {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookie: Option<String>,
    /// An HTML page (not found, expired, unavailable); none on redirects and `HEAD`.
    pub page: Option<&'static str>,
}

impl RedirectResponse {
    fn page(status: u16, page: &'static str, head: bool) -> Self {
        Self {
            status,
            location: None,
            set_cookie: None,
            page: (!head).then_some(page),
        }
    }

    fn to(status: u16, location: String) -> Self {
        Self {
            status,
            location: Some(location),
            set_cookie: None,
            page: None,
        }
    }
}

/// What the redirect needs of a program. The redirect keeps these two values per program in
/// its own cache rather than `context::ProgramConfigCache`: a request must not clone a whole
/// program on the hot path, and when the table cannot be read it serves the last settings it
/// had (`get_stale`) instead of failing the click.
#[derive(Debug, Clone)]
struct ProgramClicks {
    param: Arc<str>,
    cookie_max_age: i64,
}

pub struct Redirector {
    store: Arc<dyn ItemStore>,
    queue: Arc<dyn MessageQueue>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
    ids: Arc<dyn IdSource>,
    signer: Arc<ClickIdSigner>,
    agents: AgentParser,
    /// Targets (`None`: no link at that key) and when they were read.
    links: TtlCache<String, (Option<Arc<RedirectTarget>>, OffsetDateTime)>,
    watch: watch::ChangeWatch,
    programs: TtlCache<ProgramId, ProgramClicks>,
    visitors: RepeatVisitors,
    buffer: ClickBuffer,
    settings: RedirectSettings,
}

/// The ports a [`Redirector`] runs with.
pub struct RedirectPorts {
    pub store: Arc<dyn ItemStore>,
    pub queue: Arc<dyn MessageQueue>,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Random>,
    pub ids: Arc<dyn IdSource>,
    pub signer: Arc<ClickIdSigner>,
}

impl Redirector {
    pub fn new(ports: RedirectPorts, agents: AgentParser, settings: RedirectSettings) -> Self {
        Self::with_buffer(
            ports,
            agents,
            ClickBuffer::new(settings.batch_max_age),
            settings,
        )
    }

    pub fn with_buffer(
        ports: RedirectPorts,
        agents: AgentParser,
        buffer: ClickBuffer,
        settings: RedirectSettings,
    ) -> Self {
        Self {
            store: ports.store,
            queue: ports.queue,
            clock: ports.clock,
            random: ports.random,
            ids: ports.ids,
            signer: ports.signer,
            agents,
            links: TtlCache::new(settings.max_cached_links),
            watch: watch::ChangeWatch::default(),
            programs: TtlCache::new(1_000),
            visitors: RepeatVisitors::new(settings.max_remembered_visitors),
            buffer,
            settings,
        }
    }

    /// Answers a short-link request; sends the buffered clicks first when they are due.
    pub async fn visit(&self, visit: &Visit<'_>) -> RedirectResponse {
        let response = self.respond(visit).await;
        if self.buffer.is_due(self.clock.now()) {
            let _ = self.flush(false).await;
        }
        response
    }

    /// Sends the closed batches and the open one if it is old; with `everything`, the open
    /// one regardless (shutdown). Returns the number of clicks sent.
    pub async fn flush(&self, everything: bool) -> Result<usize, QueueError> {
        let batches = self.buffer.take(self.clock.now(), everything);
        send_batches(&self.buffer, self.queue.as_ref(), batches).await
    }

    /// Clicks recorded and not yet sent.
    pub fn pending_clicks(&self) -> usize {
        self.buffer.pending_clicks()
    }

    async fn respond(&self, visit: &Visit<'_>) -> RedirectResponse {
        let now = self.clock.now();
        let not_found = || RedirectResponse::page(404, pages::NOT_FOUND, visit.head);
        let Some(key) = lookup_key(visit.path) else {
            return not_found();
        };
        let domain = host_name(visit.domain);
        let target = match self.target(&domain, &key, now).await {
            Ok(Some(target)) => target,
            Ok(None) => return not_found(),
            Err(()) => return RedirectResponse::page(503, pages::UNAVAILABLE, visit.head),
        };
        let agent = self.agents.classify(visit.user_agent);
        let country = country_code(visit.country);
        let (destination, permanent) =
            match decide(&target, now, agent.platform, country.as_deref()) {
                Decision::NotFound => return not_found(),
                Decision::Expired(Some(to)) => {
                    return RedirectResponse::to(302, to.as_str().to_owned());
                }
                Decision::Expired(None) => {
                    return RedirectResponse::page(410, pages::EXPIRED, visit.head);
                }
                Decision::Redirect {
                    destination,
                    permanent,
                } => (destination, permanent),
            };
        let status = if permanent { 301 } else { 302 };
        let via = target.partner_id.as_ref().map(|_| target.key.as_str());
        let is_bot = visit.head || agent.is_bot || has_param(visit.query, "bot");
        if is_bot {
            let extras = Extras {
                incoming: visit.query,
                via,
                click: None,
            };
            return RedirectResponse::to(status, destination_url(destination, &extras));
        }
        let program = self.program_clicks(&target.program_id, now).await;
        let cookie_name = format!("{COOKIE_PREFIX}{}", target.link_id);
        let (click_id, set_cookie) = match self.returning_click(visit, &cookie_name, &target, now) {
            Some(id) => (id, false),
            None => {
                let visitor =
                    visitor_key(target.link_id.as_str(), visit.client_ip, visit.user_agent);
                match self.visitors.repeat(visitor, now) {
                    Some(id) => (id, true),
                    None => match self.count_click(&target, &agent, country, visit, now) {
                        Some(id) => {
                            let until = now + self.settings.repeat_window;
                            self.visitors.remember(visitor, id.clone(), until, now);
                            (id, true)
                        }
                        None => {
                            let extras = Extras {
                                incoming: visit.query,
                                via,
                                click: None,
                            };
                            return RedirectResponse::to(
                                status,
                                destination_url(destination, &extras),
                            );
                        }
                    },
                }
            }
        };
        let extras = Extras {
            incoming: visit.query,
            via,
            click: Some((&program.param, click_id.as_str())),
        };
        let mut response = RedirectResponse::to(status, destination_url(destination, &extras));
        if set_cookie {
            response.set_cookie = Some(self.cookie(&cookie_name, &click_id, &program));
        }
        response
    }

    /// The link at `domain`/`key`: cached, else one read. On a read failure a stale cached
    /// target is served; with none, `Err`.
    async fn target(
        &self,
        domain: &str,
        key: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Arc<RedirectTarget>>, ()> {
        self.read_change_notes(domain, now).await;
        let cache_key = format!("{domain}/{key}");
        let ttl = self.settings.link_ttl;
        if let Some((cached, read_at)) = self.links.get(&cache_key, now)
            && (now - read_at < ttl
                || (cached.is_some() && self.watch.covers(domain, read_at, now, ttl)))
        {
            return Ok(cached);
        }
        match repo::find_target(self.store.as_ref(), domain, key).await {
            Ok(found) => {
                let keep = if found.is_some() {
                    self.settings.link_max_age
                } else {
                    self.settings.missing_ttl
                };
                let found = found.map(Arc::new);
                self.links
                    .insert(cache_key, (found.clone(), now), now + keep, now);
                Ok(found)
            }
            Err(error) => {
                tracing::warn!(%error, "link read failed");
                self.links
                    .get_stale(&cache_key)
                    .map(|(target, _)| target)
                    .ok_or(())
            }
        }
    }

    /// Reads the domain's change notes when due and forgets the cached links they name; a
    /// failed read leaves the cache trusted for `link_ttl` only (see `watch`).
    async fn read_change_notes(&self, domain: &str, now: OffsetDateTime) {
        let Some(since) = self.watch.due(domain, now, self.settings.link_ttl) else {
            return;
        };
        let since_ms = (since.unix_timestamp_nanos() / 1_000_000) as i64;
        match repo::changes_since(self.store.as_ref(), domain, since_ms).await {
            Ok(changes) => {
                for change in changes {
                    match change {
                        repo::LinkChange::Key(key) => self.links.remove(&format!("{domain}/{key}")),
                        repo::LinkChange::Partner(partner) => {
                            let prefix = format!("{domain}/");
                            self.links.forget_where(|key, (target, _)| {
                                key.starts_with(&prefix)
                                    && target.as_ref().is_some_and(|target| {
                                        target.partner_id.as_ref() == Some(&partner)
                                    })
                            });
                        }
                    }
                }
                self.watch.read(domain, now);
            }
            Err(error) => tracing::warn!(%error, "link change notes not read"),
        }
    }

    async fn program_clicks(&self, program: &ProgramId, now: OffsetDateTime) -> ProgramClicks {
        if let Some(cached) = self.programs.get(program, now) {
            return cached;
        }
        let read = programs::find_program(self.store.as_ref(), program).await;
        let settings = match read {
            Ok(Some(found)) => found.settings,
            Ok(None) => Default::default(),
            Err(error) => {
                tracing::warn!(%error, "program read failed");
                if let Some(stale) = self.programs.get_stale(program) {
                    return stale;
                }
                Default::default()
            }
        };
        let clicks = ProgramClicks {
            param: settings.click_id_param.into(),
            cookie_max_age: i64::from(settings.attribution_window_days) * 86_400,
        };
        self.programs.insert(
            program.clone(),
            clicks.clone(),
            now + self.settings.program_ttl,
            now,
        );
        clicks
    }

    /// The click id of the visitor's cookie for this link, when it is ours, for this link,
    /// and from within the repeat window.
    fn returning_click(
        &self,
        visit: &Visit<'_>,
        cookie_name: &str,
        target: &RedirectTarget,
        now: OffsetDateTime,
    ) -> Option<ClickId> {
        let value = cookie_value(visit.cookies?, cookie_name)?;
        let claims = self.signer.verify(value).ok()?;
        let age = now - claims.clicked_at;
        (claims.link_id == target.link_id
            && age < self.settings.repeat_window
            && age > -Duration::minutes(1))
        .then(|| ClickId::parse(value).ok())
        .flatten()
    }

    /// Issues a click id and buffers the click; `None` when no id can be issued for the link.
    fn count_click(
        &self,
        target: &RedirectTarget,
        agent: &super::agent::Agent,
        country: Option<String>,
        visit: &Visit<'_>,
        now: OffsetDateTime,
    ) -> Option<ClickId> {
        let new = NewClick {
            link_id: &target.link_id,
            partner_id: target.partner_id.as_ref(),
            program_id: &target.program_id,
            country,
            agent,
            referer: visit.referer.and_then(referer_domain),
            qr: param_value(visit.query, "qr").is_some_and(|v| v == "1" || v == "true"),
            at: now,
        };
        let (id, click) = match record_click(&self.signer, self.random.as_ref(), new) {
            Ok(recorded) => recorded,
            Err(error) => {
                tracing::warn!(%error, link_id = %target.link_id, "no click id for this link");
                return None;
            }
        };
        self.buffer.push(&click, now, self.ids.as_ref());
        Some(id)
    }

    fn cookie(&self, name: &str, id: &ClickId, program: &ProgramClicks) -> String {
        let secure = if self.settings.secure_cookie {
            "; Secure"
        } else {
            ""
        };
        format!(
            "{name}={id}; Max-Age={}; Path=/; HttpOnly; SameSite=Lax{secure}",
            program.cookie_max_age
        )
    }
}

/// The host without its port, lower-cased.
fn host_name(host: &str) -> String {
    let host = host.trim();
    let without_port = match host.rsplit_once(':') {
        Some((name, port)) if !name.ends_with(']') && port.bytes().all(|b| b.is_ascii_digit()) => {
            name
        }
        _ => host,
    };
    without_port.trim_end_matches('.').to_ascii_lowercase()
}

/// A two-letter country code, upper-cased; CloudFront sends `XX` when it does not know.
pub fn country_code(raw: Option<&str>) -> Option<String> {
    let code = raw?.trim();
    (code.len() == 2
        && code.bytes().all(|b| b.is_ascii_alphabetic())
        && !code.eq_ignore_ascii_case("xx"))
    .then(|| code.to_ascii_uppercase())
}

/// The host of a referer URL.
pub fn referer_domain(referer: &str) -> Option<String> {
    url::Url::parse(referer)
        .ok()?
        .host_str()
        .map(|host| host.trim_start_matches("www.").to_owned())
}

fn param_value<'a>(query: Option<&'a str>, name: &str) -> Option<std::borrow::Cow<'a, str>> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(n, _)| n == name)
        .map(|(_, value)| value)
}

fn has_param(query: Option<&str>, name: &str) -> bool {
    param_value(query, name).is_some()
}

/// The value of cookie `name` in a `Cookie` header.
fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (n, v) = pair.trim().split_once('=')?;
        (n == name).then_some(v.trim_matches('"'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_lose_their_port_and_case() {
        assert_eq!(host_name("Go.Acme.com:3000"), "go.acme.com");
        assert_eq!(host_name("go.acme.com."), "go.acme.com");
    }

    #[test]
    fn countries_referers_and_cookies_parse() {
        assert_eq!(country_code(Some("de")).as_deref(), Some("DE"));
        assert_eq!(country_code(Some("XX")), None);
        assert_eq!(country_code(Some("DEU")), None);
        assert_eq!(
            referer_domain("https://www.twitter.com/x?y").as_deref(),
            Some("twitter.com")
        );
        assert_eq!(referer_domain("not a url"), None);
        assert_eq!(
            cookie_value("a=1; pl_click_link_1=clk_x; b=2", "pl_click_link_1"),
            Some("clk_x")
        );
        assert_eq!(cookie_value("a=1", "pl_click_link_1"), None);
    }
}
