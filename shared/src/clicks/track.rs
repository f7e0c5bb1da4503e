//! Client-side click tracking: Dub's `POST /track/click {domain, key, url?, referrer?}` (how
//! `?via=` links on a merchant's own site are counted) and StackBE's
//! `POST /v1/affiliate/track {code, url}`. Each records one click, sent to the click queue as a
//! batch of one, and answers with the click id (and, for Dub, the partner and its discount).
//!
//! Who may call: Dub's rule. A key of the link's program with `clicks.track` (a publishable
//! key; `conversions.write` grants it), or, without a key, a page whose `Origin` (else
//! `Referer`) host is one of the program's `allowedHostnames`.

use super::redirect::{RepeatVisitors, country_code, referer_domain, visitor_key};
use crate::auth::{Principal, Scope};
use crate::clicks::AgentParser;
use crate::clicks::record::NewClick;
use crate::clicks::{ClickBatch, ClickIdSigner};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::groups;
use crate::links::key::LinkKey;
use crate::links::repo;
use crate::model::{Discount, Link, Partner};
use crate::partners;
use crate::programs;
use crate::programs::caller_program_id;
use crate::queue::{MessageQueue, OutgoingMessage, send_all};
use crate::types::{ClickId, GroupId, PartnerId, ReferralCode};
use std::sync::Arc;
use time::Duration;

/// A visitor's repeat calls within this window get the same click id and count once.
const REPEAT_WINDOW: Duration = Duration::hours(1);

/// What client-side tracking runs with, beside the [`AppContext`].
pub struct TrackServices {
    pub signer: Arc<ClickIdSigner>,
    pub clicks: Arc<dyn MessageQueue>,
    pub agents: AgentParser,
    pub visitors: RepeatVisitors,
}

impl TrackServices {
    pub fn new(signer: Arc<ClickIdSigner>, clicks: Arc<dyn MessageQueue>) -> Self {
        Self {
            signer,
            clicks,
            agents: AgentParser::new(),
            visitors: RepeatVisitors::new(100_000),
        }
    }
}

