//! `POST /track/lead`: a signup attributed to a click (or a registered deal), its customer,
//! the partner's lead reward (one per partner and customer), the counters and the events, in
//! one transaction.

use super::attribution::Parties;
use super::earnings::{Earning, Facts, lead_earning};
use super::input::{LeadInput, LeadMode, TrackLeadRequest};
use super::outcome::{
    CommissionSource, Counted, commission_event, commission_of_earning, count, customer_write,
    earning_group, event_data, event_parties, move_rules,
};
use super::pipeline;
use super::plan::{AfterCommit, Claim, Decision, Plan, Stamp, Write};
use super::read::{LeadRead, read_lead};
use crate::auth::{Principal, Scope};
use crate::clicks::ClickIdSigner;
use crate::context::AppContext;
use crate::customers::tracked::ActivityChange;
use crate::error::DomainError;
use crate::idempotency::{IdempotencyKey, Recorded};
use crate::model::EventName;
use crate::model::{Commission, CommissionType, Lead, LinkStats, PartnerTotals};
use crate::programs::caller_program_id;
use crate::types::LeadId;
use crate::wire::tracking::TrackLeadResponse;
use serde_json::json;

/// Tracks a lead; the response is Dub's `{click, link, customer}`.
pub async fn track_lead(
    ctx: &AppContext,
    signer: &ClickIdSigner,
    principal: &Principal,
    request: TrackLeadRequest,
    key: Option<IdempotencyKey>,
) -> Result<Recorded<TrackLeadResponse>, DomainError> {
    let program = caller_program_id(principal, Scope::ConversionsWrite)?;
    let input = &request.check()?;
    pipeline::run(
        ctx,
        &program,
        key.as_ref(),
        principal.actor(),
        |request| async move { read_lead(ctx, signer, &request, input).await },
        |read, stamp| decide_lead(input, read, stamp),
    )
    .await
}

/// The lead's plan: the customer, the lead, its commission when the partner earns one (the
/// lead reward pays once per customer), the counters and the events.
pub fn decide_lead(
    input: &LeadInput,
    read: LeadRead,
    stamp: &Stamp,
) -> Result<Decision<TrackLeadResponse>, DomainError> {
    if let Some(stored) = read.replay {
        return Ok(Decision::Replay(stored));
    }
    let parties = read.parties.ok_or_else(no_attribution)?;
    let response = TrackLeadResponse::of(&parties.customer, parties.link.as_ref());
    if input.mode == LeadMode::Deferred {
        return Ok(deferred(parties, response));
    }
    let lead_id = LeadId::generate(stamp.ids);
    let earning = lead_reward(input, &parties)?;
    let commission = lead_commission(stamp, input, &parties, earning.as_ref(), &lead_id);
    let lead = new_lead(input, &parties, lead_id, commission.as_ref(), stamp);
    let change = ActivityChange {
        lead_rewarded_at: commission.as_ref().map(|_| stamp.now),
        ..Default::default()
    };
    let mut writes = vec![customer_write(&parties, change.clone())];
    writes.push(Write::InsertLead(Box::new(lead.clone())));
    writes.extend(
        commission
            .iter()
            .map(|c| Write::InsertCommission(Box::new(c.clone()))),
    );
    let counted = count_lead(&parties, commission.as_ref(), stamp.now, &mut writes)?;
    let events = lead_events(
        stamp,
        &lead,
        commission.as_ref(),
        earning.as_ref(),
        &parties,
        &change,
        &counted,
    );
    Ok(Decision::Write(Plan {
        response,
        claim: Some(Claim::LeadDedupe {
            customer: parties.customer.id.clone(),
            event_name: input.event_name.clone(),
        }),
        writes,
        events,
        then: move_rules(&parties, &counted),
    }))
}

fn no_attribution() -> DomainError {
    DomainError::NotFound(
        "Click not found: a lead for a new customer needs a `clickId` (or a deal registered for its email)."
            .into(),
    )
}

