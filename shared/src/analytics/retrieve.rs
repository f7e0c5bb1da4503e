//! The analytics use cases: who the figures are about, which day items that needs, and the
//! sums (`answer`).
//!
//! Reads: a scope's days are one batch read (one key per UTC day of the window); the tops read
//! one query per day of the program's partition. Both are bounded by the window, not by the
//! program's size, except the tops, which read the day's active links or partners.

use super::answer;
use super::bucket::{DayBucket, Metric, Scope, bucket_key};
use super::query::{AnalyticsQuery, Event, GroupBy, Subject};
use super::tops::{TopKind, TopsCache};
use super::window::Window;
use crate::auth::{Principal, Scope as AuthScope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::layout;
use crate::links::repo as links;
use crate::model::AnalyticsAnswer;
use crate::model::{Link, Partner, Program};
use crate::partners;
use crate::programs::caller_program;
use crate::store::{ItemStore, StoreError};
use crate::types::{LinkId, PartnerId};
use std::collections::HashMap;

/// The most rows of `top_links`, `top_partners` and `referers`.
pub const MAX_TOP_ROWS: usize = 100;

/// Who the figures are about.
pub(super) enum Target {
    Program,
    Partner(Partner),
    Link(Link),
}

/// What rows are ordered by: the event's count (`sales` by their amount, as Dub does).
fn order_of(event: Event) -> Metric {
    match event {
        Event::Clicks | Event::Composite => Metric::Clicks,
        Event::Leads => Metric::Leads,
        Event::Sales => Metric::SaleAmount,
    }
}

/// `GET /analytics` (and, with `parse_partner`'s query, `GET /partners/analytics`).
pub async fn retrieve_analytics(
    ctx: &AppContext,
    principal: &Principal,
    query: &AnalyticsQuery,
) -> Result<AnalyticsAnswer, DomainError> {
    let program = caller_program(ctx, principal, AuthScope::AnalyticsRead).await?;
    answer(ctx, &program, query).await
}

/// A partner's own figures, for its session (`GET /v1/affiliate/analytics`; the partner and
/// program of `portal::authenticate_partner`): the query may name the partner itself or one of
/// its links, nobody else (403).
pub async fn session_analytics(
    ctx: &AppContext,
    own: &Partner,
    program: &Program,
    query: &AnalyticsQuery,
) -> Result<AnalyticsAnswer, DomainError> {
    let names_other = query
        .subject
        .partner_id
        .as_ref()
        .is_some_and(|id| id != own.id.as_str())
        || query
            .subject
            .tenant_id
            .as_ref()
            .is_some_and(|tenant| own.tenant_id.as_ref() != Some(tenant));
    if names_other {
        return Err(DomainError::Forbidden(
            "A partner session reads its own partner's figures only.".into(),
        ));
    }
    let query = AnalyticsQuery {
        subject: Subject {
            partner_id: Some(own.id.to_string()),
            tenant_id: None,
            ..query.subject.clone()
        },
        ..query.clone()
    };
    answer(ctx, program, &query).await
}

async fn answer(
    ctx: &AppContext,
    program: &Program,
    query: &AnalyticsQuery,
) -> Result<AnalyticsAnswer, DomainError> {
    let window = Window::resolve(query, ctx.clock.now(), program.created_at)?;
    let target = target(ctx.store.as_ref(), program, &query.subject).await?;
    let filter = query.filter.as_ref();
    let order = order_of(query.event);
    let store = ctx.store.as_ref();
    Ok(match query.group_by {
        GroupBy::Count => {
            let buckets = target_days(store, program, &target, &window).await?;
            AnalyticsAnswer::Count(answer::count(&buckets, &window, filter))
        }
        GroupBy::Timeseries => {
            let buckets = target_days(store, program, &target, &window).await?;
            AnalyticsAnswer::Timeseries(answer::timeseries(&buckets, &window, filter))
        }
        GroupBy::Dimension(dimension) => {
            if filter.is_some_and(|f| f.dimension != dimension) {
                return Err(DomainError::Unprocessable(format!(
                    "A breakdown by {} takes a filter on the same dimension only: the counters keep each dimension apart.",
                    dimension.name()
                )));
            }
            let buckets = target_days(store, program, &target, &window).await?;
            let mut rows = answer::by_dimension(&buckets, dimension, filter, order);
            rows.truncate(MAX_TOP_ROWS);
            AnalyticsAnswer::Dimension(dimension, rows)
        }
        GroupBy::TopLinks | GroupBy::TopPartners if filter.is_some() => {
            return Err(DomainError::Unprocessable(
                "`top_links` and `top_partners` cannot be filtered by a dimension: the counters keep links and partners by hour, not by dimension.".into(),
            ));
        }
        GroupBy::TopLinks => top_links(ctx, program, target, &window, order).await?,
        GroupBy::TopPartners => top_partners(ctx, program, target, &window, order).await?,
    })
}

/// The link or partner the query names (404 for another program's), else the program.
pub(super) async fn target(
    store: &dyn ItemStore,
    program: &Program,
    subject: &Subject,
) -> Result<Target, DomainError> {
    let partner = match (&subject.partner_id, &subject.tenant_id) {
        (Some(id), _) => {
            let id = PartnerId::parse(id).map_err(|_| DomainError::not_found("Partner"))?;
            Some(partners::find_partner(store, &program.id, &id).await?)
        }
        (None, Some(tenant)) => Some(partners::find_by_tenant(store, &program.id, tenant).await?),
        (None, None) => None,
    };
    let partner = match partner {
        Some(None) => return Err(DomainError::not_found("Partner")),
        Some(Some(partner)) => Some(partner),
        None => None,
    };
    if let Some(link) = named_link(store, program, subject).await? {
        if partner
            .as_ref()
            .is_some_and(|p| link.partner_id.as_ref() != Some(&p.id))
        {
            return Err(DomainError::not_found("Link"));
        }
        return Ok(Target::Link(link));
    }
    if let Some(domain) = &subject.domain
        && !domain.eq_ignore_ascii_case(&program.domain)
    {
        return Err(DomainError::not_found("Domain"));
    }
    Ok(partner.map_or(Target::Program, Target::Partner))
}

/// The link named by `linkId`, `externalId` or `domain` and `key`, if any is given.
async fn named_link(
    store: &dyn ItemStore,
    program: &Program,
    subject: &Subject,
) -> Result<Option<Link>, DomainError> {
    let found = if let Some(id) = &subject.link_id {
        let id = LinkId::parse(id).map_err(|_| DomainError::not_found("Link"))?;
        links::find(store, &program.id, &id).await?
    } else if let Some(external) = &subject.external_id {
        let external = external.strip_prefix("ext_").unwrap_or(external);
        links::find_by_external_id(store, &program.id, external).await?
    } else if let (Some(domain), Some(key)) = (&subject.domain, &subject.key) {
        links::find_by_key(store, &domain.to_ascii_lowercase(), key)
            .await?
            .filter(|stored| stored.link.program_id == program.id)
    } else {
        return Ok(None);
    };
    found
        .map(|stored| Some(stored.link))
        .ok_or_else(|| DomainError::not_found("Link"))
}

/// The day items that make up the target's figures: the program's or the link's own; a
/// partner's are its links' items that name it, and its own item (what came without a link).
async fn target_days(
    store: &dyn ItemStore,
    program: &Program,
    target: &Target,
    window: &Window,
) -> Result<Vec<DayBucket>, DomainError> {
    Ok(match target {
        Target::Program => scope_days(store, program, &[Scope::Program], window).await?,
        Target::Link(link) => {
            scope_days(store, program, &[Scope::Link(link.id.clone())], window).await?
        }
        Target::Partner(partner) => partner_days(store, program, partner, window).await?.0,
    })
}

/// A partner's day items (its links' and its own) and its links.
async fn partner_days(
    store: &dyn ItemStore,
    program: &Program,
    partner: &Partner,
    window: &Window,
) -> Result<(Vec<DayBucket>, Vec<Link>), DomainError> {
    let owned: Vec<Link> = links::all_for_partner(store, &program.id, &partner.id)
        .await?
        .into_iter()
        .map(|stored| stored.link)
        .collect();
    let mut scopes: Vec<Scope> = owned.iter().map(|l| Scope::Link(l.id.clone())).collect();
    scopes.push(Scope::Partner(partner.id.clone()));
    let buckets = scope_days(store, program, &scopes, window)
        .await?
        .into_iter()
        .filter(|bucket| match &bucket.scope {
            // Days counted while the link was another partner's are that partner's.
            Scope::Link(_) => bucket.counts.partner.as_ref() == Some(&partner.id),
            _ => true,
        })
        .collect();
    Ok((buckets, owned))
}

/// The day items of some scopes over the window's UTC days: one batch read.
async fn scope_days(
    store: &dyn ItemStore,
    program: &Program,
    scopes: &[Scope],
    window: &Window,
) -> Result<Vec<DayBucket>, StoreError> {
    let days = window.days();
    let keys = scopes
        .iter()
        .flat_map(|scope| days.iter().map(|day| bucket_key(&program.id, *day, scope)))
        .collect();
    Ok(store
        .batch_get(keys)
        .await?
        .iter()
        .filter_map(DayBucket::of_item)
        .collect())
}

async fn top_links(
    ctx: &AppContext,
    program: &Program,
    target: Target,
    window: &Window,
    order: Metric,
) -> Result<AnalyticsAnswer, DomainError> {
    let store = ctx.store.as_ref();
    let (ranked, known) = match target {
        Target::Program => {
            let sums = ctx
                .kept
                .get::<TopsCache>()
                .figures(store, &program.id, window, TopKind::Links)
                .await?;
            (answer::rank(sums, order, MAX_TOP_ROWS), Vec::new())
        }
        Target::Partner(partner) => {
            let (buckets, owned) = partner_days(store, program, &partner, window).await?;
            (answer::tops(&buckets, window, order, MAX_TOP_ROWS), owned)
        }
        Target::Link(link) => {
            let scopes = [Scope::Link(link.id.clone())];
            let buckets = scope_days(store, program, &scopes, window).await?;
            (
                answer::tops(&buckets, window, order, MAX_TOP_ROWS),
                vec![link],
            )
        }
    };
    let mut by_id: HashMap<LinkId, Link> = known.into_iter().map(|l| (l.id.clone(), l)).collect();
    let missing: Vec<LinkId> = ranked
        .iter()
        .filter_map(|(scope, _)| match scope {
            Scope::Link(id) if !by_id.contains_key(id) => Some(id.clone()),
            _ => None,
        })
        .collect();
    for item in store
        .batch_get(missing.iter().map(layout::link).collect())
        .await?
    {
        if let Ok(stored) = links::link_of(&item)
            && stored.link.program_id == program.id
        {
            by_id.insert(stored.link.id.clone(), stored.link);
        }
    }
    // A deleted link keeps its figures in the totals but has no row; a partner's own item
    // (what came without a link) is no link either.
    Ok(AnalyticsAnswer::TopLinks(
        ranked
            .into_iter()
            .filter_map(|(scope, figures)| match scope {
                Scope::Link(id) => by_id.remove(&id).map(|link| (link, figures)),
                _ => None,
            })
            .collect(),
    ))
}

/// Link items as their partner's: a partner's rows are the sum of its links' and its own.
fn as_partners(buckets: Vec<DayBucket>) -> Vec<DayBucket> {
    buckets
        .into_iter()
        .filter_map(|mut bucket| {
            if let Scope::Link(_) = bucket.scope {
                bucket.scope = Scope::Partner(bucket.counts.partner.clone()?);
            }
            Some(bucket)
        })
        .collect()
}

async fn top_partners(
    ctx: &AppContext,
    program: &Program,
    target: Target,
    window: &Window,
    order: Metric,
) -> Result<AnalyticsAnswer, DomainError> {
    let store = ctx.store.as_ref();
    let ranked = match &target {
        Target::Program => {
            let sums = ctx
                .kept
                .get::<TopsCache>()
                .figures(store, &program.id, window, TopKind::Partners)
                .await?;
            answer::rank(sums, order, MAX_TOP_ROWS)
        }
        Target::Partner(partner) => {
            let buckets = partner_days(store, program, partner, window).await?.0;
            answer::tops(&as_partners(buckets), window, order, MAX_TOP_ROWS)
        }
        Target::Link(link) => {
            let scopes = [Scope::Link(link.id.clone())];
            let buckets = scope_days(store, program, &scopes, window).await?;
            answer::tops(&as_partners(buckets), window, order, MAX_TOP_ROWS)
        }
    };
    let keys = ranked
        .iter()
        .filter_map(|(scope, _)| match scope {
            Scope::Partner(id) => Some(layout::partner(id)),
            _ => None,
        })
        .collect();
    let mut by_id: HashMap<PartnerId, Partner> = HashMap::new();
    for item in store.batch_get(keys).await? {
        if let Ok(partner) = partners::partner_of(&item)
            && partner.program_id == program.id
        {
            by_id.insert(partner.id.clone(), partner);
        }
    }
    Ok(AnalyticsAnswer::TopPartners(
        ranked
            .into_iter()
            .filter_map(|(scope, figures)| match scope {
                Scope::Partner(id) => by_id.remove(&id).map(|p| (p, figures)),
                _ => None,
            })
            .collect(),
    ))
}
