//! From day items to figures: pure sums over the window, no I/O.
//!
//! Hourly counts are summed hour by hour, so counts, series and tops are exact to the hour.
//! Dimension counts are kept per UTC day: a breakdown, or a figure filtered by a dimension,
//! covers every UTC day the window touches, and a filtered series puts a day's count in the
//! bucket of its UTC midnight (or the first bucket).

use super::bucket::{DayBucket, Metric, Scope};
use super::query::DimensionFilter;
use super::window::Window;
use crate::model::Dimension;
use crate::model::Figures;
use std::collections::{BTreeMap, HashMap};

/// Calls `add(bucket index, metric, count)` for each count of `buckets` inside the window,
/// through the filter when there is one.
fn each_count(
    buckets: &[DayBucket],
    window: &Window,
    filter: Option<&DimensionFilter>,
    mut add: impl FnMut(usize, Metric, i64),
) {
    for bucket in buckets {
        match filter {
            None => {
                for (&(metric, hour), &count) in &bucket.counts.hourly {
                    if let Some(index) = window.bucket_of(bucket.hour_start(hour)) {
                        add(index, metric, count);
                    }
                }
            }
            Some(filter) => {
                let midnight = bucket.hour_start(0);
                let index = window.bucket_of(midnight).unwrap_or(0);
                for ((metric, dimension, value), &count) in &bucket.counts.dimensions {
                    if *dimension == filter.dimension
                        && filter.values.iter().any(|v| v.eq_ignore_ascii_case(value))
                    {
                        add(index, *metric, count);
                    }
                }
            }
        }
    }
}

/// The total over the window.
pub fn count(buckets: &[DayBucket], window: &Window, filter: Option<&DimensionFilter>) -> Figures {
    let mut figures = Figures::default();
    each_count(buckets, window, filter, |_, metric, n| {
        figures.add(metric, n)
    });
    figures
}

/// One row per series bucket, empty ones included, labelled as Dub's `start`.
pub fn timeseries(
    buckets: &[DayBucket],
    window: &Window,
    filter: Option<&DimensionFilter>,
) -> Vec<(String, Figures)> {
    let mut rows = vec![Figures::default(); window.bucket_starts().len()];
    each_count(buckets, window, filter, |index, metric, n| {
        if let Some(row) = rows.get_mut(index) {
            row.add(metric, n)
        }
    });
    window
        .bucket_starts()
        .iter()
        .map(|start| window.label(*start))
        .zip(rows)
        .collect()
}

/// The window's counts per value of one dimension, largest first by `order`; through a
/// filter on the same dimension, its values only (a filter on another is refused earlier).
pub fn by_dimension(
    buckets: &[DayBucket],
    dimension: Dimension,
    filter: Option<&DimensionFilter>,
    order: Metric,
) -> Vec<(String, Figures)> {
    let mut rows: BTreeMap<String, Figures> = BTreeMap::new();
    for bucket in buckets {
        for ((metric, d, value), &count) in &bucket.counts.dimensions {
            let kept =
                filter.is_none_or(|f| f.values.iter().any(|v| v.eq_ignore_ascii_case(value)));
            if *d == dimension && kept {
                rows.entry(value.clone()).or_default().add(*metric, count);
            }
        }
    }
    sorted(rows.into_iter().collect(), order)
}

/// The window's figures per partner or link, largest first by `order`, at most `limit`.
pub fn tops(
    buckets: &[DayBucket],
    window: &Window,
    order: Metric,
    limit: usize,
) -> Vec<(Scope, Figures)> {
    let mut rows: HashMap<&Scope, Figures> = HashMap::new();
    for bucket in buckets {
        for (&(metric, hour), &count) in &bucket.counts.hourly {
            if window.contains_hour(bucket.hour_start(hour)) {
                rows.entry(&bucket.scope).or_default().add(metric, count);
            }
        }
    }
    rank(
        rows.into_iter()
            .map(|(scope, figures)| (scope.clone(), figures))
            .collect(),
        order,
        limit,
    )
}

/// Scopes with figures, largest first by `order`, at most `limit`.
pub fn rank(rows: HashMap<Scope, Figures>, order: Metric, limit: usize) -> Vec<(Scope, Figures)> {
    let rows: Vec<(Scope, Figures)> = rows
        .into_iter()
        .filter(|(_, figures)| *figures != Figures::default())
        .collect();
    let mut rows = sorted(rows, order);
    rows.truncate(limit);
    rows
}

