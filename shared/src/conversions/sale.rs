//! `POST /track/sale`: a sale of a known customer (or, with a `clickId`, of a new one), the
//! partner's sale reward, the counters and the events, in one transaction. An `invoiceId` is
//! claimed in the same transaction, so it records one sale per program, forever; a repeat gets
//! the first response.

use super::attribution::{Attribution, NewCustomers, Parties};
use super::commit::{
    ATTEMPTS, CommissionSource, commission_created, contention, failed_at, new_commission,
};
use super::earnings::{Facts, SaleFacts, sale_earning};
use super::input::{SaleInput, TrackSaleRequest};
use super::moves::apply_move_rules;
use super::{payloads, records};
use crate::auth::{Principal, Scope};
use crate::clicks::ClickIdSigner;
use crate::context::AppContext;
use crate::customers::tracked::{ActivityChange, insert_tracked_customer, update_activity};
use crate::error::DomainError;
use crate::idempotency::{self, IdempotencyKey, Recorded};
use crate::layout;
use crate::model::{CommissionType, LinkStats, PartnerStatus, PartnerTotals, Sale};
use crate::outbox;
use crate::partners::totals::{add_link_stats, add_partner_totals};
use crate::store::{Key, TxOp};
use crate::types::{ProgramId, SaleId};
use crate::wire::tracking::{SaleCustomerSchema, TrackSaleResponse, TrackedSaleSchema};
use serde_json::{Value, json};
use time::OffsetDateTime;

