//! The analytics counters: one item per scope (the program, a partner, a link) and UTC day,
//! holding the day's totals, its 24 hourly counts and the day's counts per dimension value.
//!
//! Why one item per day rather than one per hour: every aggregated click batch and every
//! lead or sale adds to the items of its scopes, and a write costs by item, so one item per
//! day and scope is the fewest writes that still answers hourly series (from the hourly
//! attributes) and daily series in any time zone (by summing the hours of each local day). The
//! dimension counts are kept per day only: hourly dimensions would multiply the item's size,
//! and DynamoDB charges writes by size. Items of one program and day share a partition, so
//! `top_links` and `top_partners` read one query per day. See `infra/TABLE_DESIGN.md`.
//!
//! Attribute names: a metric letter (`c` clicks, `l` leads, `s` sales, `a` sale amount in
//! minor units, `e` earnings in minor units), alone for the day's total, followed by the
//! UTC hour (`c07`), or by `|dimension|value` (`c|country|US`).

use crate::layout;
use crate::model::Click;
use crate::model::Dimension;
pub use crate::model::Metric;
use crate::store::{Item, Key, TxOp, Update, UpdateItem, n, schema};
use crate::types::{LinkId, PartnerId, ProgramId};
use std::collections::BTreeMap;
use time::{Date, Duration, OffsetDateTime, UtcOffset};

/// How long a day's counters are kept, and so how far back analytics answer.
pub const RETENTION: Duration = Duration::days(730);

/// The attribute of a link item naming its partner.
const PARTNER_ID: &str = "partnerId";

/// The longest dimension value kept (a referer's host name; longer ones are cut).
const MAX_VALUE_CHARS: usize = 64;

/// Whose counters an item holds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Program,
    Partner(PartnerId),
    Link(LinkId),
}

/// Sort-key prefixes of a day's partner and link items.
pub const PARTNER_SK_PREFIX: &str = "PT#";
pub const LINK_SK_PREFIX: &str = "L#";

impl Scope {
    fn sort_key(&self) -> String {
        match self {
            Scope::Program => "P".into(),
            Scope::Partner(partner) => format!("{PARTNER_SK_PREFIX}{partner}"),
            Scope::Link(link) => format!("{LINK_SK_PREFIX}{link}"),
        }
    }

    fn of_sort_key(sk: &str) -> Option<Scope> {
        if sk == "P" {
            return Some(Scope::Program);
        }
        if let Some(id) = sk.strip_prefix(PARTNER_SK_PREFIX) {
            return PartnerId::parse(id).ok().map(Scope::Partner);
        }
        LinkId::parse(sk.strip_prefix(LINK_SK_PREFIX)?)
            .ok()
            .map(Scope::Link)
    }
}

/// The item of a scope's counters on one UTC day.
pub fn bucket_key(program: &ProgramId, day: Date, scope: &Scope) -> Key {
    Key::new(layout::analytics_day_pk(program, day), scope.sort_key())
}

/// Counts to add to one day's item (or read from it): per UTC hour and per dimension value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayCounts {
    pub hourly: BTreeMap<(Metric, u8), i64>,
    pub dimensions: BTreeMap<(Metric, Dimension, String), i64>,
    /// A link item's partner (the partner the link had when it was counted): a partner's
    /// figures are its links' items, so that a click writes one item for its link and
    /// partner, not two.
    pub partner: Option<PartnerId>,
}

impl DayCounts {
    /// One click, at its hour and with its country, device, browser, OS and referer.
    pub fn click(click: &Click) -> DayCounts {
        let hour = click.timestamp.to_offset(UtcOffset::UTC).hour();
        let mut counts = DayCounts {
            partner: click.partner_id.clone(),
            ..Default::default()
        };
        counts.add(Metric::Clicks, hour, 1);
        let values = [
            (Dimension::Country, click.country.as_deref()),
            (Dimension::Device, Some(click.device.as_str())),
            (Dimension::Browser, Some(click.browser.as_str())),
            (Dimension::Os, Some(click.os.as_str())),
            (Dimension::Referer, click.referer.as_deref()),
        ];
        for (dimension, value) in values {
            if let Some(value) = value.and_then(clean_value) {
                counts.add_dimension(Metric::Clicks, dimension, value, 1);
            }
        }
        counts
    }

