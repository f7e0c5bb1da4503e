//! The query parameters of `GET /analytics` and `GET /partners/analytics`, checked: an
//! unknown value, or a filter or grouping that the counters cannot answer, is a 422 rather
//! than a figure that silently ignores it.

use crate::error::DomainError;
use crate::model::Dimension;
use std::collections::HashMap;

/// Which events are counted (Dub's `event`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Event {
    #[default]
    Clicks,
    Leads,
    Sales,
    /// All of them.
    Composite,
}

/// How the figures are grouped (Dub's `groupBy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupBy {
    #[default]
    Count,
    Timeseries,
    Dimension(Dimension),
    TopLinks,
    TopPartners,
}

/// Dub's `interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interval {
    #[default]
    Last24Hours,
    Last7Days,
    Last30Days,
    Last90Days,
    LastYear,
    MonthToDate,
    QuarterToDate,
    YearToDate,
    All,
}

/// Who the figures are about.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Subject {
    pub link_id: Option<String>,
    /// A link's `externalId`, with or without Dub's `ext_` prefix.
    pub external_id: Option<String>,
    pub domain: Option<String>,
    pub key: Option<String>,
    pub partner_id: Option<String>,
    pub tenant_id: Option<String>,
}

/// A filter on one dimension: the figures of any of these values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DimensionFilter {
    pub dimension: Dimension,
    pub values: Vec<String>,
}

/// A checked analytics query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AnalyticsQuery {
    pub event: Event,
    pub group_by: GroupBy,
    pub interval: Interval,
    pub start: Option<String>,
    pub end: Option<String>,
    /// IANA name; `UTC` when absent.
    pub timezone: Option<String>,
    pub subject: Subject,
    pub filter: Option<DimensionFilter>,
}

/// Dub's filters and groupings that these counters do not keep (tags, folders, cities, UTM
/// tags...): asking for one is a 422 that names it.
const UNSUPPORTED_FILTERS: &[&str] = &[
    "tagId",
    "tagIds",
    "folderId",
    "groupId",
    "partnerTagId",
    "customerId",
    "city",
    "region",
    "continent",
    "trigger",
    "eventName",
    "refererUrl",
    "url",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "query",
    "saleType",
    "qr",
    "root",
];

fn unprocessable(message: String) -> DomainError {
    DomainError::Unprocessable(message)
}

fn given<'a>(query: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    query
        .get(name)
        .map(|value| value.trim())
        .filter(|value| !value.is_empty())
}

fn one_of<T: Copy>(name: &str, raw: &str, values: &[(&str, T)]) -> Result<T, DomainError> {
    values
        .iter()
        .find(|(text, _)| *text == raw)
        .map(|(_, value)| *value)
        .ok_or_else(|| {
            let names: Vec<&str> = values.iter().map(|(text, _)| *text).collect();
            unprocessable(format!("`{name}` must be one of: {}.", names.join(", ")))
        })
}

const EVENTS: &[(&str, Event)] = &[
    ("clicks", Event::Clicks),
    ("leads", Event::Leads),
    ("sales", Event::Sales),
    ("composite", Event::Composite),
];

const INTERVALS: &[(&str, Interval)] = &[
    ("24h", Interval::Last24Hours),
    ("7d", Interval::Last7Days),
    ("30d", Interval::Last30Days),
    ("90d", Interval::Last90Days),
    ("1y", Interval::LastYear),
    ("mtd", Interval::MonthToDate),
    ("qtd", Interval::QuarterToDate),
    ("ytd", Interval::YearToDate),
    ("all", Interval::All),
];

const GROUPINGS: &[(&str, GroupBy)] = &[
    ("count", GroupBy::Count),
    ("timeseries", GroupBy::Timeseries),
    ("countries", GroupBy::Dimension(Dimension::Country)),
    ("devices", GroupBy::Dimension(Dimension::Device)),
    ("browsers", GroupBy::Dimension(Dimension::Browser)),
    ("os", GroupBy::Dimension(Dimension::Os)),
    ("referers", GroupBy::Dimension(Dimension::Referer)),
    ("top_links", GroupBy::TopLinks),
    ("top_partners", GroupBy::TopPartners),
];

/// A partner's groupings (Dub's `GET /partners/analytics`).
const PARTNER_GROUPINGS: &[(&str, GroupBy)] = &[
    ("count", GroupBy::Count),
    ("timeseries", GroupBy::Timeseries),
    ("top_links", GroupBy::TopLinks),
];

/// The filters on a dimension, by query parameter.
const DIMENSION_FILTERS: &[(&str, Dimension)] = &[
    ("country", Dimension::Country),
    ("device", Dimension::Device),
    ("browser", Dimension::Browser),
    ("os", Dimension::Os),
    ("referer", Dimension::Referer),
];

impl AnalyticsQuery {
    /// `GET /analytics`: every grouping above.
    pub fn parse(query: &HashMap<String, String>) -> Result<Self, DomainError> {
        Self::parse_with(query, GROUPINGS)
    }

    /// `GET /partners/analytics`: one partner, grouped by `count`, `timeseries` or `top_links`.
    pub fn parse_partner(query: &HashMap<String, String>) -> Result<Self, DomainError> {
        let parsed = Self::parse_with(query, PARTNER_GROUPINGS)?;
        if parsed.subject.partner_id.is_none() && parsed.subject.tenant_id.is_none() {
            return Err(unprocessable(
                "`partnerId` or `tenantId` names the partner.".into(),
            ));
        }
        Ok(AnalyticsQuery {
            event: Event::Composite,
            ..parsed
        })
    }

