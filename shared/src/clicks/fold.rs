//! The fold: adds a shard's journaled tallies (`journal`) to the link, partner and analytics
//! counters, exactly once, without a transaction.
//!
//! - **One fold per shard at a time**: a lease on the shard's state item
//!   (`CLICKFOLD` / `SHARD#{n}`, conditional on an expired lease). A fold that finds the lease
//!   held leaves its tallies to the holder's next fold.
//! - **A plan before any write**: the fold's sequence number and the keys of the tallies it
//!   adds are stored in the state item first. A fold that dies half-way leaves the plan; the
//!   next holder resumes it with the same tallies and number.
//! - **Each counter once per fold**: every counter update sets `fold{shard}` to the fold's
//!   number, on the condition that it held a smaller one, so a resumed plan skips what was
//!   written (a plain `UpdateItem` at standard rates, half a transactional write). The
//!   numbers only grow: the next is the larger of the last one + 1 and the time in
//!   milliseconds, so that even a lost state item cannot reuse one.
//! - **Deleted owners**: a link's or partner's update requires the item; when it is gone, its
//!   counts (and its link's day) are dropped, as before the journal.
//! - Tallies are deleted after every counter is written; then the plan is cleared.
//!
//! **When**: a [`FoldPolicy`]. Each counter write costs by the item, not by the clicks it adds,
//! so a fold is due when the pending clicks per distinct counter reach a threshold (a busy
//! program folds at every invocation), or when the oldest tally reaches the longest delay (a
//! long tail of links clicked once or twice per window waits, and is written once per delay).

use super::counter::{Counter, Owner};
use super::journal::{StoredTally, Tally, read_tally, tally_partition};
use super::shard::SHARDS;
use crate::analytics::bucket::DayCounts;
use crate::layout;
use crate::ports::{Clock, IdSource};
use crate::store::{
    BatchWrite, Condition, Consistency, Item, ItemStore, Key, Query, StoreError, Update,
    UpdateItem, get_n, get_s, n, s,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use time::Duration;

/// When a shard's tallies are folded into the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoldPolicy {
    /// Fold when the pending clicks are at least this many per distinct counter.
    pub min_clicks_per_counter: u32,
    /// Fold when the oldest pending tally is this old, whatever the clicks.
    pub max_delay: Duration,
}

impl FoldPolicy {
    /// At every invocation: counters as fresh as the queue's batching allows (the local
    /// stack and the tests).
    pub const EVERY_INVOCATION: FoldPolicy = FoldPolicy {
        min_clicks_per_counter: 0,
        max_delay: Duration::ZERO,
    };

    /// The deployed default. A counter write costs about 3 write units (an item of up to
    /// 1 KB and its index copies), so folding at 50 clicks per counter keeps the folds near
    /// 0.06 units per click, about $0.04 per million clicks. A program whose
    /// counters each gain 50 clicks per window folds at every invocation; a long tail waits,
    /// up to an hour (see docs/links-and-clicks.md, "Click counting", for the report that
    /// chose them).
    pub const DEPLOYED: FoldPolicy = FoldPolicy {
        min_clicks_per_counter: 50,
        max_delay: Duration::hours(1),
    };

    fn due(&self, clicks: i64, counters: usize, oldest: i64, now: i64) -> bool {
        clicks >= i64::from(self.min_clicks_per_counter) * counters as i64
            || now - oldest >= self.max_delay.whole_seconds()
    }
}

/// More pending tallies than this are folded whatever the policy (a bound on a fold's reads
/// and memory).
const MAX_PENDING_TALLIES: usize = 400;

/// How long a fold holds its shard. Longer than a fold takes (its writes run 16 at a time);
/// a holder that outlives it is harmless: its remaining writes find a newer number.
const LEASE_MS: i64 = 120_000;

/// Counter owners written at once.
const CONCURRENCY: usize = 16;

/// Links and partners known to be deleted (ids are never reused), remembered across folds so
/// that each costs one failed write per process, not per fold. Cleared when this large.
const MAX_REMEMBERED_MISSING: usize = 10_000;