    pub fn add(&mut self, metric: Metric, hour: u8, delta: i64) {
        if delta != 0 {
            *self.hourly.entry((metric, hour)).or_default() += delta;
        }
    }

    pub fn add_dimension(
        &mut self,
        metric: Metric,
        dimension: Dimension,
        value: String,
        delta: i64,
    ) {
        if delta != 0 {
            *self
                .dimensions
                .entry((metric, dimension, value))
                .or_default() += delta;
        }
    }

    pub fn merge(&mut self, other: &DayCounts) {
        if self.partner.is_none() {
            self.partner.clone_from(&other.partner);
        }
        for (&(metric, hour), &delta) in &other.hourly {
            self.add(metric, hour, delta);
        }
        for ((metric, dimension, value), &delta) in &other.dimensions {
            self.add_dimension(*metric, *dimension, value.clone(), delta);
        }
    }

    pub fn total(&self, metric: Metric) -> i64 {
        self.hourly
            .iter()
            .filter(|((m, _), _)| *m == metric)
            .map(|(_, count)| count)
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.hourly.is_empty() && self.dimensions.is_empty()
    }

    /// The update that adds these counts to a scope's day: unconditional `ADD`s (the owner's
    /// own counter in the same transaction carries any existence condition), and the TTL.
    pub fn add_to(&self, program: &ProgramId, day: Date, scope: &Scope) -> TxOp {
        let mut update = Update::new();
        for metric in Metric::ALL {
            let total = self.total(metric);
            if total != 0 {
                update = update.add(metric.letter().to_string(), total);
            }
        }
        for (&(metric, hour), &delta) in &self.hourly {
            update = update.add(format!("{}{hour:02}", metric.letter()), delta);
        }
        for ((metric, dimension, value), &delta) in &self.dimensions {
            update = update.add(
                format!("{}|{}|{value}", metric.letter(), dimension.name()),
                delta,
            );
        }
        if let (Scope::Link(_), Some(partner)) = (scope, &self.partner) {
            update = update.set(PARTNER_ID, crate::store::s(partner.as_str()));
        }
        let expires = day.midnight().assume_utc() + RETENTION + Duration::days(2);
        TxOp::Update(UpdateItem {
            key: bucket_key(program, day, scope),
            update: update.set(schema::TTL, n(expires.unix_timestamp())),
            condition: None,
        })
    }
}

/// A stored day of one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayBucket {
    pub day: Date,
    pub scope: Scope,
    pub counts: DayCounts,
}

impl DayBucket {
    /// Reads an item written by [`DayCounts::add_to`]; `None` for any other item.
    pub fn of_item(item: &Item) -> Option<DayBucket> {
        Self::parse(item, true)
    }

    /// [`DayBucket::of_item`] without the dimension counts: what the tops need, at a fraction
    /// of the work.
    pub fn hours_of_item(item: &Item) -> Option<DayBucket> {
        Self::parse(item, false)
    }

    fn parse(item: &Item, with_dimensions: bool) -> Option<DayBucket> {
        let pk = crate::store::get_s(item, schema::PK)?;
        let day = layout::analytics_day_of_pk(pk)?;
        let scope = Scope::of_sort_key(crate::store::get_s(item, schema::SK)?)?;
        let mut counts = DayCounts {
            partner: crate::store::get_s(item, PARTNER_ID).and_then(|p| PartnerId::parse(p).ok()),
            ..Default::default()
        };
        for (name, value) in item.iter() {
            let crate::store::AttributeValue::N(number) = value else {
                continue;
            };
            let Ok(count) = number.parse::<i64>() else {
                continue;
            };
            let mut chars = name.chars();
            let Some(metric) = chars.next().and_then(Metric::of_letter) else {
                continue;
            };
            let rest = chars.as_str();
            if let Some(dimension_value) = rest.strip_prefix('|') {
                if !with_dimensions {
                    continue;
                }
                if let Some((dimension, value)) = dimension_value.split_once('|')
                    && let Some(dimension) = Dimension::of_name(dimension)
                {
                    counts.add_dimension(metric, dimension, value.to_owned(), count);
                }
            } else if rest.len() == 2
                && let Ok(hour) = rest.parse::<u8>()
                && hour < 24
            {
                counts.add(metric, hour, count);
            }
        }
        Some(DayBucket { day, scope, counts })
    }

