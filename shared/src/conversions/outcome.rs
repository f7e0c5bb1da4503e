//! What the plans of leads and sales share: the new commission, the counters with their
//! range checks, the customer's record, the parties as events show them, `commission.created`
//! and the move rules after the commit. Pure: no reads, no clock.

use super::attribution::Parties;
use super::bounds;
use super::earnings::Earning;
use super::payloads;
use super::plan::{AfterCommit, Stamp, Write};
use crate::analytics::{self, conversion::ConversionCounts};
use crate::commissions::records::commission_payload;
use crate::model::CustomerActivity;

use crate::customers::tracked::ActivityChange;
use crate::error::DomainError;
use crate::model::EventName;
use crate::model::{
    Commission, CommissionStatus, CommissionType, Customer, DomainEvent, Link, LinkStats, Partner,
    PartnerGroup, PartnerStatus, PartnerTotals,
};
use crate::ports::IdSource;
use crate::types::{CommissionId, Currency, LeadId, SaleId};
use serde_json::{Value, json};
use time::OffsetDateTime;

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
        payout_id: None,
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
    let mut data = commission_payload(commission, metadata);
    data["partner"] = payloads::event_partner(partner, totals);
    data["customer"] = payloads::customer(customer, activity);
    data["link"] = link.map_or(Value::Null, |link| {
        json!({
            "id": link.id, "shortLink": link.short_link(),
            "domain": link.domain, "key": link.key,
        })
    });
    data["reward"] = reward;
    data
}

/// The partner's group, when the partner is approved: only approved partners earn.
pub fn earning_group(parties: &Parties) -> Option<(&Partner, &PartnerGroup)> {
    match (&parties.partner, &parties.group) {
        (Some(partner), Some(group)) if partner.status == PartnerStatus::Approved => {
            Some((partner, group))
        }
        _ => None,
    }
}

/// The commission of an earning, when it earns anything (a reward of 0 makes none).
pub fn commission_of_earning(
    stamp: &Stamp,
    parties: &Parties,
    earning: Option<&Earning>,
    source: impl FnOnce(&Earning) -> CommissionSource,
) -> Option<Commission> {
    let earning = earning.filter(|earning| earning.earnings > 0)?;
    let (partner, group) = earning_group(parties)?;
    Some(new_commission(
        stamp.ids,
        stamp.now,
        partner,
        group,
        &parties.customer,
        earning.reward.as_ref(),
        source(earning),
    ))
}

/// The customer's record: created with the event's activity, or its activity changed.
pub fn customer_write(parties: &Parties, change: ActivityChange) -> Write {
    if parties.is_new_customer {
        Write::InsertCustomer(Box::new(parties.customer.clone()), change)
    } else {
        Write::UpdateActivity(parties.customer.id.clone(), change)
    }
}

/// The partner's totals and the link's counters after an event, as its events show them.
#[derive(Debug, Clone)]
pub struct Counted {
    pub totals: Option<PartnerTotals>,
    pub link: Option<Link>,
}

/// Adds the event's deltas to the partner's totals, the link's counters and the analytics
/// counters of the event's hour (`at`); 422 when a total would leave the range.
pub fn count(
    parties: &Parties,
    partner_delta: PartnerTotals,
    link_delta: LinkStats,
    at: OffsetDateTime,
    writes: &mut Vec<Write>,
) -> Result<Counted, DomainError> {
    let (totals, link) = bounds::totals_after(parties, &partner_delta, &link_delta)?;
    let analytics = ConversionCounts::new(
        &parties.program.id,
        at,
        parties.link.as_ref().map(|l| &l.id),
        parties.partner.as_ref().map(|p| &p.id),
        parties.claims.as_ref().and_then(|c| c.country.as_deref()),
        analytics::conversion::Counted {
            leads: link_delta.leads,
            sales: link_delta.sales,
            sale_amount: link_delta.sale_amount,
            earnings: partner_delta.total_commissions,
        },
    );
    writes.push(Write::Analytics(Box::new(analytics)));
    if let Some(partner) = &parties.partner {
        writes.push(Write::PartnerTotals(partner.id.clone(), partner_delta));
    }
    if let Some(link) = &link {
        writes.push(Write::LinkStats(link.id.clone(), link_delta));
    }
    Ok(Counted { totals, link })
}

/// What lead and sale events say of their parties: the customer (with its activity after the
/// event), the click, the link and the partner with their counters after the event.
pub fn event_parties(parties: &Parties, activity: &CustomerActivity, counted: &Counted) -> Value {
    let click = parties
        .customer
        .click_id
        .as_ref()
        .map(|id| payloads::event_click(id, parties.claims.as_ref(), parties.link.as_ref()));
    let partner = parties
        .partner
        .as_ref()
        .zip(counted.totals.as_ref())
        .map(|(p, t)| payloads::event_partner(p, t));
    json!({
        "customer": payloads::customer(&parties.customer, activity),
        "click": click,
        "link": counted.link.as_ref().map(payloads::event_link),
        "partner": partner,
    })
}

/// The event's data: `fields` with the parties' parts.
pub fn event_data(fields: Value, parties: Value) -> Value {
    let mut data = fields;
    if let (Some(data), Value::Object(parties)) = (data.as_object_mut(), parties) {
        data.extend(parties);
    }
    data
}

/// `commission.created` of a new commission of the event's partner.
pub fn commission_event(
    stamp: &Stamp,
    commission: &Commission,
    metadata: Option<&Value>,
    parties: &Parties,
    activity: &CustomerActivity,
    counted: &Counted,
    reward: Option<Value>,
) -> Option<DomainEvent> {
    let partner = parties.partner.as_ref()?;
    let totals = counted.totals.as_ref()?;
    let data = commission_created(
        commission,
        metadata,
        partner,
        totals,
        &parties.customer,
        activity,
        counted.link.as_ref(),
        reward.unwrap_or(Value::Null),
    );
    Some(stamp.event(EventName::CommissionCreated, data))
}

/// After a lead or a sale: the group's move rules on the partner's totals after it.
pub fn move_rules(parties: &Parties, counted: &Counted) -> AfterCommit {
    match (&parties.partner, &parties.group, &counted.totals) {
        (Some(partner), Some(group), Some(totals)) => AfterCommit::MoveRules {
            partner: Box::new(partner.clone()),
            totals: *totals,
            group: Box::new(group.clone()),
        },
        _ => AfterCommit::Nothing,
    }
}
