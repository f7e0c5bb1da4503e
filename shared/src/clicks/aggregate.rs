//! The click aggregator: turns click-queue messages into counter updates, exactly once per
//! batch however often SQS delivers it.
//!
//! - Each message's clicks are tallied per link, per partner and per partner and UTC day, and
//!   split into parts by the click's shard ([`shard_of`]: its partner's, else its link's) into
//!   [`SHARDS`](super::shard::SHARDS) shards (a part holds at most [`MAX_PART_ACTIONS`] counter updates; a link or a
//!   partner with its days is never split). The split depends only on the message, so a
//!   redelivered message has the same parts, and the same link always lands in the same shard,
//!   whatever the message. The redirect buffers one batch per shard, so a message usually has
//!   one part and one marker.
//! - Each part has a marker item (`layout::click_batch_marker(batch id, part)`), written with
//!   `attribute_not_exists` in the same transaction as the part's counter updates: a part is
//!   counted once, and a batch that failed half-way redoes only its missing parts.
//! - Parts of the same shard from the messages of one invocation share transactions (within
//!   DynamoDB's 100 actions) and their counter updates are merged: a link clicked in ten
//!   messages gets one `ADD`. That is why the event source mapping has a batching window: the
//!   cost per click falls with the clicks per invocation.
//! - A canceled transaction says which action failed: a marker (that part was counted before:
//!   acknowledged, nothing added) or a link/partner that no longer exists (its counters are
//!   dropped and the rest is counted). Any other failure reports the message for retry.
//! - No per-click item is stored: click ids are signed and carry their link, time and country
//!   (see `click_id`), which is all lead attribution needs.

use super::batch::ClickBatch;
use super::shard::shard_of;
use crate::analytics::bucket::{DayCounts, Metric, Scope};
use crate::layout;
use crate::model::{LinkStats, PartnerTotals};
use crate::partners::totals::{add_link_stats, add_partner_totals};
use crate::ports::Clock;
use crate::store::{
    CancelReason, Condition, ItemStore, Key, MAX_TRANSACTION_OPS, Put, StoreError, TxOp, n, schema,
};
use crate::types::{LinkId, PartnerId, ProgramId};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use time::{Date, Duration};

/// How long a batch marker is kept: longer than a message can live. The click queue and its
/// dead-letter queue keep messages 14 days, counted from the original send (a redrive from the
/// DLQ keeps that time), plus two days for a sender that re-sends a batch after a timeout.
pub const MARKER_TTL: Duration = Duration::days(16);

/// The most counter updates in one part of a batch: a full part and its marker fit in one
/// transaction. A shard-aligned message (one shard's links, their day items, their partners
/// and the program's day) is then one part with one marker, and an invocation's messages of
/// one shard merge into one transaction, so each counter is written once per invocation.
/// (At 48, two parts per transaction, a message of ~35 links took two parts and the merged
/// counters of a shard no longer fitted one transaction: each partner was written twice.)
/// Changing it, or [`SHARDS`](super::shard::SHARDS), changes how waiting messages are split:
/// only with the queue drained.
pub const MAX_PART_ACTIONS: usize = 96;

/// Links and partners known to be deleted (ids are never reused), remembered across
/// invocations so that each costs one canceled transaction per process, not per batch. Cleared
/// when this large.
const MAX_REMEMBERED_MISSING: usize = 10_000;

/// The longest accepted batch id (it is part of a key).
const MAX_BATCH_ID: usize = 128;

/// What a counter update must find: the link or the partner it counts for. A program's
/// counters need nothing: they count every click the redirect answered.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Owner {
    Link(LinkId),
    Partner(PartnerId),
    Program(ProgramId),
}

/// One counter a batch adds to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Counter {
    Link(LinkId),
    Partner(PartnerId),
    /// A scope's analytics counters of one UTC day (`analytics::bucket`).
    Day(ProgramId, Date, Scope),
}