    /// The start of one of this day's hours.
    pub fn hour_start(&self, hour: u8) -> OffsetDateTime {
        self.day.midnight().assume_utc() + Duration::hours(i64::from(hour))
    }
}

/// A dimension value as stored: trimmed, at most [`MAX_VALUE_CHARS`] characters, without
/// the separator; `None` when empty.
fn clean_value(value: &str) -> Option<String> {
    let value: String = value
        .trim()
        .chars()
        .filter(|c| *c != '|' && !c.is_control())
        .take(MAX_VALUE_CHARS)
        .collect();
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::embedded::EmbeddedStore;
    use crate::store::{Consistency, ItemStore};
    use time::macros::{date, datetime};

    fn click(at: OffsetDateTime, country: Option<&str>, referer: Option<&str>) -> Click {
        Click {
            country: country.map(str::to_owned),
            device: "Mobile".into(),
            browser: "Safari".into(),
            os: "iOS".into(),
            referer: referer.map(str::to_owned),
            ..crate::testkit::a_click("link_1", at)
        }
    }

    #[tokio::test]
    async fn counts_added_twice_read_back_summed_by_hour_and_dimension() {
        let store = EmbeddedStore::in_memory();
        let program = ProgramId::parse("prog_1").unwrap();
        let day = date!(2026 - 12 - 04);
        let mut counts = DayCounts::click(&click(
            datetime!(2026-12-04 07:59 UTC),
            Some("US"),
            Some("news.example.com"),
        ));
        counts.merge(&DayCounts::click(&click(
            datetime!(2026-12-04 08:00 UTC),
            None,
            None,
        )));
        counts.add(Metric::SaleAmount, 8, 4_900);
        let scope = Scope::Link(LinkId::parse("link_1").unwrap());
        for _ in 0..2 {
            store
                .transact(vec![counts.add_to(&program, day, &scope)])
                .await
                .unwrap();
        }
        let item = store
            .get(&bucket_key(&program, day, &scope), Consistency::Strong)
            .await
            .unwrap()
            .unwrap();
        let bucket = DayBucket::of_item(&item).unwrap();
        assert_eq!(bucket.day, day);
        assert_eq!(bucket.scope, scope);
        assert_eq!(bucket.counts.hourly[&(Metric::Clicks, 7)], 2);
        assert_eq!(bucket.counts.hourly[&(Metric::Clicks, 8)], 2);
        assert_eq!(bucket.counts.total(Metric::Clicks), 4);
        assert_eq!(bucket.counts.total(Metric::SaleAmount), 9_800);
        let us = (Metric::Clicks, Dimension::Country, "US".to_owned());
        assert_eq!(bucket.counts.dimensions[&us], 2);
        let ios = (Metric::Clicks, Dimension::Os, "iOS".to_owned());
        assert_eq!(bucket.counts.dimensions[&ios], 4);
        let referer = (
            Metric::Clicks,
            Dimension::Referer,
            "news.example.com".to_owned(),
        );
        assert_eq!(bucket.counts.dimensions[&referer], 2);
        // The day total is stored too, for readers that want only totals.
        assert_eq!(crate::store::get_n(&item, "c"), Some(4));
    }

    #[test]
    fn dimension_values_are_trimmed_bounded_and_never_hold_the_separator() {
        assert_eq!(clean_value("  a|b "), Some("ab".into()));
        assert_eq!(clean_value(""), None);
        assert_eq!(
            clean_value(&"x".repeat(300)).unwrap().len(),
            MAX_VALUE_CHARS
        );
    }
}