/// Largest first by `order`, then by the key (a stable order for ties).
fn sorted<K: Ord>(mut rows: Vec<(K, Figures)>, order: Metric) -> Vec<(K, Figures)> {
    rows.sort_by(|(a_key, a), (b_key, b)| {
        b.get(order)
            .cmp(&a.get(order))
            .then_with(|| a_key.cmp(b_key))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::bucket::DayCounts;
    use crate::analytics::query::AnalyticsQuery;
    use crate::types::LinkId;
    use time::macros::{date, datetime};

    fn bucket(
        day: time::Date,
        link: &str,
        hours: &[(u8, i64)],
        country: &[(&str, i64)],
    ) -> DayBucket {
        let mut counts = DayCounts::default();
        for &(hour, n) in hours {
            counts.add(Metric::Clicks, hour, n);
        }
        for &(c, n) in country {
            counts.add_dimension(Metric::Clicks, Dimension::Country, c.into(), n);
        }
        DayBucket {
            day,
            scope: Scope::Link(LinkId::parse(link).unwrap()),
            counts,
        }
    }

    fn window(pairs: &[(&str, &str)]) -> Window {
        let query: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let now = datetime!(2026-12-04 10:30 UTC);
        Window::resolve(
            &AnalyticsQuery::parse(&query).unwrap(),
            now,
            now - time::Duration::days(100),
        )
        .unwrap()
    }

    #[test]
    fn count_is_the_sum_of_the_series_and_hours_outside_the_window_are_left_out() {
        let w = window(&[]); // 2026-12-03 10:00 to 2026-12-04 11:00
        let buckets = vec![
            bucket(
                date!(2026 - 12 - 03),
                "link_a",
                &[(9, 100), (10, 1), (23, 2)],
                &[],
            ),
            bucket(
                date!(2026 - 12 - 04),
                "link_a",
                &[(0, 3), (10, 4), (11, 1000)],
                &[],
            ),
        ];
        assert_eq!(count(&buckets, &w, None).clicks, 10);
        let series = timeseries(&buckets, &w, None);
        assert_eq!(series.len(), 25);
        assert_eq!(series.iter().map(|(_, f)| f.clicks).sum::<i64>(), 10);
        assert_eq!(
            series[0],
            (
                "2026-12-03T10:00:00Z".into(),
                Figures {
                    clicks: 1,
                    ..Default::default()
                }
            )
        );
    }

    #[test]
    fn a_dimension_filter_and_a_breakdown_cover_whole_days() {
        let w = window(&[("interval", "7d")]);
        let buckets = vec![
            bucket(
                date!(2026 - 12 - 01),
                "link_a",
                &[(1, 5)],
                &[("US", 3), ("FR", 2)],
            ),
            bucket(date!(2026 - 12 - 02), "link_b", &[(1, 4)], &[("US", 4)]),
        ];
        let filter = DimensionFilter {
            dimension: Dimension::Country,
            values: vec!["us".into()],
        };
        assert_eq!(count(&buckets, &w, Some(&filter)).clicks, 7);
        let rows = by_dimension(&buckets, Dimension::Country, None, Metric::Clicks);
        assert_eq!(rows[0].0, "US");
        assert_eq!(rows[0].1.clicks, 7);
        assert_eq!(rows[1].1.clicks, 2);
    }

    #[test]
    fn tops_rank_scopes_by_the_event() {
        let w = window(&[("interval", "7d")]);
        let buckets = vec![
            bucket(date!(2026 - 12 - 01), "link_a", &[(1, 5)], &[]),
            bucket(date!(2026 - 12 - 02), "link_a", &[(1, 5)], &[]),
            bucket(date!(2026 - 12 - 02), "link_b", &[(1, 7)], &[]),
            bucket(date!(2026 - 12 - 02), "link_c", &[], &[]),
        ];
        let top = tops(&buckets, &w, Metric::Clicks, 10);
        let ids: Vec<String> = top
            .iter()
            .map(|(scope, f)| format!("{scope:?}={}", f.clicks))
            .collect();
        assert_eq!(ids.len(), 2);
        assert!(ids[0].contains("link_a") && ids[0].ends_with("=10"));
        assert!(tops(&buckets, &w, Metric::Clicks, 1).len() == 1);
    }
}