impl Counter {
    fn owner(&self) -> Owner {
        match self {
            Counter::Link(link) | Counter::Day(_, _, Scope::Link(link)) => {
                Owner::Link(link.clone())
            }
            Counter::Partner(partner) | Counter::Day(_, _, Scope::Partner(partner)) => {
                Owner::Partner(partner.clone())
            }
            Counter::Day(program, _, Scope::Program) => Owner::Program(program.clone()),
        }
    }

    /// The update adding `counts`; `plain` leaves out the dimension counts (for a day item
    /// that has reached the store's item size).
    fn op(&self, counts: &DayCounts, plain: bool) -> TxOp {
        let clicks = counts.total(Metric::Clicks);
        match self {
            Counter::Link(link) => add_link_stats(
                link,
                &LinkStats {
                    clicks,
                    ..Default::default()
                },
            )
            .expect("a counted click adds a non-zero delta"),
            Counter::Partner(partner) => add_partner_totals(
                partner,
                &PartnerTotals {
                    total_clicks: clicks,
                    ..Default::default()
                },
            )
            .expect("a counted click adds a non-zero delta"),
            Counter::Day(program, day, scope) if plain => DayCounts {
                dimensions: Default::default(),
                ..counts.clone()
            }
            .add_to(program, *day, scope),
            Counter::Day(program, day, scope) => counts.add_to(program, *day, scope),
        }
    }
}

/// A message that is not a click batch: reported for retry, so it ends in the dead-letter
/// queue instead of being dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed click batch: {0}")]
pub struct MalformedBatch(String);

/// A batch's counts, in counter order, grouped by shard and owner.
type Tally = BTreeMap<(usize, Owner), BTreeMap<Counter, DayCounts>>;

/// The counts of one batch: per link, per partner, and the analytics counters of the link
/// and the program per UTC day.
fn tally(batch: &ClickBatch) -> Tally {
    let mut tally: Tally = BTreeMap::new();
    for click in &batch.clicks {
        let shard = shard_of(click);
        let counts = DayCounts::click(click);
        let day = click.timestamp.to_offset(time::UtcOffset::UTC).date();
        let program = &click.program_id;
        let mut count = |owner: Owner, counters: &[Counter]| {
            let entry = tally.entry((shard, owner)).or_default();
            for counter in counters {
                entry.entry(counter.clone()).or_default().merge(&counts);
            }
        };
        let link = &click.link_id;
        count(
            Owner::Link(link.clone()),
            &[
                Counter::Link(link.clone()),
                Counter::Day(program.clone(), day, Scope::Link(link.clone())),
            ],
        );
        // A partner's analytics are its links' day items (which name it): no item of its own.
        if let Some(partner) = &click.partner_id {
            count(
                Owner::Partner(partner.clone()),
                &[Counter::Partner(partner.clone())],
            );
        }
        count(
            Owner::Program(program.clone()),
            &[Counter::Day(program.clone(), day, Scope::Program)],
        );
    }
    tally
}

/// One part of a batch: counter updates of one shard.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PlannedPart {
    shard: usize,
    counters: BTreeMap<Counter, DayCounts>,
}

/// The batch's counts split by shard, then into parts of at most [`MAX_PART_ACTIONS`]
/// updates; in shard order.
fn split(tally: Tally) -> Result<Vec<PlannedPart>, MalformedBatch> {
    // Owners in order within each shard.
    let mut by_shard: BTreeMap<usize, Vec<BTreeMap<Counter, DayCounts>>> = BTreeMap::new();
    for ((shard, owner), counters) in tally {
        if counters.len() > MAX_PART_ACTIONS {
            return Err(MalformedBatch(format!(
                "{owner:?} has clicks on more than {} days",
                MAX_PART_ACTIONS - 1
            )));
        }
        by_shard.entry(shard).or_default().push(counters);
    }
    let mut parts: Vec<PlannedPart> = Vec::new();
    for (shard, owners) in by_shard {
        let mut current: Option<PlannedPart> = None;
        for counters in owners {
            match &mut current {
                Some(part) if part.counters.len() + counters.len() <= MAX_PART_ACTIONS => {
                    part.counters.extend(counters)
                }
                _ => {
                    parts.extend(current.take());
                    current = Some(PlannedPart { shard, counters });
                }
            }
        }
        parts.extend(current);
    }
    Ok(parts)
}