const SEQ: &str = "seq";
const LEASE: &str = "lease";
const HOLDER: &str = "holder";
const PLAN: &str = "plan";
const PLAN_SEQ: &str = "planSeq";

/// What a fold of one shard did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoldOutcome {
    /// Another fold holds the shard.
    Busy,
    /// No tallies waiting.
    Empty,
    /// Tallies waiting, not due yet.
    NotDue { tallies: usize, clicks: i64 },
    Folded {
        tallies: usize,
        clicks: i64,
        counters: usize,
        /// Links and partners that no longer exist: their clicks were dropped.
        missing_owners: usize,
    },
}

/// What this aggregator's folds did so far: for logs and the click cost report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FoldTotals {
    pub folds: u64,
    pub tallies: u64,
    pub clicks: i64,
    /// Clicks × seconds from their tally's journaling to its fold: divided by `clicks`, the
    /// mean time a click waited in the journal.
    pub click_wait_seconds: i64,
    pub longest_wait_seconds: i64,
}

fn fold_attribute(shard: usize) -> String {
    format!("fold{shard}")
}

/// Folds shards' tallies into the counters (see the module docs).
pub(crate) struct Folder {
    store: Arc<dyn ItemStore>,
    clock: Arc<dyn Clock>,
    /// Names each fold's hold on its shard.
    ids: Arc<dyn IdSource>,
    pub(crate) policy: FoldPolicy,
    missing: Mutex<BTreeSet<Owner>>,
    totals: Mutex<FoldTotals>,
}

impl Folder {
    pub(crate) fn new(
        store: Arc<dyn ItemStore>,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdSource>,
        policy: FoldPolicy,
    ) -> Self {
        Self {
            store,
            clock,
            ids,
            policy,
            missing: Mutex::default(),
            totals: Mutex::default(),
        }
    }

    /// What the folds did so far.
    pub fn totals(&self) -> FoldTotals {
        *self.totals.lock().expect("fold totals lock")
    }

    /// Folds every shard whose tallies are due (`force`: every shard with tallies).
    pub async fn fold(&self, force: bool) -> Vec<Result<FoldOutcome, StoreError>> {
        let mut outcomes = Vec::with_capacity(SHARDS);
        for shard in 0..SHARDS {
            outcomes.push(self.fold_shard(shard, force).await);
        }
        outcomes
    }

    /// Folds one shard if its tallies are due (see the module docs).
    pub async fn fold_shard(&self, shard: usize, force: bool) -> Result<FoldOutcome, StoreError> {
        let now = self.clock.now();
        let now_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
        let holder = self.ids.next_id();
        let state_key = layout::click_fold_state(shard);
        let state = match self
            .store
            .update(UpdateItem {
                key: state_key.clone(),
                update: Update::new()
                    .set(LEASE, n(now_ms + LEASE_MS))
                    .set(HOLDER, s(&holder)),
                condition: Some(Condition::Or(vec![
                    Condition::AttributeNotExists(LEASE.into()),
                    Condition::LessThan(LEASE.into(), n(now_ms)),
                ])),
            })
            .await
        {
            Ok(state) => state,
            Err(StoreError::ConditionFailed { .. }) => return Ok(FoldOutcome::Busy),
            Err(error) => return Err(error),
        };
        let held = Condition::equals(HOLDER, s(&holder));
        let outcome = self
            .fold_held(shard, &state, now.unix_timestamp(), now_ms, &held, force)
            .await;
        // Cleared with the plan when folded; released here otherwise (an error keeps the plan
        // for the next holder, who waits for the lease to end: a fault is not hammered).
        if !matches!(outcome, Ok(FoldOutcome::Folded { .. }) | Err(_)) {
            release(self.store.as_ref(), &state_key, &held, Update::new()).await?;
        }
        outcome
    }

