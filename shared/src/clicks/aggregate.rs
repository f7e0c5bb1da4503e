//! The click aggregator: turns click-queue messages into counter updates, exactly once per
//! batch however often SQS delivers it.
//!
//! - Each message's clicks are tallied per link, per partner and per link, program and UTC
//!   day, and split into parts by the click's shard ([`shard_of`]: its partner's, else its
//!   link's), one part per shard of [`SHARDS`](super::shard::SHARDS). The split depends only
//!   on the message, so a redelivered message has the same parts, and the same link always
//!   lands in the same shard, whatever the message. The redirect buffers one batch per shard,
//!   so a message usually has one part and one marker. Changing [`SHARDS`](super::shard::SHARDS)
//!   changes the parts of waiting messages: only with the queue drained.
//! - Each part has a marker item (`layout::click_batch_marker(batch id, shard)`), written with
//!   `attribute_not_exists` in the same transaction as the merged counts of the parts of one
//!   shard of the invocation: one *tally* item (`journal`). A part is journaled once, and a
//!   batch that failed half-way redoes only its missing parts. A canceled transaction says
//!   which markers were there: those parts were counted before (acknowledged, nothing added).
//! - Tallies reach the counters in a *fold* (`fold`): many tallies at once, each counter
//!   written once per fold, exactly once per tally. The aggregator folds the shards it
//!   journaled when its [`FoldPolicy`] says they are due; a schedule folds the rest.
//! - No per-click item is stored: click ids are signed and carry their link, time and country
//!   (see `click_id`), which is all lead attribution needs.