/// Parses a message and plans its parts.
fn plan(body: &str) -> Result<(String, Vec<PlannedPart>), MalformedBatch> {
    let batch = ClickBatch::parse(body).map_err(|e| MalformedBatch(e.to_string()))?;
    if batch.batch_id.is_empty() || batch.batch_id.len() > MAX_BATCH_ID {
        return Err(MalformedBatch(format!(
            "a batch id is 1 to {MAX_BATCH_ID} bytes"
        )));
    }
    let parts = split(tally(&batch))?;
    Ok((batch.batch_id, parts))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PartState {
    Pending,
    /// Added by this invocation.
    Counted,
    /// Nothing to add: every link and partner of the part is gone (no marker needed).
    Skipped,
    /// Its marker was there: an earlier delivery counted it.
    AlreadyCounted,
    Failed,
}

struct Part {
    message: usize,
    shard: usize,
    marker: Key,
    counters: BTreeMap<Counter, DayCounts>,
    state: PartState,
}

/// What one invocation did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AggregateReport {
    /// Messages to report as batch item failures (malformed, or a part not stored).
    pub failed: Vec<String>,
    /// Parts whose counts this invocation added.
    pub parts_counted: usize,
    /// Parts an earlier delivery had counted.
    pub parts_already_counted: usize,
    /// Parts whose links and partners were all deleted: nothing to count.
    pub parts_skipped: usize,
    /// Transactions sent, retries after a cancellation included.
    pub transactions: usize,
    /// Links and partners that no longer exist: their clicks were not counted.
    pub missing_owners: usize,
}

pub struct ClickAggregator {
    store: Arc<dyn ItemStore>,
    clock: Arc<dyn Clock>,
    missing: Mutex<BTreeSet<Owner>>,
}

