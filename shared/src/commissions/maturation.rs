//! The scheduled maturation: pending commissions become `processed` (payable) once their
//! group's holding period is over. It reads only the maturing markers due by now (a sorted
//! query per shard, never a scan); a marker whose commission left `pending` meanwhile is just
//! removed.

use crate::commissions::records::commission_of;
use crate::commissions::records::remove_maturing_marker;
use crate::commissions::records::replace_commission;
use crate::context::AppContext;

use crate::layout;
use crate::model::EventName;
use crate::model::{Actor, CommissionStatus};
use crate::outbox;
use crate::store::{Consistency, Delete, Key, Query, RangeCondition, StoreError, get_s};
use crate::types::CommissionId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MaturationReport {
    /// Commissions that became processed.
    pub processed: usize,
    /// Markers removed because their commission was no longer pending.
    pub skipped: usize,
    /// Commissions left for the next run (a lost race, or the run's limit).
    pub deferred: usize,
}

const PAGE: u32 = 100;

/// Processes due commissions, at most `max` of them in this run.
pub async fn mature_commissions(
    ctx: &AppContext,
    max: usize,
) -> Result<MaturationReport, StoreError> {
    let store = ctx.store.as_ref();
    let now = ctx.clock.now();
    let due = layout::time_sk(now, "~");
    let mut report = MaturationReport::default();
    // A banned partner's commissions wait for their cancel job instead of becoming payable.
    let banned = super::cancel::partners_being_canceled(store).await?;
    for shard in 0..layout::MATURING_SHARDS {
        let mut cursor = None;
        loop {
            if report.processed + report.skipped >= max {
                report.deferred += 1;
                return Ok(report);
            }
            let page = store
                .query(
                    Query::table(layout::maturing_shard_pk(shard))
                        .range(RangeCondition::LessOrEqual(due.clone()))
                        .limit(PAGE)
                        .cursor(cursor),
                )
                .await?;
            for marker in &page.items {
                let marker_key = Key::of(marker)?;
                let Some(id) =
                    get_s(marker, "commissionId").and_then(|id| CommissionId::parse(id).ok())
                else {
                    delete(store, marker_key).await?;
                    report.skipped += 1;
                    continue;
                };
                let commission = store
                    .get(&layout::commission(&id), Consistency::Strong)
                    .await?
                    .as_ref()
                    .map(commission_of)
                    .transpose()?;
                let Some(read) = commission
                    .filter(|c| c.status == CommissionStatus::Pending && c.holds_until <= now)
                else {
                    delete(store, marker_key).await?;
                    report.skipped += 1;
                    continue;
                };
                if banned.contains(&read.partner_id) {
                    report.deferred += 1;
                    continue;
                }
                let mut next = read.clone();
                next.status = CommissionStatus::Processed;
                next.version += 1;
                next.updated_at = now;
                let event = outbox::new_event(
                    ctx.ids.as_ref(),
                    ctx.clock.as_ref(),
                    &read.program_id,
                    EventName::CommissionUpdated,
                    Actor::System,
                    serde_json::json!({
                        "commission": crate::commissions::records::commission_payload(&next, None),
                        "previousStatus": read.status,
                    }),
                );
                let ops = vec![
                    replace_commission(&next, read.version)?,
                    remove_maturing_marker(&read),
                    outbox::record(&event)?,
                ];
                match store.transact(ops).await {
                    Ok(()) => report.processed += 1,
                    Err(error) if error.is_condition_failure() => report.deferred += 1,
                    Err(error) => return Err(error),
                }
            }
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
    }
    Ok(report)
}

async fn delete(store: &dyn crate::store::ItemStore, key: Key) -> Result<(), StoreError> {
    store
        .delete(Delete {
            key,
            condition: None,
        })
        .await
        .map(|_| ())
}
