//! Dub's `GET /payouts` and `GET /payouts/{id}`, with the partner.
//!
//! Payouts are few (one per partner and run), so a list reads the program's payouts (or one
//! partner's) whole, then filters, sorts (by amount, creation or payment time) and cuts the
//! page in memory: Dub's sorts need every item, and one query page holds about a thousand.

use super::records::stored_payout_of;
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::layout;
use crate::model::{Partner, Payout, PayoutStatus};
use crate::partners::{find_by_tenant, partner_of};
use crate::programs::caller_program_id;
use crate::store::records::readable;
use crate::store::{Query, StoreError, schema};
use crate::types::{PartnerId, PayoutId, ProgramId};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum PayoutSort {
    #[default]
    Amount,
    /// When the payout was made (Dub: when it was initiated).
    InitiatedAt,
    PaidAt,
}

#[derive(Debug, Clone, Default)]
pub struct PayoutFilter {
    pub status: Option<PayoutStatus>,
    pub partner_id: Option<PartnerId>,
    pub tenant_id: Option<String>,
    /// The run (batch) id.
    pub invoice_id: Option<String>,
    pub sort_by: PayoutSort,
    pub ascending: bool,
}

/// Page `page` (1-based) of `size` payouts, each with its partner when it can be read.
pub async fn list_payouts(
    ctx: &AppContext,
    principal: &Principal,
    filter: PayoutFilter,
    page: u32,
    size: u32,
) -> Result<Vec<(Payout, Option<Partner>)>, DomainError> {
    let program = caller_program_id(principal, Scope::PayoutsRead)?;
    let store = ctx.store.as_ref();
    // Dub: `partnerId` takes precedence over `tenantId`.
    let partner = match (&filter.partner_id, &filter.tenant_id) {
        (Some(id), _) => Some(id.clone()),
        (None, Some(tenant)) => match find_by_tenant(store, &program, tenant).await? {
            Some(partner) => Some(partner.id),
            None => return Ok(Vec::new()),
        },
        (None, None) => None,
    };
    let mut payouts = all_payouts(ctx, &program, partner.as_ref()).await?;
    payouts.retain(|p| {
        filter.status.is_none_or(|s| s == p.status)
            && filter.invoice_id.as_ref().is_none_or(|i| *i == p.run_id)
    });
    sort(&mut payouts, filter.sort_by, filter.ascending);
    let start = (page.saturating_sub(1) as usize).saturating_mul(size as usize);
    let shown: Vec<Payout> = payouts
        .into_iter()
        .skip(start)
        .take(size as usize)
        .collect();
    with_partners(ctx, shown).await
}

fn sort(payouts: &mut [Payout], by: PayoutSort, ascending: bool) {
    payouts.sort_by(|a, b| {
        let order = match by {
            PayoutSort::Amount => a.amount.cmp(&b.amount),
            PayoutSort::InitiatedAt => a.created_at.cmp(&b.created_at),
            PayoutSort::PaidAt => a.paid_at.cmp(&b.paid_at),
        }
        // Ties follow the creation order (ids are time-ordered).
        .then_with(|| a.id.cmp(&b.id));
        if ascending { order } else { order.reverse() }
    });
}

/// Every sealed payout of the program, or of one partner.
pub async fn all_payouts(
    ctx: &AppContext,
    program: &ProgramId,
    partner: Option<&PartnerId>,
) -> Result<Vec<Payout>, StoreError> {
    let query = match partner {
        Some(partner) => Query::index(
            schema::GSI2.name,
            layout::partner_payouts_index_pk(program, partner),
        ),
        None => Query::index(schema::GSI1.name, layout::payouts_index_pk(program)),
    };
    let mut payouts = Vec::new();
    let mut cursor = None;
    loop {
        let page = ctx.store.query(query.clone().cursor(cursor)).await?;
        payouts.extend(
            page.items
                .iter()
                .filter_map(|item| readable(item, stored_payout_of))
                .map(|stored| stored.payout),
        );
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(payouts),
        }
    }
}

async fn with_partners(
    ctx: &AppContext,
    payouts: Vec<Payout>,
) -> Result<Vec<(Payout, Option<Partner>)>, DomainError> {
    let mut keys: Vec<_> = payouts
        .iter()
        .map(|p| layout::partner(&p.partner_id))
        .collect();
    keys.sort_by(|a, b| a.pk.cmp(&b.pk));
    keys.dedup();
    let items = ctx.store.batch_get(keys).await?;
    let partners: HashMap<PartnerId, Partner> = items
        .iter()
        .filter_map(|item| readable(item, partner_of))
        .map(|partner| (partner.id.clone(), partner))
        .collect();
    Ok(payouts
        .into_iter()
        .map(|payout| {
            let partner = partners
                .get(&payout.partner_id)
                .filter(|p| p.program_id == payout.program_id)
                .cloned();
            (payout, partner)
        })
        .collect())
}

/// A partner's own payouts, newest first (a partner session's `GET /v1/affiliate/payouts`).
pub async fn partner_payouts(
    ctx: &AppContext,
    partner: &Partner,
) -> Result<Vec<Payout>, DomainError> {
    let mut payouts = all_payouts(ctx, &partner.program_id, Some(&partner.id)).await?;
    payouts.sort_by(|a, b| b.id.cmp(&a.id));
    Ok(payouts)
}

/// One sealed payout of the caller's program.
pub async fn get_payout(
    ctx: &AppContext,
    principal: &Principal,
    id: &str,
) -> Result<(Payout, Option<Partner>), DomainError> {
    let program = caller_program_id(principal, Scope::PayoutsRead)?;
    let id = PayoutId::parse(id).map_err(|_| DomainError::not_found("Payout"))?;
    let stored = super::records::find_payout(ctx.store.as_ref(), &program, &id)
        .await?
        .filter(|stored| stored.building.is_none())
        .ok_or_else(|| DomainError::not_found("Payout"))?;
    let mut found = with_partners(ctx, vec![stored.payout]).await?;
    Ok(found.remove(0))
}