impl ClickAggregator {
    pub fn new(store: Arc<dyn ItemStore>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            missing: Mutex::default(),
        }
    }

    /// Counts a batch of click-queue messages `(message id, body)`.
    pub async fn aggregate(&self, messages: Vec<(String, String)>) -> AggregateReport {
        let mut report = AggregateReport::default();
        let mut failed_messages = vec![false; messages.len()];
        let mut parts: Vec<Part> = Vec::new();
        // A batch sent twice can arrive twice in one invocation: its second copy follows the
        // first one's outcome.
        let mut first_part: HashMap<Key, usize> = HashMap::new();
        let mut copies: Vec<(usize, usize)> = Vec::new();
        for (index, (message_id, body)) in messages.iter().enumerate() {
            match plan(body) {
                Ok((batch_id, planned)) => {
                    for (number, PlannedPart { shard, counters }) in planned.into_iter().enumerate()
                    {
                        let marker = layout::click_batch_marker(&batch_id, number);
                        if let Some(&original) = first_part.get(&marker) {
                            copies.push((index, original));
                            continue;
                        }
                        first_part.insert(marker.clone(), parts.len());
                        parts.push(Part {
                            message: index,
                            shard,
                            marker,
                            counters,
                            state: PartState::Pending,
                        });
                    }
                }
                Err(error) => {
                    tracing::warn!(%message_id, %error, "click batch kept for the dead-letter queue");
                    failed_messages[index] = true;
                }
            }
        }

        let mut missing = self.missing.lock().expect("missing owners lock").clone();
        let known_missing = missing.len();
        for group in transactions(&parts) {
            if let Err(error) = self
                .count_group(&mut parts, &group, &mut missing, &mut report)
                .await
            {
                tracing::warn!(%error, parts = group.len(), "click counts kept for retry");
                for &part in &group {
                    if parts[part].state == PartState::Pending {
                        parts[part].state = PartState::Failed;
                    }
                }
            }
        }

        for part in &parts {
            match part.state {
                PartState::Counted => report.parts_counted += 1,
                PartState::AlreadyCounted => report.parts_already_counted += 1,
                PartState::Skipped => report.parts_skipped += 1,
                PartState::Failed | PartState::Pending => failed_messages[part.message] = true,
            }
        }
        for (copy, original) in copies {
            if matches!(
                parts[original].state,
                PartState::Failed | PartState::Pending
            ) {
                failed_messages[copy] = true;
            }
        }
        report.missing_owners = missing.len() - known_missing;
        if missing.len() > known_missing {
            let mut remembered = self.missing.lock().expect("missing owners lock");
            if missing.len() > MAX_REMEMBERED_MISSING {
                missing.clear();
            }
            *remembered = missing;
        }
        report.failed = messages
            .into_iter()
            .zip(failed_messages)
            .filter_map(|((message_id, _), failed)| failed.then_some(message_id))
            .collect();
        tracing::info!(
            counted = report.parts_counted,
            already_counted = report.parts_already_counted,
            transactions = report.transactions,
            missing_owners = report.missing_owners,
            failed = report.failed.len(),
            "click batches aggregated"
        );
        report
    }

    /// Counts the parts of one transaction, dropping what is already counted or gone, until
    /// it commits or nothing is left.
    async fn count_group(
        &self,
        parts: &mut [Part],
        group: &[usize],
        missing: &mut BTreeSet<Owner>,
        report: &mut AggregateReport,
    ) -> Result<(), StoreError> {
        let expires = (self.clock.now() + MARKER_TTL).unix_timestamp();
        // Set when a day item has reached the store's item size: its dimension counts are
        // left out, so that the clicks are still counted (see `analytics::bucket`).
        let mut plain = false;
        loop {
            let mut live = Vec::new();
            let mut merged: BTreeMap<Counter, DayCounts> = BTreeMap::new();
            for &index in group {
                let part = &mut parts[index];
                if part.state != PartState::Pending {
                    continue;
                }
                let mut any = false;
                for (counter, counts) in &part.counters {
                    if !missing.contains(&counter.owner()) {
                        merged.entry(counter.clone()).or_default().merge(counts);
                        any = true;
                    }
                }
                if any {
                    live.push(index);
                } else {
                    part.state = PartState::Skipped;
                }
            }
            if live.is_empty() {
                return Ok(());
            }
            let counters: Vec<Counter> = merged.keys().cloned().collect();
            let mut ops: Vec<TxOp> = live
                .iter()
                .map(|&index| marker_put(&parts[index].marker, expires))
                .collect();
            ops.extend(
                merged
                    .iter()
                    .map(|(counter, counts)| counter.op(counts, plain)),
            );
            report.transactions += 1;
            match self.store.transact(ops).await {
                Ok(()) => {
                    for index in live {
                        parts[index].state = PartState::Counted;
                    }
                    return Ok(());
                }
                Err(StoreError::TransactionCanceled { reasons }) => {
                    let mut understood = false;
                    for (position, reason) in reasons.iter().enumerate() {
                        match reason {
                            CancelReason::ConditionFailed => {}
                            CancelReason::Other(code) if is_size_error(code) && !plain => {
                                understood = true;
                                plain = true;
                                continue;
                            }
                            _ => continue,
                        }
                        understood = true;
                        match live.get(position) {
                            Some(&index) => parts[index].state = PartState::AlreadyCounted,
                            None => {
                                let owner = counters[position - live.len()].owner();
                                tracing::info!(?owner, "clicks on a deleted link or partner");
                                missing.insert(owner);
                            }
                        }
                    }
                    if !understood {
                        return Err(StoreError::TransactionCanceled { reasons });
                    }
                }
                Err(StoreError::Validation(message)) if !plain && is_size_error(&message) => {
                    tracing::warn!(%message, "a day's analytics item is full: counted without dimensions");
                    plain = true;
                }
                Err(error) => return Err(error),
            }
        }
    }
}

/// Whether a store error says that an item would exceed the item size.
fn is_size_error(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("item size") || message.contains("validationerror")
}

fn marker_put(marker: &Key, expires: i64) -> TxOp {
    let mut item = marker.to_item();
    item.insert(schema::TTL.into(), n(expires));
    TxOp::Put(Put {
        item,
        condition: Some(Condition::NotExists),
    })
}

