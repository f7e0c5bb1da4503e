//! A banned partner's unpaid commissions become `canceled`. Dub cancels a banned partner's
//! pending commissions and leaves processed and paid ones alone (they were earned before the
//! ban); we also cancel `hold` ones (a status of ours: a commission waiting for a review the
//! ban settles). A deactivation keeps every commission, as in Dub.
//!
//! Durability: the ban's transaction writes a cancel job (`layout::commission_cancel_job`).
//! The ban request then cancels what it can at once (a bounded number of pages); the scheduled
//! maturation runs the job again once it is due ([`CANCEL_JOB_DELAY`] later, when any sale that
//! read the partner before the ban has committed or failed) and deletes it only after a pass
//! that reached the end with nothing left. Each commission changes in its own conditional
//! transaction (commission if `version` + totals + marker + event), so running twice, or
//! concurrently with a PATCH or the maturation, cancels each commission at most once.

use crate::commissions::records::commission_of;
use crate::commissions::records::remove_maturing_marker;
use crate::commissions::records::replace_commission;
use crate::context::AppContext;

use crate::layout;
use crate::model::EventName;
use crate::model::{Actor, Commission, CommissionStatus, PartnerTotals};
use crate::outbox;
use crate::partners::totals::add_partner_totals;
use crate::store::{
    Consistency, Delete, Put, Query, RangeCondition, StoreError, TxOp, get_s, s, schema,
};
use crate::types::{PartnerId, ProgramId};
use std::collections::HashSet;

/// A job runs again this long after the ban: longer than any tracking request that may have
/// read the partner before the ban, so its commission is canceled too.
pub const CANCEL_JOB_DELAY: time::Duration = time::Duration::minutes(15);

/// Commissions read per page of a partner's commissions.
const PAGE: u32 = 100;

/// Tries per commission when a concurrent change wins the condition.
const TRIES: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelReport {
    /// Commissions this pass canceled.
    pub canceled: usize,
    /// What left the partner's `totalCommissions` (pending earnings; held ones were not counted).
    pub removed_from_totals: i64,
    /// Pages of the partner's commissions read.
    pub pages: usize,
    /// The pass read every page and nothing stayed contended: the job can go.
    pub complete: bool,
}

fn cancelable(status: CommissionStatus) -> bool {
    matches!(status, CommissionStatus::Pending | CommissionStatus::Hold)
}

/// The job item, for the ban's transaction.
pub fn cancel_job(program: &ProgramId, partner: &PartnerId, now: time::OffsetDateTime) -> TxOp {
    let mut item =
        layout::commission_cancel_job(program, partner, now + CANCEL_JOB_DELAY).to_item();
    item.insert("programId".into(), s(program.as_str()));
    item.insert("partnerId".into(), s(partner.as_str()));
    TxOp::Put(Put {
        item,
        condition: None,
    })
}

