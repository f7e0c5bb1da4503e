//! The time a query covers: Dub's `interval` (or `start` and `end`) in the caller's time zone,
//! as whole UTC hours (what the counters hold) and the buckets of a series (local hours for
//! a range of up to two days, local days otherwise).
//!
//! The window starts at the first bucket's start and ends at the hour after `end`, so that a
//! `count` always equals the sum of the `timeseries` of the same query. In a zone whose offset
//! is not a whole number of hours, an hour counts in the bucket where it starts.

use super::bucket::RETENTION;
use super::query::{AnalyticsQuery, Interval};
use crate::error::DomainError;
use jiff::tz::TimeZone;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcOffset};

/// The longest custom range answered hour by hour.
const HOURLY_UP_TO: Duration = Duration::days(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    Hour,
    Day,
}

/// A resolved window.
#[derive(Debug, Clone)]
pub struct Window {
    /// Inclusive, on an hour.
    pub start: OffsetDateTime,
    /// Exclusive, on an hour.
    pub end: OffsetDateTime,
    pub granularity: Granularity,
    zone: TimeZone,
    /// Each series bucket's start, in order; the first is `start`.
    bucket_starts: Vec<OffsetDateTime>,
}

fn unprocessable(message: impl Into<String>) -> DomainError {
    DomainError::Unprocessable(message.into())
}

fn to_jiff(at: OffsetDateTime) -> jiff::Timestamp {
    jiff::Timestamp::from_second(at.unix_timestamp()).expect("a stored time is in jiff's range")
}

fn of_jiff(at: jiff::Timestamp) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(at.as_second()).expect("jiff's range is in time's")
}

fn floor_hour(at: OffsetDateTime) -> OffsetDateTime {
    let seconds = at.unix_timestamp();
    OffsetDateTime::from_unix_timestamp(seconds - seconds.rem_euclid(3600)).expect("in range")
}

fn ceil_hour(at: OffsetDateTime) -> OffsetDateTime {
    let floor = floor_hour(at);
    if floor == at {
        at
    } else {
        floor + Duration::HOUR
    }
}

impl Window {
    /// Resolves the query's window at `now`; `since` is the earliest a program has figures
    /// (its creation), for `all`. 422 for an unknown zone, an unreadable date, a start after
    /// the end, or a start beyond the counters' retention.
    pub fn resolve(
        query: &AnalyticsQuery,
        now: OffsetDateTime,
        since: OffsetDateTime,
    ) -> Result<Window, DomainError> {
        let zone = match query.timezone.as_deref() {
            None | Some("UTC") => TimeZone::UTC,
            Some(name) => TimeZone::get(name).map_err(|_| {
                unprocessable(format!("`timezone`: {name:?} is not an IANA time zone."))
            })?,
        };
        let kept_since = now - RETENTION;
        let (start, end, granularity) = match &query.start {
            Some(raw) => {
                let start = parse_time("start", raw, &zone)?;
                let end = match &query.end {
                    Some(raw) => parse_time("end", raw, &zone)?,
                    None => now,
                };
                if start > end {
                    return Err(unprocessable("`start` is after `end`."));
                }
                let granularity = if end - start <= HOURLY_UP_TO {
                    Granularity::Hour
                } else {
                    Granularity::Day
                };
                (start, end, granularity)
            }
            None if query.end.is_some() => {
                return Err(unprocessable("`end` needs a `start`."));
            }
            None => {
                let start = interval_start(query.interval, now, since.max(kept_since), &zone)?;
                let granularity = match query.interval {
                    Interval::Last24Hours => Granularity::Hour,
                    _ => Granularity::Day,
                };
                (start, now, granularity)
            }
        };
        let mut window = Window {
            start: floor_hour(start),
            end: ceil_hour(end).max(floor_hour(start) + Duration::HOUR),
            granularity,
            zone,
            bucket_starts: Vec::new(),
        };
        if granularity == Granularity::Day {
            window.start = window.local_midnight(window.start)?;
        }
        if window.start < floor_hour(kept_since) - Duration::DAY {
            return Err(unprocessable(format!(
                "The window starts before the analytics kept: {} days back at most.",
                RETENTION.whole_days()
            )));
        }
        window.bucket_starts = window.series_starts()?;
        Ok(window)
    }

