//! `POST /track/sale`: a sale of a known customer (or, with a `clickId`, of a new one), the
//! partner's sale reward, the counters and the events, in one transaction. An `invoiceId` is
//! claimed in the same transaction, so it records one sale per program, forever; a repeat gets
//! the first response.

use super::attribution::Parties;
use super::earnings::{Earning, Facts, SaleFacts, sale_earning};
use super::input::{SaleInput, TrackSaleRequest};
use super::outcome::{
    CommissionSource, Counted, commission_event, commission_of_earning, count, customer_write,
    earning_group, event_data, event_parties, move_rules,
};
use super::pipeline;
use super::plan::{Claim, Decision, Plan, Stamp, Write};
use super::read::{SaleRead, read_sale};
use crate::auth::{Principal, Scope};
use crate::clicks::ClickIdSigner;
use crate::context::AppContext;
use crate::customers::tracked::ActivityChange;
use crate::error::DomainError;
use crate::idempotency::{IdempotencyKey, Recorded};
use crate::model::EventName;
use crate::model::{Commission, CommissionType, DomainEvent, LinkStats, PartnerTotals, Sale};
use crate::programs::caller_program_id;
use crate::types::SaleId;
use crate::wire::tracking::{SaleCustomerSchema, TrackSaleResponse, TrackedSaleSchema};
use serde_json::json;

/// Tracks a sale; the response is Dub's `{eventName, customer, sale}`.
pub async fn track_sale(
    ctx: &AppContext,
    signer: &ClickIdSigner,
    principal: &Principal,
    request: TrackSaleRequest,
    key: Option<IdempotencyKey>,
) -> Result<Recorded<TrackSaleResponse>, DomainError> {
    let program = caller_program_id(principal, Scope::ConversionsWrite)?;
    let input = &request.check()?;
    pipeline::run(
        ctx,
        &program,
        key.as_ref(),
        principal.actor(),
        |request| async move { read_sale(ctx, signer, &request, input).await },
        |read, stamp| decide_sale(input, read, stamp),
    )
    .await
}

/// The sale's plan: the customer, the sale, its commission when the partner earns one, the
/// counters (a customer's first sale is a conversion), the events and the invoice's claim.
pub fn decide_sale(
    input: &SaleInput,
    read: SaleRead,
    stamp: &Stamp,
) -> Result<Decision<TrackSaleResponse>, DomainError> {
    if let Some(stored) = read.replay {
        return Ok(Decision::Replay(stored));
    }
    if let Some(first) = read.invoice {
        return Ok(Decision::Answer(Recorded::Stored(first)));
    }
    let Some(parties) = read.parties else {
        // Dub: an unknown customer without a click records nothing.
        return Ok(Decision::Answer(Recorded::Built(response(input, None))));
    };
    if input.currency != parties.program.currency {
        return Err(DomainError::Unprocessable(format!(
            "The sale's currency must be the program's currency (`{}`).",
            parties.program.currency
        )));
    }
    let sale_id = SaleId::generate(stamp.ids);
    let earning = sale_reward(input, &parties, stamp)?;
    let commission = commission_of_earning(stamp, &parties, earning.as_ref(), |earning| {
        sale_commission(input, earning, &sale_id)
    });
    let sale = new_sale(input, &parties, sale_id, commission.as_ref(), stamp);
    let change = activity_change(
        &parties,
        earning.as_ref(),
        commission.as_ref(),
        input,
        stamp,
    );
    let mut writes = vec![customer_write(&parties, change)];
    writes.push(Write::InsertSale(Box::new(sale.clone())));
    writes.extend(
        commission
            .iter()
            .map(|c| Write::InsertCommission(Box::new(c.clone()))),
    );
    let counted = count_sale(&parties, input, commission.as_ref(), stamp.now, &mut writes)?;
    let events = sale_events(
        stamp,
        input,
        &sale,
        commission.as_ref(),
        earning.as_ref(),
        &parties,
        &counted,
    )?;
    Ok(Decision::Write(Plan {
        response: response(input, Some(&parties)),
        claim: input.invoice_id.as_ref().map(|invoice| Claim::Invoice {
            invoice_id: invoice.clone(),
            sale_id: sale.id.clone(),
        }),
        writes,
        events,
        then: move_rules(&parties, &counted),
    }))
}

fn response(input: &SaleInput, parties: Option<&Parties>) -> TrackSaleResponse {
    TrackSaleResponse {
        event_name: input.event_name.clone(),
        customer: parties.map(|p| SaleCustomerSchema::of(&p.customer)),
        sale: parties.map(|_| tracked_sale(input)),
    }
}

fn tracked_sale(input: &SaleInput) -> TrackedSaleSchema {
    TrackedSaleSchema {
        amount: input.amount,
        currency: input.currency,
        payment_processor: input.payment_processor,
        invoice_id: input.invoice_id.clone(),
        metadata: input.metadata.clone(),
    }
}

