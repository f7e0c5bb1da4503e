//! What leads and sales share: the commission record, the `commission.created` payload and
//! the reading of a canceled transaction.

use super::payloads;
use crate::customers::CustomerActivity;
use crate::error::DomainError;
use crate::model::{
    Commission, CommissionStatus, CommissionType, Customer, Link, Partner, PartnerGroup,
    PartnerTotals,
};
use crate::ports::IdSource;
use crate::store::{CancelReason, StoreError};
use crate::types::{CommissionId, Currency, LeadId, SaleId};
use serde_json::{Value, json};
use time::OffsetDateTime;

/// How often an event is retried after a lost race (a concurrent event of the same customer
/// or partner), re-reading strongly each time.
pub const ATTEMPTS: usize = 5;

/// Whether the action at `index` is the one whose condition failed.
pub fn failed_at(error: &StoreError, index: Option<usize>) -> bool {
    match (error, index) {
        (StoreError::TransactionCanceled { reasons }, Some(index)) => {
            reasons.get(index) == Some(&CancelReason::ConditionFailed)
        }
        _ => false,
    }
}

pub fn contention() -> DomainError {
    DomainError::Conflict("Too many concurrent events for this customer; retry the request.".into())
}

/// Where a new commission comes from.
pub struct CommissionSource {
    pub kind: CommissionType,
    pub amount: i64,
    pub earnings: i64,
    pub currency: Currency,
    pub quantity: i64,
    pub invoice_id: Option<String>,
    pub description: Option<String>,
    pub lead_id: Option<LeadId>,
    pub sale_id: Option<SaleId>,
}

/// A new pending commission of the partner, held for the group's holding period.
pub fn new_commission(
    ids: &dyn IdSource,
    now: OffsetDateTime,
    partner: &Partner,
    group: &PartnerGroup,
    customer: &Customer,
    reward: Option<&crate::model::Reward>,
    source: CommissionSource,
) -> Commission {
    Commission {
        id: CommissionId::generate(ids),
        program_id: partner.program_id.clone(),
        partner_id: partner.id.clone(),
        group_id: group.id.clone(),
        customer_id: Some(customer.id.clone()),
        kind: source.kind,
        amount: source.amount,
        earnings: source.earnings,
        currency: source.currency,
        quantity: source.quantity,
        status: CommissionStatus::Pending,
        reward_id: reward.map(|r| r.id.clone()),
        invoice_id: source.invoice_id,
        description: source.description,
        lead_id: source.lead_id,
        sale_id: source.sale_id,
        link_id: customer.link_id.clone(),
        clawback_of: None,
        note: None,
        holds_until: now + time::Duration::days(group.holding_period_days.into()),
        paid_at: None,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

/// The `commission.created` data: Dub's commission with the partner (totals after the event),
/// the customer, the link and the applied reward.
#[allow(clippy::too_many_arguments)]
pub fn commission_created(
    commission: &Commission,
    metadata: Option<&Value>,
    partner: &Partner,
    totals: &PartnerTotals,
    customer: &Customer,
    activity: &CustomerActivity,
    link: Option<&Link>,
    reward: Value,
) -> Value {
    let mut data = payloads::commission(commission, metadata);
    data["partner"] = payloads::event_partner(partner, totals);
    data["customer"] = payloads::customer(customer, activity);
    data["link"] = link.map_or(Value::Null, |link| {
        json!({
            "id": link.id, "shortLink": payloads::short_link(link),
            "domain": link.domain, "key": link.key,
        })
    });
    data["reward"] = reward;
    data
}
