//! A partner's clicks per UTC day, for the dashboard's "clicks by day" chart: one counter item
//! per partner and day, added to once per aggregated batch and read with one query.

use crate::layout;
use crate::store::{ItemStore, Query, RangeCondition, StoreError, TxOp, Update, UpdateItem, n};
use crate::store::{get_n, get_s, schema};
use crate::types::PartnerId;
use time::{Date, Duration};

/// How long a daily counter is kept (a year of history, plus margin).
pub const DAILY_CLICKS_TTL: Duration = Duration::days(400);

/// The longest range [`clicks_by_day`] answers.
pub const MAX_DAYS: i64 = 366;

/// The counter attribute of a daily item.
const CLICKS: &str = "clicks";

/// One day of a partner's clicks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DailyClicks {
    pub day: Date,
    pub clicks: i64,
}

/// Adds `delta` clicks to a partner's day. Unconditional: the partner's own counter in the
/// same transaction carries the "partner exists" condition, and the item expires by TTL.
pub fn add_daily_clicks(partner: &PartnerId, day: Date, delta: i64) -> TxOp {
    let expires = day.midnight().assume_utc() + DAILY_CLICKS_TTL;
    TxOp::Update(UpdateItem {
        key: layout::partner_daily_clicks(partner, day),
        update: Update::new()
            .add(CLICKS, delta)
            .set(schema::TTL, n(expires.unix_timestamp())),
        condition: None,
    })
}

/// A partner's clicks on every day from `from` to `to` (inclusive), zero for days without
/// clicks; at most [`MAX_DAYS`] days. Eventually consistent: counts lag the aggregator by the
/// queue's batching window anyway.
pub async fn clicks_by_day(
    store: &dyn ItemStore,
    partner: &PartnerId,
    from: Date,
    to: Date,
) -> Result<Vec<DailyClicks>, StoreError> {
    let days = (to - from).whole_days() + 1;
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(StoreError::Validation(format!(
            "a range of clicks by day is 1 to {MAX_DAYS} days, not {days}"
        )));
    }
    let mut counts = std::collections::BTreeMap::new();
    let mut cursor = None;
    loop {
        let page = store
            .query(
                Query::table(layout::partner_pk(partner))
                    .range(RangeCondition::Between(
                        layout::partner_daily_clicks(partner, from).sk,
                        layout::partner_daily_clicks(partner, to).sk,
                    ))
                    .cursor(cursor),
            )
            .await?;
        for item in &page.items {
            let sk = get_s(item, schema::SK).unwrap_or_default();
            let Some(day) = sk
                .strip_prefix(layout::DAILY_CLICKS_SK_PREFIX)
                .and_then(parse_day)
            else {
                continue;
            };
            counts.insert(day, get_n(item, CLICKS).unwrap_or(0));
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
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

fn parse_day(text: &str) -> Option<Date> {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::embedded::EmbeddedStore;
    use time::macros::date;

    #[tokio::test]
    async fn days_without_clicks_are_zero_and_other_partners_do_not_leak_in() {
        let store = EmbeddedStore::in_memory();
        let jane = PartnerId::parse("pn_jane").unwrap();
        let sam = PartnerId::parse("pn_sam").unwrap();
        store
            .transact(vec![
                add_daily_clicks(&jane, date!(2026 - 11 - 20), 3),
                add_daily_clicks(&jane, date!(2026 - 11 - 22), 5),
                add_daily_clicks(&sam, date!(2026 - 11 - 21), 7),
            ])
            .await
            .unwrap();
        store
            .transact(vec![add_daily_clicks(&jane, date!(2026 - 11 - 22), 1)])
            .await
            .unwrap();
        let days = clicks_by_day(&store, &jane, date!(2026 - 11 - 19), date!(2026 - 11 - 22))
            .await
            .unwrap();
        let clicks: Vec<i64> = days.iter().map(|d| d.clicks).collect();
        assert_eq!(clicks, vec![0, 3, 0, 6]);
        assert_eq!(days[0].day, date!(2026 - 11 - 19));
    }

    #[tokio::test]
    async fn a_range_is_one_to_366_days() {
        let store = EmbeddedStore::in_memory();
        let jane = PartnerId::parse("pn_jane").unwrap();
        let day = date!(2026 - 11 - 20);
        assert!(clicks_by_day(&store, &jane, day, day).await.is_ok());
        assert!(
            clicks_by_day(&store, &jane, day, day - Duration::days(1))
                .await
                .is_err()
        );
        assert!(
            clicks_by_day(&store, &jane, day, day + Duration::days(366))
                .await
                .is_err()
        );
    }
}