    /// The start of the local day holding `at`.
    fn local_midnight(&self, at: OffsetDateTime) -> Result<OffsetDateTime, DomainError> {
        let date = to_jiff(at).to_zoned(self.zone.clone()).date();
        let midnight = date
            .to_zoned(self.zone.clone())
            .map_err(|e| unprocessable(format!("no local midnight: {e}")))?;
        Ok(floor_hour(of_jiff(midnight.timestamp())))
    }

    fn series_starts(&self) -> Result<Vec<OffsetDateTime>, DomainError> {
        let mut starts = Vec::new();
        let mut at = self.start;
        while at < self.end {
            starts.push(at);
            at = match self.granularity {
                Granularity::Hour => at + Duration::HOUR,
                Granularity::Day => {
                    // The next local midnight: 23 to 25 hours on, across a change of offset.
                    let next = self.local_midnight(at + Duration::hours(26))?;
                    if next > at { next } else { at + Duration::DAY }
                }
            };
        }
        Ok(starts)
    }

    pub fn bucket_starts(&self) -> &[OffsetDateTime] {
        &self.bucket_starts
    }

    /// The series bucket holding the hour that starts at `hour`, if it is in the window.
    pub fn bucket_of(&self, hour: OffsetDateTime) -> Option<usize> {
        if hour < self.start || hour >= self.end {
            return None;
        }
        Some(self.bucket_starts.partition_point(|start| *start <= hour) - 1)
    }

    pub fn contains_hour(&self, hour: OffsetDateTime) -> bool {
        hour >= self.start && hour < self.end
    }

    /// Every UTC day the window touches, in order.
    pub fn days(&self) -> Vec<time::Date> {
        let first = self.start.date();
        let last = (self.end - Duration::SECOND).date();
        (0..=(last - first).whole_days())
            .map(|offset| first + Duration::days(offset))
            .collect()
    }

    /// A bucket's start as Dub's `start`: the instant, written with the zone's offset then.
    pub fn label(&self, at: OffsetDateTime) -> String {
        let offset = to_jiff(at).to_zoned(self.zone.clone()).offset().seconds();
        let offset = UtcOffset::from_whole_seconds(offset).unwrap_or(UtcOffset::UTC);
        at.to_offset(offset)
            .format(&Rfc3339)
            .expect("an instant formats as RFC 3339")
    }
}

/// When an interval starts: a span back from `now`, or the start of the local month,
/// quarter or year; `all` is `since`.
fn interval_start(
    interval: Interval,
    now: OffsetDateTime,
    since: OffsetDateTime,
    zone: &TimeZone,
) -> Result<OffsetDateTime, DomainError> {
    let local = to_jiff(now).to_zoned(zone.clone());
    let first_of = |month: i8| -> Result<OffsetDateTime, DomainError> {
        let date = jiff::civil::date(local.year(), month, 1);
        let zoned = date
            .to_zoned(zone.clone())
            .map_err(|e| unprocessable(format!("no local midnight: {e}")))?;
        Ok(of_jiff(zoned.timestamp()))
    };
    Ok(match interval {
        Interval::Last24Hours => now - Duration::DAY,
        Interval::Last7Days => now - Duration::days(7),
        Interval::Last30Days => now - Duration::days(30),
        Interval::Last90Days => now - Duration::days(90),
        Interval::LastYear => now - Duration::days(365),
        Interval::MonthToDate => first_of(local.month())?,
        Interval::QuarterToDate => first_of((local.month() - 1) / 3 * 3 + 1)?,
        Interval::YearToDate => first_of(1)?,
        Interval::All => since.min(now),
    })
}