/// Groups parts into transactions, shard by shard: each part brings its marker, and its
/// counters merge with the group's, within DynamoDB's action limit.
fn transactions(parts: &[Part]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&index| (parts[index].shard, index));
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut counters: BTreeSet<&Counter> = BTreeSet::new();
    for index in order {
        let part = &parts[index];
        let new = part
            .counters
            .keys()
            .filter(|counter| !counters.contains(counter))
            .count();
        let fits = groups
            .last()
            .is_some_and(|group| group.len() + 1 + counters.len() + new <= MAX_TRANSACTION_OPS);
        if !fits {
            groups.push(Vec::new());
            counters.clear();
        }
        groups.last_mut().expect("a group").push(index);
        counters.extend(part.counters.keys());
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Click;
    use crate::types::ClickId;
    use time::macros::datetime;

    fn click(link: usize, partner: Option<usize>, at: time::OffsetDateTime) -> Click {
        Click {
            id: ClickId::parse("clk_x").unwrap(),
            timestamp: at,
            link_id: LinkId::parse(&format!("link_{link}")).unwrap(),
            partner_id: partner.map(|p| PartnerId::parse(&format!("pn_{p}")).unwrap()),
            program_id: ProgramId::parse("prog_1").unwrap(),
            country: None,
            device: "Desktop".into(),
            browser: "Chrome".into(),
            os: "macOS".into(),
            referer: None,
            qr: false,
        }
    }

    fn batch(clicks: Vec<Click>) -> String {
        ClickBatch {
            batch_id: "cb_1".into(),
            clicks,
        }
        .to_body()
    }

    #[test]
    fn a_batch_is_tallied_per_link_partner_program_and_day() {
        let day1 = datetime!(2026-11-21 23:59 UTC);
        let day2 = datetime!(2026-11-22 00:01 +00:00);
        let (_, parts) = plan(&batch(vec![
            click(1, Some(1), day1),
            click(1, Some(1), day2),
            click(2, Some(1), day1),
            click(3, None, day1),
        ]))
        .unwrap();
        let mut all: BTreeMap<Counter, i64> = BTreeMap::new();
        for part in parts {
            for (counter, counts) in part.counters {
                *all.entry(counter).or_default() += counts.total(Metric::Clicks);
            }
        }
        let program = ProgramId::parse("prog_1").unwrap();
        let link = |i: usize| LinkId::parse(&format!("link_{i}")).unwrap();
        let pn_1 = PartnerId::parse("pn_1").unwrap();
        let (d1, d2) = (day1.date(), day2.date());
        let day = |d, scope| Counter::Day(program.clone(), d, scope);
        let expected = BTreeMap::from([
            (Counter::Link(link(1)), 2),
            (Counter::Link(link(2)), 1),
            (Counter::Link(link(3)), 1),
            (Counter::Partner(pn_1.clone()), 3),
            (day(d1, Scope::Program), 3),
            (day(d2, Scope::Program), 1),
            (day(d1, Scope::Link(link(1))), 1),
            (day(d2, Scope::Link(link(1))), 1),
            (day(d1, Scope::Link(link(2))), 1),
            (day(d1, Scope::Link(link(3))), 1),
        ]);
        assert_eq!(all, expected);
    }

    #[test]
    fn many_owners_split_into_parts_that_never_split_an_owner() {
        let at = datetime!(2026-11-21 12:00 UTC);
        let clicks: Vec<Click> = (0..100).map(|i| click(i, Some(i % 30), at)).collect();
        let (_, parts) = plan(&batch(clicks)).unwrap();
        // 100 links × 2 + 30 partners updates, and the program's day once per shard.
        let program_days = parts
            .iter()
            .flat_map(|p| p.counters.keys())
            .filter(|c| matches!(c, Counter::Day(_, _, Scope::Program)))
            .count();
        assert!(program_days <= super::super::shard::SHARDS);
        assert_eq!(
            parts.iter().map(|p| p.counters.len()).sum::<usize>(),
            230 + program_days
        );
        assert!(parts.iter().all(|p| p.counters.len() <= MAX_PART_ACTIONS));
        assert!(parts.windows(2).all(|pair| pair[0].shard <= pair[1].shard));
        for part in &parts {
            for counter in part.counters.keys() {
                // A link's counters go with its partner's (link i belongs to pn_{i % 30}).
                let partner = match counter.owner() {
                    Owner::Link(link) => {
                        let index: usize = link.as_str()["link_".len()..].parse().unwrap();
                        format!("pn_{}", index % 30)
                    }
                    Owner::Partner(partner) => partner.as_str().to_owned(),
                    Owner::Program(_) => continue,
                };
                assert_eq!(super::super::shard::shard_of_id(&partner), part.shard);
                if let Counter::Link(link) = counter {
                    let program = ProgramId::parse("prog_1").unwrap();
                    let day = Counter::Day(program, at.date(), Scope::Link(link.clone()));
                    assert!(part.counters.contains_key(&day));
                }
            }
        }
        // The same message always splits the same way.
        let again = plan(&batch(
            (0..100).map(|i| click(i, Some(i % 30), at)).collect(),
        ))
        .unwrap()
        .1;
        assert_eq!(parts, again);
    }

    #[test]
    fn a_link_lands_in_its_partner_shard_in_every_message() {
        let at = datetime!(2026-11-21 12:00 UTC);
        let shard_of = |clicks: Vec<Click>| {
            plan(&batch(clicks))
                .unwrap()
                .1
                .into_iter()
                .find(|p| {
                    p.counters
                        .contains_key(&Counter::Link(LinkId::parse("link_7").unwrap()))
                })
                .unwrap()
                .shard
        };
        let alone = shard_of(vec![click(7, Some(7), at)]);
        let crowded = shard_of((0..60).map(|i| click(i, Some(i % 9), at)).collect());
        assert_eq!(alone, crowded);
        assert_eq!(alone, super::super::shard::shard_of_id("pn_7"));
        // Without a partner, the link's own shard.
        let unowned = shard_of(vec![click(7, None, at)]);
        assert_eq!(unowned, super::super::shard::shard_of_id("link_7"));
    }

    #[test]
    fn malformed_messages_are_refused() {
        for body in [
            "",
            "not json",
            r#"{"batchId":"","clicks":[]}"#,
            r#"{"clicks":[]}"#,
            r#"{"batchId":"cb_1","clicks":[{"id":"nope"}]}"#,
        ] {
            assert!(plan(body).is_err(), "{body}");
        }
        let long = format!(r#"{{"batchId":"{}","clicks":[]}}"#, "x".repeat(200));
        assert!(plan(&long).is_err());
    }

    #[test]
    fn transactions_stay_within_100_actions_and_merge_shared_counters() {
        let part = |links: std::ops::Range<usize>| Part {
            message: 0,
            shard: 0,
            marker: Key::new("m", format!("{links:?}")),
            counters: links
                .map(|i| {
                    let mut one = DayCounts::default();
                    one.add(Metric::Clicks, 0, 1);
                    (
                        Counter::Link(LinkId::parse(&format!("link_{i}")).unwrap()),
                        one,
                    )
                })
                .collect(),
            state: PartState::Pending,
        };
        // Ten parts on the same 40 links merge into one transaction: 10 markers + 40 updates.
        let shared: Vec<Part> = (0..10).map(|_| part(0..40)).collect();
        assert_eq!(transactions(&shared), vec![(0..10).collect::<Vec<_>>()]);
        // Disjoint full parts: one per transaction (a marker + 96 updates); half parts, two.
        let disjoint: Vec<Part> = (0..3).map(|i| part(i * 96..i * 96 + 96)).collect();
        assert_eq!(transactions(&disjoint), vec![vec![0], vec![1], vec![2]]);
        let halves: Vec<Part> = (0..3).map(|i| part(i * 48..i * 48 + 48)).collect();
        assert_eq!(transactions(&halves), vec![vec![0, 1], vec![2]]);
    }
}