    /// `GET /v1/affiliate/analytics` with a partner session: the partner's groupings, the
    /// partner being the session's.
    pub fn parse_own(query: &HashMap<String, String>) -> Result<Self, DomainError> {
        let parsed = Self::parse_with(query, PARTNER_GROUPINGS)?;
        Ok(AnalyticsQuery {
            event: Event::Composite,
            ..parsed
        })
    }

    fn parse_with(
        query: &HashMap<String, String>,
        groupings: &[(&str, GroupBy)],
    ) -> Result<Self, DomainError> {
        if let Some(name) = UNSUPPORTED_FILTERS
            .iter()
            .find(|n| given(query, n).is_some())
        {
            return Err(unprocessable(format!(
                "`{name}` is not available: the analytics counters are kept per program, partner and link, by country, device, browser, OS and referer."
            )));
        }
        let mut parsed = AnalyticsQuery::default();
        if let Some(raw) = given(query, "event") {
            parsed.event = one_of("event", raw, EVENTS)?;
        }
        if let Some(raw) = given(query, "groupBy") {
            parsed.group_by = one_of("groupBy", raw, groupings)?;
        }
        if let Some(raw) = given(query, "interval") {
            parsed.interval = one_of("interval", raw, INTERVALS)?;
        }
        parsed.start = given(query, "start").map(str::to_owned);
        parsed.end = given(query, "end").map(str::to_owned);
        parsed.timezone = given(query, "timezone").map(str::to_owned);
        let text = |name: &str| given(query, name).map(str::to_owned);
        parsed.subject = Subject {
            link_id: text("linkId"),
            external_id: text("externalId"),
            domain: text("domain"),
            key: text("key"),
            partner_id: text("partnerId"),
            tenant_id: text("tenantId"),
        };
        if parsed.subject.key.is_some() && parsed.subject.domain.is_none() {
            return Err(unprocessable("`key` needs its `domain`.".into()));
        }
        parsed.filter = dimension_filter(query)?;
        Ok(parsed)
    }
}

/// At most one dimension filter: the counters hold each dimension apart, not their
/// combinations. Values are comma-separated; Dub's exclusion (`-US`) is not available.
fn dimension_filter(
    query: &HashMap<String, String>,
) -> Result<Option<DimensionFilter>, DomainError> {
    let given_filters: Vec<(&str, Dimension, &str)> = DIMENSION_FILTERS
        .iter()
        .filter_map(|(name, dimension)| given(query, name).map(|raw| (*name, *dimension, raw)))
        .collect();
    match given_filters.as_slice() {
        [] => Ok(None),
        [(name, dimension, raw)] => {
            let values: Vec<String> = raw
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect();
            if values.iter().any(|v| v.starts_with('-')) {
                return Err(unprocessable(format!(
                    "`{name}`: excluding a value (`-`) is not available; name the values to include."
                )));
            }
            if values.len() > 50 {
                return Err(unprocessable(format!("`{name}` takes at most 50 values.")));
            }
            Ok(Some(DimensionFilter {
                dimension: *dimension,
                values,
            }))
        }
        _ => Err(unprocessable(
            "Filter by one of `country`, `device`, `browser`, `os` and `referer` at a time: the counters keep each apart.".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_clicks_count_over_24_hours() {
        let parsed = AnalyticsQuery::parse(&query(&[])).unwrap();
        assert_eq!(parsed.event, Event::Clicks);
        assert_eq!(parsed.group_by, GroupBy::Count);
        assert_eq!(parsed.interval, Interval::Last24Hours);
    }

    #[test]
    fn unknown_values_and_unkept_filters_are_422() {
        for pairs in [
            vec![("event", "views")],
            vec![("groupBy", "cities")],
            vec![("groupBy", "nope")],
            vec![("interval", "2d")],
            vec![("tagId", "tag_1")],
            vec![("country", "-US")],
            vec![("country", "US"), ("device", "Mobile")],
            vec![("key", "jane")],
        ] {
            let result = AnalyticsQuery::parse(&query(&pairs));
            assert!(
                matches!(result, Err(DomainError::Unprocessable(_))),
                "{pairs:?}"
            );
        }
    }

    #[test]
    fn a_partner_query_names_the_partner_and_groups_three_ways() {
        assert!(AnalyticsQuery::parse_partner(&query(&[])).is_err());
        assert!(
            AnalyticsQuery::parse_partner(&query(&[
                ("partnerId", "pn_1"),
                ("groupBy", "countries")
            ]))
            .is_err()
        );
        let parsed =
            AnalyticsQuery::parse_partner(&query(&[("tenantId", "t1"), ("groupBy", "top_links")]))
                .unwrap();
        assert_eq!(parsed.group_by, GroupBy::TopLinks);
        assert_eq!(parsed.event, Event::Composite);
    }

    #[test]
    fn a_filter_takes_several_values() {
        let parsed = AnalyticsQuery::parse(&query(&[("country", "US, FR")])).unwrap();
        assert_eq!(
            parsed.filter,
            Some(DimensionFilter {
                dimension: Dimension::Country,
                values: vec!["US".into(), "FR".into()],
            })
        );
    }
}
