//! `GET /commissions` (newest first, by program or by partner, filtered by status, type and
//! date range) and `GET /commissions/{id}`, in Dub's shape with the partner and the customer.

use crate::auth::{Principal, Scope};
use crate::commissions::records::commission_of;
use crate::commissions::records::find_commission;
use crate::context::AppContext;

use crate::model::CommissionWithParties;
use crate::model::CustomerActivity;
use crate::programs::caller_program_id;

use crate::customers::customer_of;
use crate::error::DomainError;
use crate::layout;
use crate::model::{Commission, CommissionStatus, CommissionType, Customer, Partner};
use crate::partners::{find_by_tenant, partner_of};
use crate::store::records::readable;
use crate::store::{Key, Query, RangeCondition, get_s, schema};
use crate::types::{CommissionId, CustomerId, PartnerId, ProgramId};
use std::collections::HashMap;
use time::OffsetDateTime;

#[derive(Debug, Clone, Default)]
pub struct CommissionFilter {
    pub partner_id: Option<PartnerId>,
    pub tenant_id: Option<String>,
    pub customer_id: Option<CustomerId>,
    pub invoice_id: Option<String>,
    pub status: Option<CommissionStatus>,
    pub kind: Option<CommissionType>,
    /// Inclusive bounds on the creation time.
    pub start: Option<OffsetDateTime>,
    pub end: Option<OffsetDateTime>,
    pub ascending: bool,
    /// Dub's `startingAfter`: the page continues after this commission of the list.
    pub starting_after: Option<String>,
}

impl CommissionFilter {
    fn keeps(&self, commission: &Commission) -> bool {
        self.status.is_none_or(|s| s == commission.status)
            && self.kind.is_none_or(|k| k == commission.kind)
            && self
                .customer_id
                .as_ref()
                .is_none_or(|c| commission.customer_id.as_ref() == Some(c))
            && self
                .invoice_id
                .as_ref()
                .is_none_or(|i| commission.invoice_id.as_ref() == Some(i))
    }
}

/// One page of commissions. Status, type, customer and invoice filters apply to each page
/// read (as a DynamoDB filter would), so a page may hold fewer items than `limit` while a
/// next cursor is still given.
pub async fn list_commissions(
    ctx: &AppContext,
    principal: &Principal,
    filter: CommissionFilter,
    cursor: Option<String>,
    limit: u32,
) -> Result<(Vec<CommissionWithParties>, Option<String>), DomainError> {
    let program = caller_program_id(principal, Scope::CommissionsRead)?;
    let store = ctx.store.as_ref();
    let partner = match (&filter.partner_id, &filter.tenant_id) {
        (Some(id), _) => Some(id.clone()),
        (None, Some(tenant)) => match find_by_tenant(store, &program, tenant).await? {
            Some(partner) => Some(partner.id),
            None => return Ok((Vec::new(), None)),
        },
        (None, None) => None,
    };
    let (index, partition) = match &partner {
        Some(partner) => (
            schema::GSI2,
            layout::partner_commissions_index_pk(&program, partner),
        ),
        None => (schema::GSI1, layout::commissions_index_pk(&program)),
    };
    let mut query = Query::index(index.name, partition);
    let cursor = match (cursor, &filter.starting_after) {
        (None, Some(after)) => Some(cursor_after_commission(ctx, &program, &index, after).await?),
        (cursor, _) => cursor,
    };
    let from = filter.start.map(|at| layout::time_sk(at, ""));
    let to = filter.end.map(|at| layout::time_sk(at, "~"));
    query.range = match (from, to) {
        (Some(from), Some(to)) => Some(RangeCondition::Between(from, to)),
        (Some(from), None) => Some(RangeCondition::GreaterOrEqual(from)),
        (None, Some(to)) => Some(RangeCondition::LessOrEqual(to)),
        (None, None) => None,
    };
    query.forward = filter.ascending;
    let page = store.query(query.limit(limit).cursor(cursor)).await?;
    let commissions: Vec<Commission> = page
        .items
        .iter()
        .filter_map(|item| readable(item, commission_of))
        .filter(|c| filter.keeps(c))
        .collect();
    Ok((enrich(ctx, &commissions).await?, page.next))
}

/// The cursor right after commission `id` of the program in `index` (400 for another).
async fn cursor_after_commission(
    ctx: &AppContext,
    program: &ProgramId,
    index: &crate::store::schema::IndexDef,
    id: &str,
) -> Result<String, DomainError> {
    let unknown =
        || DomainError::BadRequest("`startingAfter` is not a commission of this list.".into());
    let id = CommissionId::parse(id).map_err(|_| unknown())?;
    let item = ctx
        .store
        .get(
            &layout::commission(&id),
            crate::store::Consistency::Eventual,
        )
        .await?
        .filter(|item| readable(item, commission_of).is_some_and(|c| &c.program_id == program))
        .ok_or_else(unknown)?;
    crate::store::cursor_after(&item, index).ok_or_else(unknown)
}

pub async fn get_commission(
    ctx: &AppContext,
    principal: &Principal,
    id: &str,
) -> Result<CommissionWithParties, DomainError> {
    let program = caller_program_id(principal, Scope::CommissionsRead)?;
    let id = CommissionId::parse(id).map_err(|_| DomainError::not_found("Commission"))?;
    let commission = find_commission(ctx.store.as_ref(), &program, &id)
        .await?
        .ok_or_else(|| DomainError::not_found("Commission"))?;
    Ok(enrich(ctx, &[commission]).await?.remove(0))
}

/// Each commission with its partner and customer, read in one batch.
pub async fn enrich(
    ctx: &AppContext,
    commissions: &[Commission],
) -> Result<Vec<CommissionWithParties>, DomainError> {
    let mut keys: Vec<Key> = Vec::new();
    for commission in commissions {
        for key in std::iter::once(layout::partner(&commission.partner_id))
            .chain(commission.customer_id.as_ref().map(layout::customer))
        {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    let items = if keys.is_empty() {
        Vec::new()
    } else {
        ctx.store.batch_get(keys).await?
    };
    let mut partners: HashMap<String, Partner> = HashMap::new();
    let mut customers: HashMap<String, (Customer, CustomerActivity)> = HashMap::new();
    for item in &items {
        match get_s(item, schema::SK) {
            // A partner or customer that cannot be read is shown as the commission's ids only.
            Some("PARTNER") => {
                if let Some(partner) = readable(item, partner_of) {
                    partners.insert(partner.id.to_string(), partner);
                }
            }
            Some("CUSTOMER") => {
                if let Some((customer, activity)) = readable(item, customer_of) {
                    customers.insert(customer.id.to_string(), (customer, activity));
                }
            }
            _ => {}
        }
    }
    Ok(commissions
        .iter()
        .map(|commission| CommissionWithParties {
            partner: partners.get(commission.partner_id.as_str()).cloned(),
            customer: commission
                .customer_id
                .as_ref()
                .and_then(|id| customers.get(id.as_str()))
                .cloned(),
            commission: commission.clone(),
        })
        .collect())
}
