//! Dub's `PATCH /commissions/bulk`: one status for many commissions, all or nothing. Read
//! (one batch of every commission), decide (every id must be the program's and may take the
//! status, else 422 naming each refused id and nothing is written), write (one transaction:
//! each commission on its version, the partners' totals, a `commission.updated` each).

use super::update::allowed;
use crate::auth::{Principal, Scope};
use crate::commissions::records::commission_of;
use crate::commissions::records::replace_commission;
use crate::context::AppContext;
use crate::partner_moves::after_commission_change;

use crate::error::DomainError;
use crate::layout;
use crate::model::EventName;
use crate::model::{Commission, CommissionStatus, PartnerTotals};
use crate::outbox;
use crate::partners::totals::add_partner_totals;
use crate::programs::caller_program_id;
use crate::store::records::readable;
use crate::store::{Put, TxOp, s};
use crate::types::{CommissionId, PartnerId, ProgramId};
use std::collections::BTreeMap;

/// The most commissions one request changes: each takes up to four actions (the commission,
/// its maturing marker, its partner's totals, its event) of a transaction's 100.
pub const MAX_BULK_COMMISSIONS: usize = 25;

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BulkUpdateCommissions {
    pub commission_ids: Vec<String>,
    pub status: BulkStatus,
}

/// The statuses Dub's bulk update sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BulkStatus {
    Pending,
    Refunded,
    Duplicate,
    Canceled,
    Fraud,
}

impl From<BulkStatus> for CommissionStatus {
    fn from(status: BulkStatus) -> Self {
        match status {
            BulkStatus::Pending => CommissionStatus::Pending,
            BulkStatus::Refunded => CommissionStatus::Refunded,
            BulkStatus::Duplicate => CommissionStatus::Duplicate,
            BulkStatus::Canceled => CommissionStatus::Canceled,
            BulkStatus::Fraud => CommissionStatus::Fraud,
        }
    }
}

fn parse_ids(raw: &[String]) -> Result<Vec<CommissionId>, DomainError> {
    if raw.is_empty() || raw.len() > MAX_BULK_COMMISSIONS {
        return Err(DomainError::Unprocessable(format!(
            "`commissionIds` takes 1 to {MAX_BULK_COMMISSIONS} ids (one transaction: all or nothing)."
        )));
    }
    let mut ids: Vec<CommissionId> = Vec::with_capacity(raw.len());
    for id in raw {
        let id = CommissionId::parse(id)
            .map_err(|_| DomainError::Unprocessable(format!("`{id}` is not a commission id.")))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// The decision: each commission's next state, or the ids that cannot take the status.
fn decide(
    ids: &[CommissionId],
    read: &BTreeMap<CommissionId, Commission>,
    status: CommissionStatus,
    now: time::OffsetDateTime,
) -> Result<Vec<(Commission, Commission)>, DomainError> {
    let refused: Vec<String> = ids
        .iter()
        .filter(|id| {
            // A commission in a payout follows its payout only.
            read.get(*id).is_none_or(|c| {
                c.payout_id.is_some() || (c.status != status && !allowed(c.status, status))
            })
        })
        .map(ToString::to_string)
        .collect();
    if !refused.is_empty() {
        return Err(DomainError::Unprocessable(format!(
            "These commissions are not the program's or cannot become `{}`: {}. Nothing was changed.",
            status.as_str(),
            refused.join(", ")
        )));
    }
    Ok(ids
        .iter()
        .filter_map(|id| read.get(id))
        .filter(|c| c.status != status)
        .map(|c| {
            let next = Commission {
                status,
                version: c.version + 1,
                updated_at: now,
                ..c.clone()
            };
            (c.clone(), next)
        })
        .collect())
}

/// Sets `status` on every commission named; answers `[{id, status}]` of all of them.
pub async fn bulk_update_commissions(
    ctx: &AppContext,
    principal: &Principal,
    request: BulkUpdateCommissions,
) -> Result<Vec<(CommissionId, CommissionStatus)>, DomainError> {
    let program = caller_program_id(principal, Scope::CommissionsWrite)?;
    let ids = parse_ids(&request.commission_ids)?;
    let status = CommissionStatus::from(request.status);
    let items = ctx
        .store
        .batch_get(ids.iter().map(layout::commission).collect())
        .await?;
    let read: BTreeMap<CommissionId, Commission> = items
        .iter()
        .filter_map(|item| readable(item, commission_of))
        .filter(|c| c.program_id == program)
        .map(|c| (c.id.clone(), c))
        .collect();
    let changes = decide(&ids, &read, status, ctx.clock.now())?;
    if !changes.is_empty() {
        write(ctx, principal, &program, &changes).await?;
    }
    Ok(ids.into_iter().map(|id| (id, status)).collect())
}

async fn write(
    ctx: &AppContext,
    principal: &Principal,
    program: &ProgramId,
    changes: &[(Commission, Commission)],
) -> Result<(), DomainError> {
    let mut ops = Vec::new();
    let mut deltas: BTreeMap<PartnerId, i64> = BTreeMap::new();
    for (read, next) in changes {
        ops.push(replace_commission(next, read.version)?);
        if next.status == CommissionStatus::Pending {
            let mut marker = layout::maturing_marker(&next.id, next.holds_until).to_item();
            marker.insert("commissionId".into(), s(next.id.as_str()));
            ops.push(TxOp::Put(Put {
                item: marker,
                condition: None,
            }));
        }
        *deltas.entry(next.partner_id.clone()).or_default() +=
            next.counted_earnings() - read.counted_earnings();
        let event = outbox::new_event(
            ctx.ids.as_ref(),
            ctx.clock.as_ref(),
            program,
            EventName::CommissionUpdated,
            principal.actor(),
            serde_json::json!({
                "commission": crate::commissions::records::commission_payload(next, None),
                "previousStatus": read.status,
                "previousEarnings": read.earnings,
            }),
        );
        ops.push(outbox::record(&event)?);
    }
    for (partner, delta) in &deltas {
        let totals = PartnerTotals {
            total_commissions: *delta,
            ..Default::default()
        };
        ops.extend(add_partner_totals(partner, &totals));
    }
    match ctx.store.transact(ops).await {
        Ok(()) => {}
        Err(error) if error.is_condition_failure() => {
            return Err(DomainError::Conflict(
                "A commission changed while this request ran; nothing was changed. Retry.".into(),
            ));
        }
        Err(error) => return Err(error.into()),
    }
    for (partner, delta) in deltas {
        if delta != 0 {
            after_commission_change(ctx, program, &partner).await;
        }
    }
    Ok(())
}