/// The caller, as the HTTP edge saw it.
pub struct Caller<'a> {
    /// Set when the request carried a credential (it was authenticated).
    pub principal: Option<Principal>,
    /// The host of `Origin`, else of `Referer`.
    pub page_host: Option<&'a str>,
    pub user_agent: &'a str,
    pub client_ip: &'a str,
    pub country: Option<&'a str>,
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrackClick {
    pub domain: String,
    pub key: String,
    /// The page the visitor landed on.
    pub url: Option<String>,
    pub referrer: Option<String>,
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrackReferral {
    pub code: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerSummary {
    pub id: PartnerId,
    pub name: String,
    pub image: Option<String>,
    pub group_id: GroupId,
    pub tenant_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrackedClick {
    pub click_id: ClickId,
    pub partner: Option<PartnerSummary>,
    pub discount: Option<Discount>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrackedReferral {
    pub tracked: bool,
    pub click_id: ClickId,
    pub partner_id: PartnerId,
    pub code: String,
}

fn host_allowed(allowed: &[String], host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    allowed.iter().any(|entry| match entry.strip_prefix("*.") {
        Some(parent) => host == parent || host.ends_with(&format!(".{parent}")),
        None => *entry == host,
    })
}

fn link_not_found() -> DomainError {
    DomainError::not_found("Link")
}

/// `POST /track/click`.
pub async fn track_click(
    ctx: &AppContext,
    services: &TrackServices,
    caller: Caller<'_>,
    request: TrackClick,
) -> Result<TrackedClick, DomainError> {
    let key = LinkKey::parse(&request.key).map_err(|_| link_not_found())?;
    let domain = request.domain.trim().to_ascii_lowercase();
    let link = repo::find_by_key(ctx.store.as_ref(), &domain, key.as_str())
        .await?
        .map(|stored| stored.link)
        .filter(|link| !link.disabled)
        .ok_or_else(link_not_found)?;
    match &caller.principal {
        Some(principal) => principal
            .authorize(&link.program_id, Scope::ClicksTrack)
            .map_err(|denied| DomainError::denied(denied, "Link"))?,
        None => {
            let program = programs::find_program(ctx.store.as_ref(), &link.program_id)
                .await?
                .ok_or_else(link_not_found)?;
            let allowed = caller
                .page_host
                .is_some_and(|host| host_allowed(&program.settings.allowed_hostnames, host));
            if !allowed {
                return Err(DomainError::Forbidden(
                    "Send a publishable key (`clicks.track`), or call from one of the program's allowed hostnames.".into(),
                ));
            }
        }
    }
    let click_id = record_click(ctx, services, &caller, &link, request.referrer.as_deref()).await?;
    let partner = match &link.partner_id {
        Some(id) => partners::find_partner(ctx.store.as_ref(), &link.program_id, id).await?,
        None => None,
    };
    let discount = match &partner {
        Some(partner) => {
            groups::find_group(ctx.store.as_ref(), &link.program_id, &partner.group_id)
                .await?
                .and_then(|group| group.discount)
        }
        None => None,
    };
    Ok(TrackedClick {
        click_id,
        partner: partner.as_ref().map(summary),
        discount,
    })
}

/// `POST /v1/affiliate/track`: a click on the partner's default link, by referral code.
pub async fn track_referral(
    ctx: &AppContext,
    services: &TrackServices,
    caller: Caller<'_>,
    request: TrackReferral,
) -> Result<TrackedReferral, DomainError> {
    let principal = caller
        .principal
        .as_ref()
        .ok_or(DomainError::Unauthenticated(
            crate::auth::AuthError::Missing,
        ))?;
    let program = caller_program_id(principal, Scope::ClicksTrack)?;
    let not_found = || DomainError::not_found("Referral code");
    let code = ReferralCode::parse(&request.code).map_err(|_| not_found())?;
    let partner = partners::find_by_referral_code(ctx.store.as_ref(), &program, &code)
        .await?
        .ok_or_else(not_found)?;
    let link_id = partner.default_link_id.as_ref().ok_or_else(not_found)?;
    let link = repo::find(ctx.store.as_ref(), &program, link_id)
        .await?
        .map(|stored| stored.link)
        .filter(|link| !link.disabled)
        .ok_or_else(not_found)?;
    let click_id = record_click(ctx, services, &caller, &link, None).await?;
    Ok(TrackedReferral {
        tracked: true,
        click_id,
        code: partner.referral_code.unwrap_or(code).to_string(),
        partner_id: partner.id,
    })
}

fn summary(partner: &Partner) -> PartnerSummary {
    PartnerSummary {
        id: partner.id.clone(),
        name: partner.name.clone(),
        image: None,
        group_id: partner.group_id.clone(),
        tenant_id: partner.tenant_id.clone(),
    }
}

/// Issues a click id and sends the click (a batch of one); a repeat by the same visitor within
/// the hour gets the same id and is not sent again.
async fn record_click(
    ctx: &AppContext,
    services: &TrackServices,
    caller: &Caller<'_>,
    link: &Link,
    referrer: Option<&str>,
) -> Result<ClickId, DomainError> {
    let now = ctx.clock.now();
    let visitor = visitor_key(link.id.as_str(), caller.client_ip, caller.user_agent);
    if let Some(id) = services.visitors.repeat(visitor, now) {
        return Ok(id);
    }
    let agent = services.agents.classify(caller.user_agent);
    let new = NewClick {
        link_id: &link.id,
        partner_id: link.partner_id.as_ref(),
        program_id: &link.program_id,
        country: country_code(caller.country),
        agent: &agent,
        referer: referrer.and_then(referer_domain),
        qr: false,
        at: now,
    };
    let (id, click) = super::record::record_click(&services.signer, ctx.random.as_ref(), new)
        .map_err(|e| DomainError::Unprocessable(e.to_string()))?;
    let batch = ClickBatch {
        batch_id: format!("cb_{}", ctx.ids.next_id()),
        clicks: vec![click],
    };
    send_all(
        services.clicks.as_ref(),
        &[OutgoingMessage::new("click", batch.to_body())],
    )
    .await?;
    services
        .visitors
        .remember(visitor, id.clone(), now + REPEAT_WINDOW, now);
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::programs::settings::parse_allowed_hostnames;

    #[test]
    fn allowed_hostnames_match_exactly_or_by_wildcard() {
        let allowed = parse_allowed_hostnames(&["Acme.com".into(), "*.shop.io".into()]).unwrap();
        assert!(host_allowed(&allowed, "acme.com"));
        assert!(!host_allowed(&allowed, "www.acme.com"));
        assert!(host_allowed(&allowed, "eu.shop.io"));
        assert!(host_allowed(&allowed, "shop.io"));
        assert!(!host_allowed(&allowed, "evilshop.io"));
        assert!(parse_allowed_hostnames(&["https://acme.com".into()]).is_err());
    }
}