    async fn fold_held(
        &self,
        shard: usize,
        state: &Item,
        now: i64,
        now_ms: i64,
        held: &Condition,
        force: bool,
    ) -> Result<FoldOutcome, StoreError> {
        let mut tallies = pending(self.store.as_ref(), shard).await?;
        let (seq, merged) = match (get_s(state, PLAN), get_n(state, PLAN_SEQ)) {
            // A plan left by a fold that stopped half-way: the same tallies, the same number.
            // A planned tally already gone was deleted after all its counters were written.
            (Some(plan), Some(seq)) => {
                let planned: BTreeSet<&str> = plan.lines().collect();
                tallies.retain(|tally| planned.contains(tally.key.sk.as_str()));
                (seq, merge(&tallies))
            }
            _ => {
                if tallies.is_empty() {
                    return Ok(FoldOutcome::Empty);
                }
                let clicks = tallies.iter().map(|t| t.clicks).sum();
                let merged = merge(&tallies);
                let oldest = tallies.iter().map(|t| t.at).min().unwrap_or(now);
                if !force
                    && tallies.len() < MAX_PENDING_TALLIES
                    && !self.policy.due(clicks, merged.len(), oldest, now)
                {
                    return Ok(FoldOutcome::NotDue {
                        tallies: tallies.len(),
                        clicks,
                    });
                }
                let seq = (get_n(state, SEQ).unwrap_or(0) + 1).max(now_ms);
                let plan: Vec<&str> = tallies.iter().map(|t| t.key.sk.as_str()).collect();
                self.store
                    .update(UpdateItem {
                        key: layout::click_fold_state(shard),
                        update: Update::new()
                            .set(PLAN, s(plan.join("\n")))
                            .set(PLAN_SEQ, n(seq)),
                        condition: Some(held.clone()),
                    })
                    .await?;
                (seq, merged)
            }
        };
        let counters = merged.len();
        let missing_owners = self.write_counters(shard, seq, merged).await?;
        {
            let mut totals = self.totals.lock().expect("fold totals lock");
            totals.folds += 1;
            for tally in &tallies {
                let wait = (now - tally.at).max(0);
                totals.tallies += 1;
                totals.clicks += tally.clicks;
                totals.click_wait_seconds += tally.clicks * wait;
                totals.longest_wait_seconds = totals.longest_wait_seconds.max(wait);
            }
        }
        let keys: Vec<BatchWrite> = tallies
            .iter()
            .map(|t| BatchWrite::Delete(t.key.clone()))
            .collect();
        if !keys.is_empty() {
            self.store.batch_write(keys).await?;
        }
        release(
            self.store.as_ref(),
            &layout::click_fold_state(shard),
            held,
            Update::new().set(SEQ, n(seq)).remove(PLAN).remove(PLAN_SEQ),
        )
        .await?;
        Ok(FoldOutcome::Folded {
            tallies: tallies.len(),
            clicks: tallies.iter().map(|t| t.clicks).sum(),
            counters,
            missing_owners,
        })
    }

    /// Writes each counter once for fold `seq`, owners [`CONCURRENCY`] at a time; returns
    /// how many owners were found deleted.
    async fn write_counters(
        &self,
        shard: usize,
        seq: i64,
        merged: Tally,
    ) -> Result<usize, StoreError> {
        let known_missing = self.missing.lock().expect("missing owners lock").clone();
        let mut by_owner: BTreeMap<Owner, Vec<(Counter, DayCounts)>> = BTreeMap::new();
        for (counter, counts) in merged {
            let owner = counter.owner();
            if !known_missing.contains(&owner) {
                by_owner.entry(owner).or_default().push((counter, counts));
            }
        }
        let mut gone = Vec::new();
        let mut owners = by_owner.into_iter();
        let mut running = tokio::task::JoinSet::new();
        let mut failure = None;
        loop {
            while running.len() < CONCURRENCY {
                let Some((owner, mut counters)) = owners.next() else {
                    break;
                };
                // The link's or partner's own record first: its days follow only if it exists.
                counters.sort_by_key(|(counter, _)| !counter.is_owner_record());
                let store = self.store.clone();
                running.spawn(async move {
                    let exists = write_owner(store, shard, seq, counters).await;
                    (owner, exists)
                });
            }
            let Some(done) = running.join_next().await else {
                break;
            };
            match done.map_err(StoreError::engine)? {
                (_, Ok(true)) => {}
                (owner, Ok(false)) => {
                    tracing::info!(?owner, "clicks on a deleted link or partner");
                    gone.push(owner);
                }
                (_, Err(error)) => failure = Some(error),
            }
        }
        if let Some(error) = failure {
            return Err(error);
        }
        let count = gone.len();
        if count > 0 {
            let mut remembered = self.missing.lock().expect("missing owners lock");
            if remembered.len() + count > MAX_REMEMBERED_MISSING {
                remembered.clear();
            }
            remembered.extend(gone);
        }
        Ok(count)
    }
}