use super::batch::ClickBatch;
use super::counter::{Counter, Owner};
use super::fold::{FoldOutcome, FoldPolicy, FoldTotals, Folder};
use super::journal::{self, MAX_TALLY_BYTES};
use super::shard::shard_of;
use crate::analytics::bucket::{DayCounts, Scope};
use crate::layout;
use crate::ports::{Clock, OsRandom, UlidIds};
use crate::store::{
    CancelReason, Condition, ItemStore, Key, MAX_TRANSACTION_OPS, Put, StoreError, TxOp, n, schema,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use time::Duration;

/// How long a batch marker is kept: longer than a message can live. The click queue and its
/// dead-letter queue keep messages 14 days, counted from the original send (a redrive from the
/// DLQ keeps that time), plus two days for a sender that re-sends a batch after a timeout.
pub const MARKER_TTL: Duration = Duration::days(16);

/// The longest accepted batch id (it is part of a key).
const MAX_BATCH_ID: usize = 128;

/// A message that is not a click batch: reported for retry, so it ends in the dead-letter
/// queue instead of being dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed click batch: {0}")]
pub struct MalformedBatch(String);

/// A batch's counts, in counter order, grouped by shard and owner.
type BatchTally = BTreeMap<(usize, Owner), BTreeMap<Counter, DayCounts>>;

/// The counts of one batch: per link, per partner, and the analytics counters of the link
/// and the program per UTC day.
fn tally(batch: &ClickBatch) -> BatchTally {
    let mut tally: BatchTally = BTreeMap::new();
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

/// The batch's counts split by shard: one part per shard, in shard order. A part's counts
/// become part of one tally item, so a part needs no bound of its own (a message is at most
/// 256 KB of clicks).
fn split(tally: BatchTally) -> Vec<PlannedPart> {
    let mut parts: BTreeMap<usize, BTreeMap<Counter, DayCounts>> = BTreeMap::new();
    for ((shard, _owner), counters) in tally {
        parts.entry(shard).or_default().extend(counters);
    }
    parts
        .into_iter()
        .map(|(shard, counters)| PlannedPart { shard, counters })
        .collect()
}

/// Parses a message and plans its parts.
fn plan(body: &str) -> Result<(String, Vec<PlannedPart>), MalformedBatch> {
    let batch = ClickBatch::parse(body).map_err(|e| MalformedBatch(e.to_string()))?;
    if batch.batch_id.is_empty() || batch.batch_id.len() > MAX_BATCH_ID {
        return Err(MalformedBatch(format!(
            "a batch id is 1 to {MAX_BATCH_ID} bytes"
        )));
    }
    let parts = split(tally(&batch));
    Ok((batch.batch_id, parts))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PartState {
    Pending,
    /// Added by this invocation.
    Counted,
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
    /// Parts whose counts this invocation journaled.
    pub parts_counted: usize,
    /// Parts an earlier delivery had journaled.
    pub parts_already_counted: usize,
    /// Transactions sent (journal writes), retries after a cancellation included.
    pub transactions: usize,
    /// Folds of the shards this invocation journaled (see `fold`).
    pub folds: Vec<FoldOutcome>,
    /// Links and partners found deleted by those folds: their clicks were not counted.
    pub missing_owners: usize,
}

pub struct ClickAggregator {
    store: Arc<dyn ItemStore>,
    clock: Arc<dyn Clock>,
    folder: Folder,
}

impl ClickAggregator {
    /// An aggregator that folds at every invocation ([`FoldPolicy::EVERY_INVOCATION`]).
    pub fn new(store: Arc<dyn ItemStore>, clock: Arc<dyn Clock>) -> Self {
        let ids = Arc::new(UlidIds::new(clock.clone(), Arc::new(OsRandom)));
        let folder = Folder::new(
            store.clone(),
            clock.clone(),
            ids,
            FoldPolicy::EVERY_INVOCATION,
        );
        Self {
            store,
            clock,
            folder,
        }
    }

    pub fn with_policy(mut self, policy: FoldPolicy) -> Self {
        self.folder.policy = policy;
        self
    }

    /// Folds every shard whose tallies are due (`force`: every shard with tallies); the
    /// schedule's work.
    pub async fn fold(&self, force: bool) -> Vec<Result<FoldOutcome, StoreError>> {
        self.folder.fold(force).await
    }

    /// Folds one shard if its tallies are due.
    pub async fn fold_shard(&self, shard: usize, force: bool) -> Result<FoldOutcome, StoreError> {
        self.folder.fold_shard(shard, force).await
    }

    /// What this aggregator's folds did so far.
    pub fn fold_totals(&self) -> FoldTotals {
        self.folder.totals()
    }

    /// Journals a batch of click-queue messages `(message id, body)`, then folds the shards
    /// it wrote to that are due.
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
                    for PlannedPart { shard, counters } in planned {
                        let marker = layout::click_batch_marker(&batch_id, shard);
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

        let mut journaled: BTreeSet<usize> = BTreeSet::new();
        for group in transactions(&parts) {
            match self.journal_group(&mut parts, &group, &mut report).await {
                Ok(()) => {}
                Err(error) => {
                    tracing::warn!(%error, parts = group.len(), "click counts kept for retry");
                    for &part in &group {
                        if parts[part].state == PartState::Pending {
                            parts[part].state = PartState::Failed;
                        }
                    }
                }
            }
            journaled.extend(
                group
                    .iter()
                    .filter(|&&part| parts[part].state == PartState::Counted)
                    .map(|&part| parts[part].shard),
            );
        }

        for part in &parts {
            match part.state {
                PartState::Counted => report.parts_counted += 1,
                PartState::AlreadyCounted => report.parts_already_counted += 1,
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
        report.failed = messages
            .into_iter()
            .zip(failed_messages)
            .filter_map(|((message_id, _), failed)| failed.then_some(message_id))
            .collect();
        // The journal holds the counts now: a failed fold is retried by the next one, so the
        // messages are acknowledged whatever it does.
        for shard in journaled {
            match self.fold_shard(shard, false).await {
                Ok(outcome) => {
                    if let FoldOutcome::Folded { missing_owners, .. } = outcome {
                        report.missing_owners += missing_owners;
                    }
                    report.folds.push(outcome);
                }
                Err(error) => tracing::warn!(%error, shard, "click fold left for the next one"),
            }
        }
        tracing::info!(
            counted = report.parts_counted,
            already_counted = report.parts_already_counted,
            transactions = report.transactions,
            folds = ?report.folds,
            failed = report.failed.len(),
            "click batches aggregated"
        );
        report
    }

    /// Journals the parts of one transaction (their markers and one tally), dropping those
    /// already journaled, until it commits or nothing is left.
    async fn journal_group(
        &self,
        parts: &mut [Part],
        group: &[usize],
        report: &mut AggregateReport,
    ) -> Result<(), StoreError> {
        let now = self.clock.now();
        let expires = (now + MARKER_TTL).unix_timestamp();
        loop {
            let live: Vec<usize> = group
                .iter()
                .copied()
                .filter(|&index| parts[index].state == PartState::Pending)
                .collect();
            let Some(&first) = live.first() else {
                return Ok(());
            };
            let mut merged = journal::Tally::new();
            for &index in &live {
                for (counter, counts) in &parts[index].counters {
                    merged.entry(counter.clone()).or_default().merge(counts);
                }
            }
            let data = journal::encode(&merged);
            if data.len() > MAX_TALLY_BYTES && live.len() > 1 {
                // Too large for one item: each half in its own transaction.
                let (left, right) = live.split_at(live.len() / 2);
                Box::pin(self.journal_group(parts, left, report)).await?;
                return Box::pin(self.journal_group(parts, right, report)).await;
            }
            let marker = &parts[first].marker;
            let id = format!("{}#{}", marker.pk, marker.sk);
            let tally = journal::tally_item(parts[first].shard, &id, data, &merged, now);
            let mut ops: Vec<TxOp> = live
                .iter()
                .map(|&index| marker_put(&parts[index].marker, expires))
                .collect();
            ops.push(TxOp::Put(Put {
                item: tally,
                condition: Some(Condition::NotExists),
            }));
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
                        if *reason == CancelReason::ConditionFailed
                            && let Some(&index) = live.get(position)
                        {
                            parts[index].state = PartState::AlreadyCounted;
                            understood = true;
                        }
                    }
                    if !understood {
                        return Err(StoreError::TransactionCanceled { reasons });
                    }
                }
                Err(error) => return Err(error),
            }
        }
    }
}

fn marker_put(marker: &Key, expires: i64) -> TxOp {
    let mut item = marker.to_item();
    item.insert(schema::TTL.into(), n(expires));
    TxOp::Put(Put {
        item,
        condition: Some(Condition::NotExists),
    })
}

/// Groups parts into transactions, shard by shard: each part brings its marker, and the
/// group one tally of their merged counts (split again if its tally is too large).
fn transactions(parts: &[Part]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&index| (parts[index].shard, index));
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut shard = None;
    for index in order {
        let fits = shard == Some(parts[index].shard)
            && groups
                .last()
                .is_some_and(|group| group.len() + 1 < MAX_TRANSACTION_OPS);
        if !fits {
            groups.push(Vec::new());
            shard = Some(parts[index].shard);
        }
        groups.last_mut().expect("a group").push(index);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::bucket::Metric;
    use crate::model::Click;
    use crate::types::{LinkId, PartnerId, ProgramId};
    use time::macros::datetime;

    fn click(link: usize, partner: Option<usize>, at: time::OffsetDateTime) -> Click {
        Click {
            partner_id: partner.map(|p| PartnerId::parse(&format!("pn_{p}")).unwrap()),
            ..crate::testkit::a_click(&format!("link_{link}"), at)
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
    fn a_message_has_one_part_per_shard_and_links_go_with_their_partners() {
        let at = datetime!(2026-11-21 12:00 UTC);
        let clicks: Vec<Click> = (0..100).map(|i| click(i, Some(i % 30), at)).collect();
        let (_, parts) = plan(&batch(clicks)).unwrap();
        let shards: Vec<usize> = parts.iter().map(|p| p.shard).collect();
        let mut sorted = shards.clone();
        sorted.dedup();
        assert_eq!(shards, sorted, "one part per shard, in shard order");
        // 100 links × 2 + 30 partners, and the program's day once per shard.
        assert_eq!(
            parts.iter().map(|p| p.counters.len()).sum::<usize>(),
            230 + parts.len()
        );
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
    fn transactions_hold_one_shard_and_at_most_99_markers() {
        let part = |shard: usize, number: usize| Part {
            message: 0,
            shard,
            marker: Key::new("m", number.to_string()),
            counters: BTreeMap::new(),
            state: PartState::Pending,
        };
        // 150 parts of shard 0 and 2 of shard 1: 99 + 51 markers (each with one tally), then 2.
        let mut parts: Vec<Part> = (0..150).map(|i| part(0, i)).collect();
        parts.push(part(1, 150));
        parts.insert(3, part(1, 151));
        let groups = transactions(&parts);
        let sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
        assert_eq!(sizes, [99, 51, 2]);
        for group in &groups {
            let shards: BTreeSet<usize> = group.iter().map(|&i| parts[i].shard).collect();
            assert_eq!(shards.len(), 1);
        }
    }
}