/// Tracks a sale; the response is Dub's `{eventName, customer, sale}`.
pub async fn track_sale(
    ctx: &AppContext,
    signer: &ClickIdSigner,
    principal: &Principal,
    request: TrackSaleRequest,
    key: Option<IdempotencyKey>,
) -> Result<Recorded<TrackSaleResponse>, DomainError> {
    let program = principal
        .own_program(Scope::ConversionsWrite)
        .map_err(|denied| DomainError::denied(denied, "Program"))?;
    let input = request.check()?;
    for attempt in 0..ATTEMPTS {
        if let Some(body) = attempt_sale(
            ctx,
            signer,
            principal,
            &program,
            &input,
            key.as_ref(),
            attempt > 0,
        )
        .await?
        {
            return Ok(body);
        }
    }
    Err(contention())
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

async fn done(
    ctx: &AppContext,
    program: &ProgramId,
    key: Option<&IdempotencyKey>,
    body: Recorded<TrackSaleResponse>,
    now: OffsetDateTime,
) -> Result<Recorded<TrackSaleResponse>, DomainError> {
    match key {
        Some(key) => idempotency::record_alone(ctx.store.as_ref(), program, key, body, now).await,
        None => Ok(body),
    }
}

/// The first response of an invoice already recorded, if it is.
async fn recorded_invoice(
    ctx: &AppContext,
    program: &ProgramId,
    input: &SaleInput,
) -> Result<Option<Value>, DomainError> {
    let Some(invoice) = &input.invoice_id else {
        return Ok(None);
    };
    Ok(records::find_invoice(ctx.store.as_ref(), program, invoice)
        .await?
        .map(|claim| claim.response))
}

/// One try; `None` when a race was lost and the sale must be re-read and retried.
async fn attempt_sale(
    ctx: &AppContext,
    signer: &ClickIdSigner,
    principal: &Principal,
    program: &ProgramId,
    input: &SaleInput,
    key: Option<&IdempotencyKey>,
    retry: bool,
) -> Result<Option<Recorded<TrackSaleResponse>>, DomainError> {
    let store = ctx.store.as_ref();
    let now = ctx.clock.now();
    let attribution = Attribution::new(
        signer,
        program,
        &input.customer,
        input.click_id.as_deref(),
        NewCustomers::ByClick,
    );
    // The first read also looks for the request's idempotency record and its invoice claim, so
    // a repeat is answered without a transaction, and a first sale costs no extra read.
    let key_record = key.map(|key| key.record_key(program));
    let invoice_key = input
        .invoice_id
        .as_ref()
        .map(|invoice| layout::invoice_claim(program, invoice));
    let extra: Vec<Key> = key_record.iter().chain(&invoice_key).cloned().collect();
    let first = attribution.read(ctx, &extra, retry).await?;
    if let (Some(key), Some(record)) = (key, &key_record)
        && let Some(stored) = idempotency::replay_of(first.item(record), key, now)?
    {
        return Ok(Some(Recorded::Stored(stored)));
    }
    if let Some(claim) = invoice_key.as_ref().and_then(|k| first.item(k)) {
        let response = records::invoice_claim_of(claim)?.response;
        return done(ctx, program, key, Recorded::Stored(response), now)
            .await
            .map(Some);
    }
    let Some(parties) = attribution.resolve(ctx, &first, now, retry).await? else {
        // Dub: an unknown customer without a click records nothing.
        return done(
            ctx,
            program,
            key,
            Recorded::Built(response(input, None)),
            now,
        )
        .await
        .map(Some);
    };
    if input.currency != parties.program.currency {
        return Err(DomainError::Unprocessable(format!(
            "The sale's currency must be the program's currency (`{}`).",
            parties.program.currency
        )));
    }
    let body = response(input, Some(&parties));
    let sale_id = SaleId::generate(ctx.ids.as_ref());
    let mut ops: Vec<TxOp> = Vec::new();
    let key_index = key.map(|key| {
        ops.push(idempotency::record(program, key, &body, now));
        ops.len() - 1
    });
    let invoice_index = input.invoice_id.as_ref().map(|invoice| {
        ops.push(records::invoice_claim(program, invoice, &sale_id, &body));
        ops.len() - 1
    });

    let first_sale = parties.activity.first_sale_at.is_none();
    let earning = match (&parties.partner, &parties.group) {
        (Some(partner), Some(group)) if partner.status == PartnerStatus::Approved => {
            let facts = Facts {
                customer: &parties.customer,
                partner,
                sale: Some(SaleFacts {
                    amount: input.amount,
                    currency: input.currency.code(),
                    event_name: &input.event_name,
                    invoice_id: input.invoice_id.as_deref(),
                    payment_processor: input.payment_processor.as_str(),
                }),
            };
            sale_earning(
                &group.rewards,
                &facts,
                input.amount,
                parties.program.settings.default_commission_rate,
                parties.activity.first_commission_at,
                now,
            )
        }
        _ => None,
    };
    if let Some(earning) = &earning {
        super::bounds::earnings_in_range(earning.earnings)?;
    }
    let commission = match (&earning, &parties.partner, &parties.group) {
        (Some(earning), Some(partner), Some(group)) if earning.earnings > 0 => {
            Some(new_commission(
                ctx.ids.as_ref(),
                now,
                partner,
                group,
                &parties.customer,
                earning.reward.as_ref(),
                CommissionSource {
                    kind: CommissionType::Sale,
                    amount: input.amount,
                    earnings: earning.earnings,
                    currency: input.currency,
                    quantity: 1,
                    invoice_id: input.invoice_id.clone(),
                    description: earning.reward.as_ref().and_then(|r| r.description.clone()),
                    lead_id: None,
                    sale_id: Some(sale_id.clone()),
                },
            ))
        }
        _ => None,
    };
    let sale = Sale {
        id: sale_id,
        program_id: program.clone(),
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
        commission_id: commission.as_ref().map(|c| c.id.clone()),
        refunded_amount: 0,
        timestamp: now,
        version: 1,
    };

    let change = ActivityChange {
        sales: 1,
        sale_amount: input.amount,
        sale_at: Some(now),
        commission_at: commission.as_ref().map(|_| now),
        lead_rewarded_at: None,
        expects_no_sale: first_sale,
        // A first-sale-only reward relies on this being the customer's first commission.
        expects_no_commission: commission.is_some()
            && earning
                .as_ref()
                .and_then(|e| e.reward.as_ref())
                .is_some_and(|r| r.max_duration == Some(0)),
    };
    if parties.is_new_customer {
        ops.push(insert_tracked_customer(&parties.customer, &change)?);
    } else if let Some(update) = update_activity(&parties.customer.id, &change) {
        ops.push(update);
    }
    ops.push(records::insert_sale(&sale)?);
    if let Some(commission) = &commission {
        ops.extend(records::insert_commission(commission)?);
    }
    let earned = commission.as_ref().map_or(0, |c| c.earnings);
    let conversion = i64::from(first_sale);
    let partner_delta = PartnerTotals {
        total_conversions: conversion,
        total_sales: 1,
        total_sale_amount: input.amount,
        total_commissions: earned,
        ..Default::default()
    };
    let link_delta = LinkStats {
        conversions: conversion,
        sales: 1,
        sale_amount: input.amount,
        ..Default::default()
    };
    let (totals_after, link_after) =
        super::bounds::totals_after(&parties, &partner_delta, &link_delta)?;
    if let Some(partner) = &parties.partner {
        ops.extend(add_partner_totals(&partner.id, &partner_delta));
    }
    if let Some(link) = &link_after {
        ops.extend(add_link_stats(&link.id, &link_delta));
    }

    let mut activity = parties.activity;
    activity.sales = activity.sales.saturating_add(1);
    activity.sale_amount = super::bounds::customer_sale_amount_after(&activity, input.amount)?;
    activity.first_sale_at = activity.first_sale_at.or(Some(now));
    let reward_json = earning
        .as_ref()
        .map(|e| e.reward_json(parties.program.settings.default_commission_rate));
    let click = parties
        .customer
        .click_id
        .as_ref()
        .map(|id| payloads::event_click(id, parties.claims.as_ref(), parties.link.as_ref()));
    let partner_json = parties
        .partner
        .as_ref()
        .zip(totals_after.as_ref())
        .map(|(p, t)| payloads::event_partner(p, t));
    let actor = principal.actor();
    let sale_event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        program,
        "sale.created",
        actor.clone(),
        json!({
            "eventName": sale.event_name,
            "eventId": sale.id,
            "customer": payloads::customer(&parties.customer, &activity),
            "click": click,
            "link": link_after.as_ref().map(payloads::event_link),
            "partner": partner_json,
            "sale": tracked_sale(input),
            "metadata": sale.metadata,
            "reward": reward_json,
        }),
    );
    ops.push(outbox::record(&sale_event)?);
    if let (Some(commission), Some(partner), Some(totals)) =
        (&commission, &parties.partner, &totals_after)
    {
        let event = outbox::new_event(
            ctx.ids.as_ref(),
            ctx.clock.as_ref(),
            program,
            "commission.created",
            actor,
            commission_created(
                commission,
                sale.metadata.as_ref(),
                partner,
                totals,
                &parties.customer,
                &activity,
                link_after.as_ref(),
                reward_json.clone().unwrap_or(Value::Null),
            ),
        );
        ops.push(outbox::record(&event)?);
    }

    match ctx.store.transact(ops).await {
        Ok(()) => {
            if let (Some(partner), Some(group), Some(totals)) =
                (&parties.partner, &parties.group, &totals_after)
            {
                apply_move_rules(ctx, partner, totals, group).await;
            }
            Ok(Some(Recorded::Built(body)))
        }
        Err(error) if failed_at(&error, key_index) => {
            let key = key.expect("an index means a key");
            let stored = idempotency::replay(store, program, key, now).await?;
            Ok(stored.map(Recorded::Stored))
        }
        Err(error) if failed_at(&error, invoice_index) => {
            match recorded_invoice(ctx, program, input).await? {
                Some(first) => done(ctx, program, key, Recorded::Stored(first), now)
                    .await
                    .map(Some),
                None => Ok(None),
            }
        }
        Err(error) if error.is_condition_failure() => Ok(None),
        Err(error) => Err(error.into()),
    }
}