/// Writes one owner's counters for fold `seq`; `false` when the owner no longer exists.
async fn write_owner(
    store: Arc<dyn ItemStore>,
    shard: usize,
    seq: i64,
    counters: Vec<(Counter, DayCounts)>,
) -> Result<bool, StoreError> {
    let attribute = fold_attribute(shard);
    for (counter, counts) in counters {
        // Set when a day item has reached the store's item size: its dimension counts are
        // left out, so that the clicks are still counted (see `analytics::bucket`).
        let mut plain = false;
        loop {
            let mut update = counter.update(&counts, plain);
            update.update = update.update.set(attribute.as_str(), n(seq));
            let newer = Condition::Or(vec![
                Condition::AttributeNotExists(attribute.clone()),
                Condition::LessThan(attribute.clone(), n(seq)),
            ]);
            update.condition = Some(match update.condition.take() {
                Some(condition) => condition.and(newer),
                None => newer,
            });
            let key = update.key.clone();
            match store.update(update).await {
                Ok(_) => break,
                // Written by this fold before it stopped, or (an owner's record) deleted.
                Err(StoreError::ConditionFailed { .. }) => {
                    if counter.is_owner_record() && !exists(store.as_ref(), &key).await? {
                        return Ok(false);
                    }
                    break;
                }
                Err(StoreError::Validation(message)) if !plain && is_size_error(&message) => {
                    tracing::warn!(%message, "a day's analytics item is full: counted without dimensions");
                    plain = true;
                }
                Err(error) => return Err(error),
            }
        }
    }
    Ok(true)
}

async fn exists(store: &dyn ItemStore, key: &Key) -> Result<bool, StoreError> {
    Ok(store.get(key, Consistency::Strong).await?.is_some())
}

/// Ends this fold's hold on the shard, with `update`'s changes; a lost lease changes nothing.
async fn release(
    store: &dyn ItemStore,
    key: &Key,
    held: &Condition,
    update: Update,
) -> Result<(), StoreError> {
    match store
        .update(UpdateItem {
            key: key.clone(),
            update: update.remove(LEASE).remove(HOLDER),
            condition: Some(held.clone()),
        })
        .await
    {
        Ok(_) | Err(StoreError::ConditionFailed { .. }) => Ok(()),
        Err(error) => Err(error),
    }
}

/// A shard's pending tallies, oldest first, read strongly (a tally written before the query
/// is in it). A tally that does not read stops the fold: it is never dropped.
async fn pending(store: &dyn ItemStore, shard: usize) -> Result<Vec<StoredTally>, StoreError> {
    let mut tallies = Vec::new();
    let mut cursor = None;
    loop {
        let mut query = Query::table(tally_partition(shard));
        query.consistency = Consistency::Strong;
        query.cursor = cursor;
        let page = store.query(query).await?;
        for item in &page.items {
            tallies.push(read_tally(item).map_err(StoreError::Validation)?);
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(tallies),
        }
    }
}

fn merge(tallies: &[StoredTally]) -> Tally {
    let mut merged = Tally::new();
    for stored in tallies {
        for (counter, counts) in &stored.tally {
            merged.entry(counter.clone()).or_default().merge(counts);
        }
    }
    merged
}

/// Whether a store error says that an item would exceed the item size.
fn is_size_error(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("item size") || message.contains("validationerror")
}