/// A deferred lead creates the customer (with its click's attribution) and nothing else; for
/// a known customer it records nothing.
fn deferred(parties: Parties, response: TrackLeadResponse) -> Decision<TrackLeadResponse> {
    if !parties.is_new_customer {
        return Decision::Answer(Recorded::Built(response));
    }
    Decision::Write(Plan {
        response,
        claim: None,
        writes: vec![customer_write(&parties, ActivityChange::default())],
        events: Vec::new(),
        then: AfterCommit::Nothing,
    })
}

/// The group's lead reward for an approved partner; 422 when it would earn out of range.
fn lead_reward(input: &LeadInput, parties: &Parties) -> Result<Option<Earning>, DomainError> {
    let Some((partner, group)) = earning_group(parties) else {
        return Ok(None);
    };
    let facts = Facts {
        customer: &parties.customer,
        partner,
        sale: None,
    };
    let earning = lead_earning(&group.rewards, &facts, input.quantity);
    if let Some(earning) = &earning {
        super::bounds::earnings_in_range(earning.earnings)?;
    }
    Ok(earning)
}

/// The lead reward's commission: once per customer, when it earns anything.
fn lead_commission(
    stamp: &Stamp,
    input: &LeadInput,
    parties: &Parties,
    earning: Option<&Earning>,
    lead: &LeadId,
) -> Option<Commission> {
    if parties.activity.lead_rewarded_at.is_some() {
        return None;
    }
    commission_of_earning(stamp, parties, earning, |earning| CommissionSource {
        kind: CommissionType::Lead,
        amount: 0,
        earnings: earning.earnings,
        currency: parties.program.currency,
        quantity: input.quantity,
        invoice_id: None,
        description: earning.reward.as_ref().and_then(|r| r.description.clone()),
        lead_id: Some(lead.clone()),
        sale_id: None,
    })
}

/// One lead on the partner and the link, and the commission's earnings.
fn count_lead(
    parties: &Parties,
    commission: Option<&Commission>,
    at: time::OffsetDateTime,
    writes: &mut Vec<Write>,
) -> Result<Counted, DomainError> {
    let partner_delta = PartnerTotals {
        total_leads: 1,
        total_commissions: commission.map_or(0, |c| c.earnings),
        ..Default::default()
    };
    let link_delta = LinkStats {
        leads: 1,
        ..Default::default()
    };
    count(parties, partner_delta, link_delta, at, writes)
}

fn new_lead(
    input: &LeadInput,
    parties: &Parties,
    id: LeadId,
    commission: Option<&Commission>,
    stamp: &Stamp,
) -> Lead {
    Lead {
        id,
        program_id: stamp.program.clone(),
        event_name: input.event_name.clone(),
        customer_id: parties.customer.id.clone(),
        click_id: parties.customer.click_id.clone(),
        link_id: parties.customer.link_id.clone(),
        partner_id: parties.partner.as_ref().map(|p| p.id.clone()),
        quantity: input.quantity,
        metadata: input.metadata.clone(),
        commission_id: commission.map(|c| c.id.clone()),
        timestamp: stamp.now,
    }
}

/// `lead.created` and, with a commission, `commission.created`.
fn lead_events(
    stamp: &Stamp,
    lead: &Lead,
    commission: Option<&Commission>,
    earning: Option<&Earning>,
    parties: &Parties,
    change: &ActivityChange,
    counted: &Counted,
) -> Vec<crate::model::DomainEvent> {
    let mut activity = parties.activity;
    activity.lead_rewarded_at = activity.lead_rewarded_at.or(change.lead_rewarded_at);
    let reward = earning.map(|e| e.reward_json(parties.program.settings.default_commission_rate));
    let fields = json!({
        "eventName": lead.event_name,
        "eventId": lead.id,
        "metadata": lead.metadata,
        "reward": reward,
    });
    let data = event_data(fields, event_parties(parties, &activity, counted));
    let mut events = vec![stamp.event(EventName::LeadCreated, data)];
    events.extend(commission.and_then(|commission| {
        commission_event(
            stamp,
            commission,
            lead.metadata.as_ref(),
            parties,
            &activity,
            counted,
            reward,
        )
    }));
    events
}