/// The group's sale reward (or the program's default rate) for an approved partner, unless its
/// duration is over for the customer; 422 when it would earn out of range.
fn sale_reward(
    input: &SaleInput,
    parties: &Parties,
    stamp: &Stamp,
) -> Result<Option<Earning>, DomainError> {
    let Some((partner, group)) = earning_group(parties) else {
        return Ok(None);
    };
    let sale = SaleFacts {
        amount: input.amount,
        currency: input.currency.code(),
        event_name: &input.event_name,
        invoice_id: input.invoice_id.as_deref(),
        payment_processor: input.payment_processor.as_str(),
    };
    let facts = Facts {
        customer: &parties.customer,
        partner,
        sale: Some(sale),
    };
    let earning = sale_earning(
        &group.rewards,
        &facts,
        input.amount,
        parties.program.settings.default_commission_rate,
        parties.activity.first_commission_at,
        stamp.now,
    );
    if let Some(earning) = &earning {
        super::bounds::earnings_in_range(earning.earnings)?;
    }
    Ok(earning)
}

fn sale_commission(input: &SaleInput, earning: &Earning, sale: &SaleId) -> CommissionSource {
    CommissionSource {
        kind: CommissionType::Sale,
        amount: input.amount,
        earnings: earning.earnings,
        currency: input.currency,
        quantity: 1,
        invoice_id: input.invoice_id.clone(),
        description: earning.reward.as_ref().and_then(|r| r.description.clone()),
        lead_id: None,
        sale_id: Some(sale.clone()),
    }
}

fn new_sale(
    input: &SaleInput,
    parties: &Parties,
    id: SaleId,
    commission: Option<&Commission>,
    stamp: &Stamp,
) -> Sale {
    Sale {
        id,
        program_id: stamp.program.clone(),
        event_name: input.event_name.clone(),
        customer_id: parties.customer.id.clone(),
        click_id: parties.customer.click_id.clone(),
        link_id: parties.customer.link_id.clone(),
        partner_id: parties.partner.as_ref().map(|p| p.id.clone()),
        amount: input.amount,
        currency: input.currency,
        payment_processor: input.payment_processor,
        invoice_id: input.invoice_id.clone(),
        lead_event_name: input.lead_event_name.clone(),
        metadata: input.metadata.clone(),
        commission_id: commission.map(|c| c.id.clone()),
        refunded_amount: 0,
        timestamp: stamp.now,
        version: 1,
    }
}

/// The customer's activity after the sale, with what the decision relied on: that this is the
/// first sale (a conversion), and for a first-sale-only reward, the first commission.
fn activity_change(
    parties: &Parties,
    earning: Option<&Earning>,
    commission: Option<&Commission>,
    input: &SaleInput,
    stamp: &Stamp,
) -> ActivityChange {
    let first_sale_only = earning
        .and_then(|e| e.reward.as_ref())
        .is_some_and(|r| r.max_duration == Some(0));
    ActivityChange {
        sales: 1,
        sale_amount: input.amount,
        sale_at: Some(stamp.now),
        commission_at: commission.map(|_| stamp.now),
        lead_rewarded_at: None,
        expects_no_sale: parties.activity.first_sale_at.is_none(),
        expects_no_commission: commission.is_some() && first_sale_only,
    }
}

/// One sale on the partner and the link, their first conversion when it is the customer's
/// first sale, and the commission's earnings.
fn count_sale(
    parties: &Parties,
    input: &SaleInput,
    commission: Option<&Commission>,
    at: time::OffsetDateTime,
    writes: &mut Vec<Write>,
) -> Result<Counted, DomainError> {
    let conversion = i64::from(parties.activity.first_sale_at.is_none());
    let partner_delta = PartnerTotals {
        total_conversions: conversion,
        total_sales: 1,
        total_sale_amount: input.amount,
        total_commissions: commission.map_or(0, |c| c.earnings),
        ..Default::default()
    };
    let link_delta = LinkStats {
        conversions: conversion,
        sales: 1,
        sale_amount: input.amount,
        ..Default::default()
    };
    count(parties, partner_delta, link_delta, at, writes)
}

/// `sale.created` and, with a commission, `commission.created`; 422 when the customer's sale
/// amount would leave the range.
fn sale_events(
    stamp: &Stamp,
    input: &SaleInput,
    sale: &Sale,
    commission: Option<&Commission>,
    earning: Option<&Earning>,
    parties: &Parties,
    counted: &Counted,
) -> Result<Vec<DomainEvent>, DomainError> {
    let mut activity = parties.activity;
    activity.sales = activity.sales.saturating_add(1);
    activity.sale_amount = super::bounds::customer_sale_amount_after(&activity, input.amount)?;
    activity.first_sale_at = activity.first_sale_at.or(Some(stamp.now));
    let reward = earning.map(|e| e.reward_json(parties.program.settings.default_commission_rate));
    let fields = json!({
        "eventName": sale.event_name,
        "eventId": sale.id,
        "sale": tracked_sale(input),
        "metadata": sale.metadata,
        "reward": reward,
    });
    let data = event_data(fields, event_parties(parties, &activity, counted));
    let mut events = vec![stamp.event(EventName::SaleCreated, data)];
    events.extend(commission.and_then(|commission| {
        commission_event(
            stamp,
            commission,
            sale.metadata.as_ref(),
            parties,
            &activity,
            counted,
            reward,
        )
    }));
    Ok(events)
}