/// Cancels the partner's pending and held commissions, reading at most `max_pages` pages.
pub async fn cancel_pending_commissions(
    ctx: &AppContext,
    program: &ProgramId,
    partner: &PartnerId,
    max_pages: usize,
) -> Result<CancelReport, StoreError> {
    let store = ctx.store.as_ref();
    let mut report = CancelReport::default();
    let mut contended = false;
    let mut cursor = None;
    while report.pages < max_pages {
        let page = store
            .query(
                Query::index(
                    schema::GSI2.name,
                    layout::partner_commissions_index_pk(program, partner),
                )
                .limit(PAGE)
                .cursor(cursor),
            )
            .await?;
        report.pages += 1;
        for item in &page.items {
            let listed = commission_of(item)?;
            if !cancelable(listed.status) {
                continue;
            }
            match cancel_one(ctx, listed).await? {
                Outcome::Canceled { removed } => {
                    report.canceled += 1;
                    report.removed_from_totals = report.removed_from_totals.saturating_add(removed);
                }
                Outcome::NotCancelable => {}
                Outcome::Contended => contended = true,
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => {
                report.complete = !contended;
                break;
            }
        }
    }
    Ok(report)
}

enum Outcome {
    Canceled { removed: i64 },
    NotCancelable,
    Contended,
}

/// Cancels one commission read from the index (which may be stale): when its condition fails,
/// reads it strongly and tries again.
async fn cancel_one(ctx: &AppContext, listed: Commission) -> Result<Outcome, StoreError> {
    let store = ctx.store.as_ref();
    let mut read = listed;
    for _ in 0..TRIES {
        if !cancelable(read.status) {
            return Ok(Outcome::NotCancelable);
        }
        let removed = read.counted_earnings();
        match store.transact(cancel_ops(ctx, &read, removed)?).await {
            Ok(()) => return Ok(Outcome::Canceled { removed }),
            Err(error) if error.is_condition_failure() => {
                match store
                    .get(&layout::commission(&read.id), Consistency::Strong)
                    .await?
                {
                    Some(item) => read = commission_of(&item)?,
                    None => return Ok(Outcome::NotCancelable),
                }
            }
            Err(error) => return Err(error),
        }
    }
    Ok(Outcome::Contended)
}

fn cancel_ops(ctx: &AppContext, read: &Commission, removed: i64) -> Result<Vec<TxOp>, StoreError> {
    let mut next = read.clone();
    next.status = CommissionStatus::Canceled;
    next.version += 1;
    next.updated_at = ctx.clock.now();
    let mut ops = vec![replace_commission(&next, read.version)?];
    if read.status == CommissionStatus::Pending {
        ops.push(remove_maturing_marker(read));
    }
    ops.extend(add_partner_totals(
        &read.partner_id,
        &PartnerTotals {
            total_commissions: -removed,
            ..Default::default()
        },
    ));
    let event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &read.program_id,
        EventName::CommissionUpdated,
        Actor::System,
        serde_json::json!({
            "commission": crate::commissions::records::commission_payload(&next, None),
            "previousStatus": read.status,
            "previousEarnings": read.earnings,
            "reason": "partner.banned",
        }),
    );
    ops.push(outbox::record(&event)?);
    Ok(ops)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelSweepReport {
    /// Commissions canceled by the due jobs.
    pub canceled: usize,
    /// Jobs finished and deleted.
    pub finished: usize,
    /// Due jobs left for the next run (the page budget, or contention).
    pub left: usize,
}

/// Runs the due cancel jobs, reading at most `max_pages` pages of commissions in all.
pub async fn run_cancel_jobs(
    ctx: &AppContext,
    max_pages: usize,
) -> Result<CancelSweepReport, StoreError> {
    let store = ctx.store.as_ref();
    let due = layout::time_sk(ctx.clock.now(), "~");
    let mut report = CancelSweepReport::default();
    let mut pages_left = max_pages;
    let mut cursor = None;
    loop {
        let page = store
            .query(
                Query::table(layout::COMMISSION_CANCELS_PK)
                    .range(RangeCondition::LessOrEqual(due.clone()))
                    .limit(PAGE)
                    .cursor(cursor),
            )
            .await?;
        for job in &page.items {
            let Some((program, partner)) = job_parties(job) else {
                delete_job(store, job).await?;
                continue;
            };
            if pages_left == 0 {
                report.left += 1;
                continue;
            }
            let pass = cancel_pending_commissions(ctx, &program, &partner, pages_left).await?;
            pages_left = pages_left.saturating_sub(pass.pages);
            report.canceled += pass.canceled;
            if pass.complete {
                delete_job(store, job).await?;
                report.finished += 1;
            } else {
                report.left += 1;
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(report),
        }
    }
}

/// The partners with an open cancel job, due or not: the maturation leaves their pending
/// commissions alone, so a ban is never overtaken by a commission becoming payable.
pub async fn partners_being_canceled(
    store: &dyn crate::store::ItemStore,
) -> Result<HashSet<PartnerId>, StoreError> {
    let mut partners = HashSet::new();
    let mut cursor = None;
    loop {
        let page = store
            .query(
                Query::table(layout::COMMISSION_CANCELS_PK)
                    .consistent()
                    .limit(PAGE)
                    .cursor(cursor),
            )
            .await?;
        partners.extend(page.items.iter().filter_map(job_parties).map(|(_, p)| p));
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(partners),
        }
    }
}

fn job_parties(job: &crate::store::Item) -> Option<(ProgramId, PartnerId)> {
    let program = ProgramId::parse(get_s(job, "programId")?).ok()?;
    let partner = PartnerId::parse(get_s(job, "partnerId")?).ok()?;
    Some((program, partner))
}

async fn delete_job(
    store: &dyn crate::store::ItemStore,
    job: &crate::store::Item,
) -> Result<(), StoreError> {
    store
        .delete(Delete {
            key: crate::store::Key::of(job)?,
            condition: None,
        })
        .await
        .map(|_| ())
}
