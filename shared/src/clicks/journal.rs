//! The click journal: what the aggregator stores for each group of click batches, before the
//! counts reach the counters (`fold`).
//!
//! Writing counters straight from each invocation costs one update per counter per
//! invocation, in a transaction (twice the units): a program with thousands of links clicked
//! once or twice per window pays more than a dollar per million clicks. Instead, the merged
//! counts of an invocation's messages of one shard are one *tally* item, written in the
//! transaction that puts the batches' markers, so a batch is journaled exactly once. The fold
//! later adds many tallies to the counters at once: a counter is written once per fold, not
//! once per invocation.
//!
//! A tally is `CLICKTALLY#{shard}` / `{written at, ms}#{first batch part}`, with its counts as
//! deflated JSON in `data`, and `clicks`, `counters` and `at` (epoch seconds) beside it for
//! the fold's policy.

use super::counter::Counter;
use crate::analytics::bucket::{DayCounts, Metric, Scope};
use crate::model::Dimension;
use crate::store::{AttributeValue, Item, Key, get_n, n};
use crate::types::{LinkId, PartnerId, ProgramId};
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use time::{Date, OffsetDateTime};

/// Counts per counter.
pub(crate) type Tally = BTreeMap<Counter, DayCounts>;

/// The largest deflated tally written as one item (DynamoDB's limit is 400 KB per item); a
/// larger group of batches is journaled in several tallies.
pub(crate) const MAX_TALLY_BYTES: usize = 300 * 1024;

const DATA: &str = "data";
const CLICKS: &str = "clicks";
const COUNTERS: &str = "counters";
const AT: &str = "at";

/// The partition of a shard's tallies.
pub(crate) fn tally_partition(shard: usize) -> String {
    format!("CLICKTALLY#{shard}")
}

/// One counter and its counts, as stored.
#[derive(Serialize, Deserialize)]
struct Entry {
    /// `L` link, `P` partner, `D` a day (`program`, `day`, `scope`).
    k: char,
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    program: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    day: Option<String>,
    /// Hourly counts: metric letter, hour, count.
    h: Vec<(char, u8, i64)>,
    /// Dimension counts: metric letter, dimension, value, count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    d: Vec<(char, String, String, i64)>,
    /// A link day's partner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    p: Option<String>,
}

fn entry(counter: &Counter, counts: &DayCounts) -> Entry {
    let (k, id, program, day) = match counter {
        Counter::Link(link) => ('L', link.to_string(), None, None),
        Counter::Partner(partner) => ('P', partner.to_string(), None, None),
        Counter::Day(program, day, scope) => {
            let id = match scope {
                Scope::Program => "P".to_owned(),
                Scope::Partner(partner) => format!("PT#{partner}"),
                Scope::Link(link) => format!("L#{link}"),
            };
            ('D', id, Some(program.to_string()), Some(day.to_string()))
        }
    };
    Entry {
        k,
        id,
        program,
        day,
        h: counts
            .hourly
            .iter()
            .map(|(&(metric, hour), &count)| (metric.letter(), hour, count))
            .collect(),
        d: counts
            .dimensions
            .iter()
            .map(|((metric, dimension, value), &count)| {
                (
                    metric.letter(),
                    dimension.name().to_owned(),
                    value.clone(),
                    count,
                )
            })
            .collect(),
        p: counts.partner.as_ref().map(ToString::to_string),
    }
}

fn parse_day(text: &str) -> Option<Date> {
    Date::parse(text, &time::format_description::well_known::Iso8601::DATE).ok()
}

fn counter_of(entry: &Entry) -> Option<Counter> {
    Some(match entry.k {
        'L' => Counter::Link(LinkId::parse(&entry.id).ok()?),
        'P' => Counter::Partner(PartnerId::parse(&entry.id).ok()?),
        'D' => {
            let program = ProgramId::parse(entry.program.as_deref()?).ok()?;
            let day = parse_day(entry.day.as_deref()?)?;
            let scope = if entry.id == "P" {
                Scope::Program
            } else if let Some(partner) = entry.id.strip_prefix("PT#") {
                Scope::Partner(PartnerId::parse(partner).ok()?)
            } else {
                Scope::Link(LinkId::parse(entry.id.strip_prefix("L#")?).ok()?)
            };
            Counter::Day(program, day, scope)
        }
        _ => return None,
    })
}

fn counts_of(entry: &Entry) -> Option<DayCounts> {
    let mut counts = DayCounts {
        partner: match &entry.p {
            Some(partner) => Some(PartnerId::parse(partner).ok()?),
            None => None,
        },
        ..Default::default()
    };
    for &(letter, hour, count) in &entry.h {
        counts.add(Metric::of_letter(letter)?, hour, count);
    }
    for (letter, dimension, value, count) in &entry.d {
        counts.add_dimension(
            Metric::of_letter(*letter)?,
            Dimension::of_name(dimension)?,
            value.clone(),
            *count,
        );
    }
    Some(counts)
}

/// A tally as deflated JSON.
pub(crate) fn encode(tally: &Tally) -> Vec<u8> {
    let entries: Vec<Entry> = tally
        .iter()
        .map(|(counter, counts)| entry(counter, counts))
        .collect();
    let json = serde_json::to_vec(&entries).expect("a tally serialises");
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(&json).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// The tally of [`encode`]; `None` if the bytes are not one.
pub(crate) fn decode(bytes: &[u8]) -> Option<Tally> {
    let mut json = Vec::new();
    DeflateDecoder::new(bytes).read_to_end(&mut json).ok()?;
    let entries: Vec<Entry> = serde_json::from_slice(&json).ok()?;
    entries
        .iter()
        .map(|entry| Some((counter_of(entry)?, counts_of(entry)?)))
        .collect()
}

/// Clicks in a tally: every click adds one to its program's day.
pub(crate) fn clicks_in(tally: &Tally) -> i64 {
    tally
        .iter()
        .filter(|(counter, _)| matches!(counter, Counter::Day(_, _, Scope::Program)))
        .map(|(_, counts)| counts.total(Metric::Clicks))
        .sum()
}

/// The item of a tally; `id` names it uniquely (its first batch part).
pub(crate) fn tally_item(
    shard: usize,
    id: &str,
    data: Vec<u8>,
    tally: &Tally,
    at: OffsetDateTime,
) -> Item {
    let key = Key::new(
        tally_partition(shard),
        format!("{:015}#{id}", at.unix_timestamp_nanos() / 1_000_000),
    );
    let mut item = key.to_item();
    item.insert(DATA.into(), AttributeValue::B(data));
    item.insert(CLICKS.into(), n(clicks_in(tally)));
    item.insert(COUNTERS.into(), n(tally.len() as i64));
    item.insert(AT.into(), n(at.unix_timestamp()));
    item
}

/// A stored tally.
pub(crate) struct StoredTally {
    pub key: Key,
    pub tally: Tally,
    pub clicks: i64,
    pub at: i64,
}

/// Reads a tally item; `Err` with its key when it does not read whole (it is never dropped:
/// the fold stops at it).
pub(crate) fn read_tally(item: &Item) -> Result<StoredTally, String> {
    let key = Key::of(item).map_err(|e| e.to_string())?;
    let tally = match item.get(DATA) {
        Some(AttributeValue::B(bytes)) => decode(bytes),
        _ => None,
    }
    .ok_or_else(|| format!("tally {}#{} does not read", key.pk, key.sk))?;
    Ok(StoredTally {
        clicks: get_n(item, CLICKS).unwrap_or_else(|| clicks_in(&tally)),
        at: get_n(item, AT).unwrap_or(0),
        key,
        tally,
    })
}
