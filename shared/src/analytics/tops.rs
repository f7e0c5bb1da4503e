//! `top_links` and `top_partners` of a whole program, from a per-process cache of each day's
//! figures per link or partner.
//!
//! A program's top over 30 days reads every link active on each of those days: 90,000 items
//! for 10,000 partners active one day in three, about 1.8 s in process. But a day's items only
//! ever grow, and every change to a day also adds to the program's own item of that day (every
//! click, lead and sale counts there). So the program's day totals are the day's fingerprint:
//! a call reads the window's program items (one batch read), and reads a day's partition again
//! only when its fingerprint changed since the cached copy (today, or a day a late batch
//! reached). The cache holds, per scope, the day's total and its non-empty hours (for the
//! window's partial first and last days).

use super::bucket::{DayBucket, LINK_SK_PREFIX, Metric, PARTNER_SK_PREFIX, Scope, bucket_key};
use super::window::Window;
use crate::layout;
use crate::model::Figures;
use crate::store::{ItemStore, Query, RangeCondition, StoreError};
use crate::types::ProgramId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::{Date, Duration};

/// Cached days, across programs, before the cache is emptied.
const MAX_CACHED_DAYS: usize = 1_000;

/// Which items of a day a top ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TopKind {
    Links,
    /// Links by the partner they name, and partners' own items.
    Partners,
}

/// One scope's figures on one day.
#[derive(Debug, Clone)]
struct ScopeDay {
    total: Figures,
    hours: Vec<(u8, Figures)>,
}

/// A day's figures per scope, and the program totals they were read at.
#[derive(Debug)]
struct CachedDay {
    fingerprint: Figures,
    scopes: HashMap<Scope, ScopeDay>,
}

/// The per-process cache (one per `AppContext`).
#[derive(Debug, Default)]
pub struct TopsCache {
    days: Mutex<HashMap<(ProgramId, Date, TopKind), Arc<CachedDay>>>,
}

fn figures_of(
    hours: &std::collections::BTreeMap<(Metric, u8), i64>,
) -> (Figures, Vec<(u8, Figures)>) {
    let mut total = Figures::default();
    let mut by_hour: std::collections::BTreeMap<u8, Figures> = std::collections::BTreeMap::new();
    for (&(metric, hour), &count) in hours {
        total.add(metric, count);
        by_hour.entry(hour).or_default().add(metric, count);
    }
    (total, by_hour.into_iter().collect())
}

impl TopsCache {
    /// Each scope's figures over the window, whatever their order.
    pub async fn figures(
        &self,
        store: &dyn ItemStore,
        program: &ProgramId,
        window: &Window,
        kind: TopKind,
    ) -> Result<HashMap<Scope, Figures>, StoreError> {
        let days = window.days();
        let fingerprints = fingerprints(store, program, &days).await?;
        let mut sums: HashMap<Scope, Figures> = HashMap::new();
        for day in days {
            let fingerprint = fingerprints.get(&day).copied().unwrap_or_default();
            if fingerprint == Figures::default() {
                continue; // nothing happened that day
            }
            let cached = self.day(store, program, day, kind, fingerprint).await?;
            let start = day.midnight().assume_utc();
            let whole = start >= window.start && start + Duration::DAY <= window.end;
            for (scope, figures) in &cached.scopes {
                let sum = sums.entry(scope.clone()).or_default();
                if whole {
                    sum.merge(&figures.total);
                } else {
                    for (hour, hourly) in &figures.hours {
                        if window.contains_hour(start + Duration::hours(i64::from(*hour))) {
                            sum.merge(hourly);
                        }
                    }
                }
            }
        }
        Ok(sums)
    }

    /// A day's figures per scope, from the cache while the day's fingerprint holds.
    async fn day(
        &self,
        store: &dyn ItemStore,
        program: &ProgramId,
        day: Date,
        kind: TopKind,
        fingerprint: Figures,
    ) -> Result<Arc<CachedDay>, StoreError> {
        let key = (program.clone(), day, kind);
        if let Some(cached) = self.days.lock().expect("tops cache").get(&key)
            && cached.fingerprint == fingerprint
        {
            return Ok(cached.clone());
        }
        let prefixes: &[&str] = match kind {
            TopKind::Links => &[LINK_SK_PREFIX],
            TopKind::Partners => &[LINK_SK_PREFIX, PARTNER_SK_PREFIX],
        };
        let mut scopes: HashMap<Scope, ScopeDay> = HashMap::new();
        for prefix in prefixes {
            for bucket in partition(store, program, day, prefix).await? {
                let scope = match (kind, bucket.scope) {
                    (TopKind::Partners, Scope::Link(_)) => match bucket.counts.partner {
                        Some(partner) => Scope::Partner(partner),
                        None => continue,
                    },
                    (_, scope) => scope,
                };
                let (total, hours) = figures_of(&bucket.counts.hourly);
                let entry = scopes.entry(scope).or_insert_with(|| ScopeDay {
                    total: Figures::default(),
                    hours: Vec::new(),
                });
                entry.total.merge(&total);
                entry.hours.extend(hours);
            }
        }
        let cached = Arc::new(CachedDay {
            fingerprint,
            scopes,
        });
        let mut days = self.days.lock().expect("tops cache");
        if days.len() >= MAX_CACHED_DAYS {
            days.clear();
        }
        days.insert(key, cached.clone());
        Ok(cached)
    }
}

/// The program's totals of each day: one batch read.
async fn fingerprints(
    store: &dyn ItemStore,
    program: &ProgramId,
    days: &[Date],
) -> Result<HashMap<Date, Figures>, StoreError> {
    let keys = days
        .iter()
        .map(|day| bucket_key(program, *day, &Scope::Program))
        .collect();
    Ok(store
        .batch_get(keys)
        .await?
        .iter()
        .filter_map(DayBucket::hours_of_item)
        .map(|bucket| (bucket.day, figures_of(&bucket.counts.hourly).0))
        .collect())
}

/// Every item of one kind (`prefix`) in the program's partition of one day.
pub(super) async fn partition(
    store: &dyn ItemStore,
    program: &ProgramId,
    day: Date,
    prefix: &str,
) -> Result<Vec<DayBucket>, StoreError> {
    let mut buckets = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .query(
                Query::table(layout::analytics_day_pk(program, day))
                    .range(RangeCondition::BeginsWith(prefix.to_owned()))
                    .cursor(cursor),
            )
            .await?;
        buckets.extend(page.items.iter().filter_map(DayBucket::hours_of_item));
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(buckets),
        }
    }
}