/// Reads `start` or `end`: RFC 3339, or a local date-time or date in the query's zone.
fn parse_time(name: &str, raw: &str, zone: &TimeZone) -> Result<OffsetDateTime, DomainError> {
    if let Ok(at) = OffsetDateTime::parse(raw, &Rfc3339) {
        return Ok(at);
    }
    let local = raw.parse::<jiff::civil::DateTime>().or_else(|_| {
        raw.parse::<jiff::civil::Date>()
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
    });
    let local = local.map_err(|_| {
        unprocessable(format!(
            "`{name}` must be a date (2026-12-04) or a date and time (RFC 3339)."
        ))
    })?;
    let zoned = local
        .to_zoned(zone.clone())
        .map_err(|e| unprocessable(format!("`{name}`: {e}")))?;
    Ok(of_jiff(zoned.timestamp()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn window(pairs: &[(&str, &str)], now: OffsetDateTime) -> Result<Window, DomainError> {
        let query: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let parsed = AnalyticsQuery::parse(&query)?;
        Window::resolve(&parsed, now, datetime!(2026-01-01 0:00 UTC))
    }

    #[test]
    fn the_last_24_hours_are_25_hourly_buckets_ending_after_now() {
        let now = datetime!(2026-12-04 15:37 UTC);
        let w = window(&[], now).unwrap();
        assert_eq!(w.granularity, Granularity::Hour);
        assert_eq!(w.start, datetime!(2026-12-03 15:00 UTC));
        assert_eq!(w.end, datetime!(2026-12-04 16:00 UTC));
        assert_eq!(w.bucket_starts().len(), 25);
        assert_eq!(w.bucket_of(datetime!(2026-12-04 15:00 UTC)), Some(24));
        assert_eq!(w.bucket_of(datetime!(2026-12-04 16:00 UTC)), None);
    }

    #[test]
    fn days_follow_the_zone_across_a_change_of_offset() {
        // New York leaves daylight saving time on 2026-11-01.
        let now = datetime!(2026-11-03 12:00 UTC);
        let w = window(&[("interval", "7d"), ("timezone", "America/New_York")], now).unwrap();
        let labels: Vec<String> = w.bucket_starts().iter().map(|s| w.label(*s)).collect();
        assert_eq!(labels[0], "2026-10-27T00:00:00-04:00");
        assert!(labels.contains(&"2026-11-01T00:00:00-04:00".to_string()));
        assert!(labels.contains(&"2026-11-02T00:00:00-05:00".to_string()));
        assert_eq!(labels.last().unwrap(), "2026-11-03T00:00:00-05:00");
        // 2026-11-01 local is 25 hours long.
        let first_nov = datetime!(2026-11-01 04:00 UTC);
        let bucket = w.bucket_of(first_nov).unwrap();
        assert_eq!(w.bucket_of(datetime!(2026-11-02 04:00 UTC)), Some(bucket));
        assert_eq!(
            w.bucket_of(datetime!(2026-11-02 05:00 UTC)),
            Some(bucket + 1)
        );
    }

    #[test]
    fn month_quarter_and_year_to_date_start_at_local_midnight() {
        let now = datetime!(2026-12-04 03:00 UTC);
        let start = |interval| {
            window(&[("interval", interval), ("timezone", "Europe/Paris")], now)
                .unwrap()
                .start
        };
        assert_eq!(start("mtd"), datetime!(2026-11-30 23:00 UTC));
        assert_eq!(start("qtd"), datetime!(2026-09-30 22:00 UTC));
        assert_eq!(start("ytd"), datetime!(2025-12-31 23:00 UTC));
        // `all`: from the local day of the program's creation (2026-01-01 00:00 UTC).
        assert_eq!(start("all"), datetime!(2025-12-31 23:00 UTC));
    }

    #[test]
    fn bad_windows_are_422() {
        let now = datetime!(2026-12-04 15:37 UTC);
        for pairs in [
            vec![("timezone", "Mars/Olympus")],
            vec![("start", "2026-12-04"), ("end", "2026-12-01")],
            vec![("start", "yesterday")],
            vec![("start", "2020-01-01")],
            vec![("end", "2026-12-01")],
        ] {
            assert!(
                matches!(window(&pairs, now), Err(DomainError::Unprocessable(_))),
                "{pairs:?}"
            );
        }
        let w = window(
            &[("start", "2026-12-01"), ("end", "2026-12-02T12:00:00Z")],
            now,
        )
        .unwrap();
        assert_eq!(w.granularity, Granularity::Hour);
        assert_eq!(w.bucket_starts().len(), 36);
    }
}
