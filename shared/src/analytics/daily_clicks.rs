//! A partner's clicks per UTC day, for the dashboard's "clicks by day" chart: read from the
//! analytics day items of the partner's links (`analytics::bucket`), in one batch read.

use super::bucket::{DayBucket, Metric, Scope, bucket_key};
use crate::store::{ItemStore, StoreError};
use crate::types::{LinkId, PartnerId, ProgramId};
use std::collections::BTreeMap;
use time::{Date, Duration};

/// The longest range [`clicks_by_day`] answers.
pub const MAX_DAYS: i64 = 366;

/// One day of a partner's clicks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DailyClicks {
    pub day: Date,
    pub clicks: i64,
}

/// A partner's clicks on every day from `from` to `to` (inclusive), zero for days without
/// clicks; at most [`MAX_DAYS`] days. Eventually consistent: counts lag the aggregator by the
/// queue's batching window anyway.
pub async fn clicks_by_day(
    store: &dyn ItemStore,
    program: &ProgramId,
    partner: &PartnerId,
    from: Date,
    to: Date,
) -> Result<Vec<DailyClicks>, StoreError> {
    let links: Vec<LinkId> = crate::links::repo::all_for_partner(store, program, partner)
        .await?
        .into_iter()
        .map(|stored| stored.link.id)
        .collect();
    clicks_by_day_of(store, program, partner, &links, from, to).await
}

/// [`clicks_by_day`] for a caller that has read the partner's links already.
pub async fn clicks_by_day_of(
    store: &dyn ItemStore,
    program: &ProgramId,
    partner: &PartnerId,
    links: &[LinkId],
    from: Date,
    to: Date,
) -> Result<Vec<DailyClicks>, StoreError> {
    let days = (to - from).whole_days() + 1;
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(StoreError::Validation(format!(
            "a range of clicks by day is 1 to {MAX_DAYS} days, not {days}"
        )));
    }
    let mut scopes: Vec<Scope> = links.iter().cloned().map(Scope::Link).collect();
    scopes.push(Scope::Partner(partner.clone()));
    let keys = scopes
        .iter()
        .flat_map(|scope| {
            (0..days).map(move |offset| bucket_key(program, from + Duration::days(offset), scope))
        })
        .collect();
    let mut counts: BTreeMap<Date, i64> = BTreeMap::new();
    for bucket in store
        .batch_get(keys)
        .await?
        .iter()
        .filter_map(DayBucket::of_item)
    {
        let theirs = match bucket.scope {
            Scope::Link(_) => bucket.counts.partner.as_ref() == Some(partner),
            _ => true,
        };
        if theirs {
            *counts.entry(bucket.day).or_default() += bucket.counts.total(Metric::Clicks);
        }
    }
    Ok((0..days)
        .map(|offset| {
            let day = from + Duration::days(offset);
            DailyClicks {
                day,
                clicks: counts.get(&day).copied().unwrap_or(0),
            }
        })
        .collect())
}

/// Adds `clicks` to a partner's day, as the click aggregator does (tests and seeds).
pub fn add_daily_clicks(
    program: &ProgramId,
    partner: &PartnerId,
    day: Date,
    clicks: i64,
) -> crate::store::TxOp {
    let mut counts = crate::analytics::bucket::DayCounts::default();
    counts.add(Metric::Clicks, 12, clicks);
    counts.add_to(program, day, &Scope::Partner(partner.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::embedded::EmbeddedStore;
    use time::macros::date;

    #[tokio::test]
    async fn days_without_clicks_are_zero_and_other_partners_do_not_leak_in() {
        let store = EmbeddedStore::in_memory();
        let program = ProgramId::parse("prog_1").unwrap();
        let jane = PartnerId::parse("pn_jane").unwrap();
        let sam = PartnerId::parse("pn_sam").unwrap();
        store
            .transact(vec![
                add_daily_clicks(&program, &jane, date!(2026 - 11 - 20), 3),
                add_daily_clicks(&program, &jane, date!(2026 - 11 - 22), 5),
                add_daily_clicks(&program, &sam, date!(2026 - 11 - 21), 7),
            ])
            .await
            .unwrap();
        store
            .transact(vec![add_daily_clicks(
                &program,
                &jane,
                date!(2026 - 11 - 22),
                1,
            )])
            .await
            .unwrap();
        let days = clicks_by_day(
            &store,
            &program,
            &jane,
            date!(2026 - 11 - 19),
            date!(2026 - 11 - 22),
        )
        .await
        .unwrap();
        let clicks: Vec<i64> = days.iter().map(|d| d.clicks).collect();
        assert_eq!(clicks, vec![0, 3, 0, 6]);
        assert_eq!(days[0].day, date!(2026 - 11 - 19));
    }

    #[tokio::test]
    async fn a_range_is_one_to_366_days() {
        let store = EmbeddedStore::in_memory();
        let program = ProgramId::parse("prog_1").unwrap();
        let jane = PartnerId::parse("pn_jane").unwrap();
        let day = date!(2026 - 11 - 20);
        assert!(
            clicks_by_day(&store, &program, &jane, day, day)
                .await
                .is_ok()
        );
        assert!(
            clicks_by_day(&store, &program, &jane, day, day - Duration::days(1))
                .await
                .is_err()
        );
        assert!(
            clicks_by_day(&store, &program, &jane, day, day + Duration::days(366))
                .await
                .is_err()
        );
    }
}
