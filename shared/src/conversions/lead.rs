//! `POST /track/lead`: a signup attributed to a click (or a registered deal), its customer,
//! the partner's lead reward (one per partner and customer), the counters and the events, in
//! one transaction.

use super::attribution::{Attribution, NewCustomers};
use super::commit::{
    ATTEMPTS, CommissionSource, commission_created, contention, failed_at, new_commission,
};
use super::earnings::{Facts, lead_earning};
use super::input::{LeadInput, LeadMode, TrackLeadRequest};
use super::moves::apply_move_rules;
use super::{payloads, records};
use crate::auth::{Principal, Scope};
use crate::clicks::ClickIdSigner;
use crate::context::AppContext;
use crate::customers::tracked::{ActivityChange, insert_tracked_customer, update_activity};
use crate::error::DomainError;
use crate::idempotency::{self, IdempotencyKey, Recorded};
use crate::model::{CommissionType, Lead, LinkStats, PartnerStatus, PartnerTotals};
use crate::outbox;
use crate::partners::totals::{add_link_stats, add_partner_totals};
use crate::store::{Key, TxOp};
use crate::types::{LeadId, ProgramId};
use crate::wire::tracking::TrackLeadResponse;
use serde_json::{Value, json};

/// Tracks a lead; the response is Dub's `{click, link, customer}`.
pub async fn track_lead(
    ctx: &AppContext,
    signer: &ClickIdSigner,
    principal: &Principal,
    request: TrackLeadRequest,
    key: Option<IdempotencyKey>,
) -> Result<Recorded<TrackLeadResponse>, DomainError> {
    let program = principal
        .own_program(Scope::ConversionsWrite)
        .map_err(|denied| DomainError::denied(denied, "Program"))?;
    let input = request.check()?;
    for attempt in 0..ATTEMPTS {
        if let Some(body) = attempt_lead(
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

/// One try; `None` when a race was lost and the lead must be re-read and retried.
async fn attempt_lead(
    ctx: &AppContext,
    signer: &ClickIdSigner,
    principal: &Principal,
    program: &ProgramId,
    input: &LeadInput,
    key: Option<&IdempotencyKey>,
    strong: bool,
) -> Result<Option<Recorded<TrackLeadResponse>>, DomainError> {
    let now = ctx.clock.now();
    let attribution = Attribution::new(
        signer,
        program,
        &input.customer,
        input.click_id.as_deref(),
        NewCustomers::ByClickOrDeal,
    );
    // The first read also looks for the request's idempotency record.
    let key_record: Vec<Key> = key.iter().map(|key| key.record_key(program)).collect();
    let first = attribution.read(ctx, &key_record, strong).await?;
    if let (Some(key), Some(record)) = (key, key_record.first())
        && let Some(stored) = idempotency::replay_of(first.item(record), key, now)?
    {
        return Ok(Some(Recorded::Stored(stored)));
    }
    let parties = attribution
        .resolve(ctx, &first, now, strong)
        .await?
        .ok_or_else(|| {
        DomainError::NotFound(
            "Click not found: a lead for a new customer needs a `clickId` (or a deal registered for its email)."
                .into(),
        )
    })?;
    let body = TrackLeadResponse::of(&parties.customer, parties.link.as_ref());
    let mut ops: Vec<TxOp> = Vec::new();
    let key_index = key.map(|key| {
        ops.push(idempotency::record(program, key, &body, now));
        ops.len() - 1
    });

    if input.mode == LeadMode::Deferred {
        if !parties.is_new_customer {
            return done(ctx, program, key, body, now).await.map(Some);
        }
        ops.push(insert_tracked_customer(
            &parties.customer,
            &ActivityChange::default(),
        )?);
        return commit(ctx, program, key, key_index, None, ops, body, now).await;
    }

    let dedupe_index = ops.len();
    ops.push(records::lead_dedupe_claim(
        program,
        &parties.customer.id,
        &input.event_name,
        now,
    ));
    let lead = Lead {
        id: LeadId::generate(ctx.ids.as_ref()),
        program_id: program.clone(),
        event_name: input.event_name.clone(),
        customer_id: parties.customer.id.clone(),
        click_id: parties.customer.click_id.clone(),
        link_id: parties.customer.link_id.clone(),
        partner_id: parties.partner.as_ref().map(|p| p.id.clone()),
        quantity: input.quantity,
        metadata: input.metadata.clone(),
        commission_id: None,
        timestamp: now,
    };

    // The partner's lead reward, once per customer, for approved partners only.
    let earning = match (&parties.partner, &parties.group) {
        (Some(partner), Some(group)) if partner.status == PartnerStatus::Approved => {
            let facts = Facts {
                customer: &parties.customer,
                partner,
                sale: None,
            };
            lead_earning(&group.rewards, &facts, input.quantity)
        }
        _ => None,
    };
    if let Some(earning) = &earning {
        super::bounds::earnings_in_range(earning.earnings)?;
    }
    let commission = match (&earning, &parties.partner, &parties.group) {
        (Some(earning), Some(partner), Some(group))
            if earning.earnings > 0 && parties.activity.lead_rewarded_at.is_none() =>
        {
            Some(new_commission(
                ctx.ids.as_ref(),
                now,
                partner,
                group,
                &parties.customer,
                earning.reward.as_ref(),
                CommissionSource {
                    kind: CommissionType::Lead,
                    amount: 0,
                    earnings: earning.earnings,
                    currency: parties.program.currency,
                    quantity: input.quantity,
                    invoice_id: None,
                    description: earning.reward.as_ref().and_then(|r| r.description.clone()),
                    lead_id: Some(lead.id.clone()),
                    sale_id: None,
                },
            ))
        }
        _ => None,
    };
    let lead = Lead {
        commission_id: commission.as_ref().map(|c| c.id.clone()),
        ..lead
    };

    let change = ActivityChange {
        lead_rewarded_at: commission.as_ref().map(|_| now),
        ..Default::default()
    };
    if parties.is_new_customer {
        ops.push(insert_tracked_customer(&parties.customer, &change)?);
    } else if let Some(update) = update_activity(&parties.customer.id, &change) {
        ops.push(update);
    }
    ops.push(records::insert_lead(&lead)?);
    if let Some(commission) = &commission {
        ops.extend(records::insert_commission(commission)?);
    }
    let earned = commission.as_ref().map_or(0, |c| c.earnings);
    let partner_delta = PartnerTotals {
        total_leads: 1,
        total_commissions: earned,
        ..Default::default()
    };
    let link_delta = LinkStats {
        leads: 1,
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
    activity.lead_rewarded_at = activity.lead_rewarded_at.or(change.lead_rewarded_at);
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
    let lead_event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        program,
        "lead.created",
        actor.clone(),
        json!({
            "eventName": lead.event_name,
            "eventId": lead.id,
            "customer": payloads::customer(&parties.customer, &activity),
            "click": click,
            "link": link_after.as_ref().map(payloads::event_link),
            "partner": partner_json,
            "metadata": lead.metadata,
            "reward": reward_json,
        }),
    );
    ops.push(outbox::record(&lead_event)?);
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
                lead.metadata.as_ref(),
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

    let committed = commit(
        ctx,
        program,
        key,
        key_index,
        Some(dedupe_index),
        ops,
        body,
        now,
    )
    .await?;
    if committed.is_some()
        && let (Some(partner), Some(group), Some(totals)) =
            (&parties.partner, &parties.group, &totals_after)
    {
        apply_move_rules(ctx, partner, totals, group).await;
    }
    Ok(committed)
}

/// A request that records nothing: stores its response under the idempotency key, if any.
async fn done(
    ctx: &AppContext,
    program: &ProgramId,
    key: Option<&IdempotencyKey>,
    body: TrackLeadResponse,
    now: time::OffsetDateTime,
) -> Result<Recorded<TrackLeadResponse>, DomainError> {
    let body = Recorded::Built(body);
    match key {
        Some(key) => idempotency::record_alone(ctx.store.as_ref(), program, key, body, now).await,
        None => Ok(body),
    }
}

/// Runs the transaction. A failed idempotency record replays the stored response; a failed
/// dedupe claim is a duplicate lead (200, nothing recorded); any other failed condition is a
/// lost race (`None`: retry).
#[allow(clippy::too_many_arguments)]
async fn commit(
    ctx: &AppContext,
    program: &ProgramId,
    key: Option<&IdempotencyKey>,
    key_index: Option<usize>,
    dedupe_index: Option<usize>,
    ops: Vec<TxOp>,
    body: TrackLeadResponse,
    now: time::OffsetDateTime,
) -> Result<Option<Recorded<TrackLeadResponse>>, DomainError> {
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(Some(Recorded::Built(body))),
        Err(error) if failed_at(&error, key_index) => {
            let key = key.expect("an index means a key");
            let stored = idempotency::replay(ctx.store.as_ref(), program, key, now).await?;
            Ok(stored.map(Recorded::Stored))
        }
        Err(error) if failed_at(&error, dedupe_index) => {
            tracing::info!("duplicate lead inside the dedupe window: nothing recorded");
            done(ctx, program, key, body, now).await.map(Some)
        }
        Err(error) if error.is_condition_failure() => Ok(None),
        Err(error) => Err(error.into()),
    }
}
