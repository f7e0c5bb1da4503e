//! `POST /stripe/webhook/{programId}`: one event from the business's Stripe account, checked,
//! mapped (`mapping`) and recorded through the conversions pipeline, as `/track/lead`,
//! `/track/sale` and `/track/refund` record theirs.
//!
//! Counting once: each step has its own claim, so running it again changes nothing (a lead
//! only for a customer it creates, a sale per invoice id, a refund up to Stripe's total). The
//! event's own claim (`records::mark_handled`) is written after its steps: a repeat of a
//! handled event is answered at one read; a crash before it makes Stripe's retry run the steps
//! again, which is safe.

use super::conversions::{track_lead, track_sale};
use super::mapping::{self, Step, Unmapped};
use super::objects::Event;
use super::records::{self, CUSTOMER, PROMO};
use super::refunds;
use super::signature::{self, StripeSecret};
use crate::clicks::ClickIdSigner;
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::Program;
use crate::model::Received;
use crate::model::StepOutcome;
use crate::types::ProgramId;

#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    #[error(transparent)]
    Signature(#[from] signature::SignatureError),
    #[error("The event is not a Stripe event: {0}")]
    Malformed(String),
    #[error(transparent)]
    Domain(#[from] DomainError),
}

/// The program's endpoint: its id and its signing secrets (two while one is rolled).
#[derive(Debug, Clone)]
pub struct StripeEndpoint {
    pub program: ProgramId,
    pub secrets: Vec<StripeSecret>,
}

/// Checks the signature, then handles the event; nothing is read or written before the
/// signature holds.
pub async fn receive(
    ctx: &AppContext,
    signer: &ClickIdSigner,
    endpoint: &StripeEndpoint,
    signature_header: Option<&str>,
    body: &[u8],
) -> Result<Received, ReceiveError> {
    signature::verify(signature_header, body, &endpoint.secrets, ctx.clock.now())?;
    let event: Event =
        serde_json::from_slice(body).map_err(|e| ReceiveError::Malformed(e.to_string()))?;
    let program = &endpoint.program;
    let store = ctx.store.as_ref();
    let (event_id, kind) = (event.id.clone(), event.kind.clone());
    let handled = records::handled_event(store, program, &event.id).await;
    if handled.map_err(DomainError::from)?.is_some() {
        return Ok(Received::Duplicate { event_id, kind });
    }
    let steps = match mapping::steps(&event) {
        Ok(steps) => steps,
        Err(Unmapped::Unhandled) => return Ok(Received::Unhandled { event_id, kind }),
        Err(Unmapped::Nothing(reason)) => {
            let steps = vec![("event", StepOutcome::Ignored(reason.into()))];
            return finish(ctx, program, event_id, kind, steps).await;
        }
        Err(Unmapped::Malformed(reason)) => return Err(ReceiveError::Malformed(reason)),
    };
    let program_record = crate::programs::find_program(store, program)
        .await
        .map_err(DomainError::from)?
        .ok_or_else(|| DomainError::not_found("Program"))?;
    let mut outcomes = Vec::with_capacity(steps.len());
    for step in &steps {
        outcomes.push(run_step(ctx, signer, &program_record, step).await?);
    }
    finish(ctx, program, event_id, kind, outcomes).await
}

async fn finish(
    ctx: &AppContext,
    program: &ProgramId,
    event_id: String,
    kind: String,
    steps: Vec<(&'static str, StepOutcome)>,
) -> Result<Received, ReceiveError> {
    let summary = steps
        .iter()
        .map(|(name, outcome)| format!("{name}:{outcome:?}"))
        .collect::<Vec<_>>()
        .join(",");
    records::mark_handled(
        ctx.store.as_ref(),
        program,
        &event_id,
        &summary,
        ctx.clock.now(),
    )
    .await
    .map_err(DomainError::from)?;
    Ok(Received::Handled {
        event_id,
        kind,
        steps,
    })
}

async fn run_step(
    ctx: &AppContext,
    signer: &ClickIdSigner,
    program: &Program,
    step: &Step,
) -> Result<(&'static str, StepOutcome), DomainError> {
    let store = ctx.store.as_ref();
    let outcome = match step {
        Step::LinkCustomer {
            stripe_id,
            external_id,
        } => {
            records::remember(store, &program.id, CUSTOMER, stripe_id, external_id).await?;
            return Ok(("customer", StepOutcome::Remembered));
        }
        Step::RememberPromotionCode { id, code } => {
            records::remember(store, &program.id, PROMO, id, code).await?;
            return Ok(("promotion_code", StepOutcome::Remembered));
        }
        Step::Lead(lead) => ("lead", track_lead(ctx, signer, program, lead).await),
        Step::Sale(sale) => ("sale", track_sale(ctx, signer, program, sale).await),
        Step::Refund(refund) => ("refund", refunds::refund(ctx, &program.id, refund).await),
    };
    Ok((outcome.0, settle(outcome.1)?))
}

/// A step's error that is about the event (an unknown click, a value out of range) is its
/// outcome; any other (the store, a race lost too often) fails the request so Stripe retries.
fn settle(result: Result<StepOutcome, DomainError>) -> Result<StepOutcome, DomainError> {
    match result {
        Ok(outcome) => Ok(outcome),
        Err(DomainError::NotFound(reason)) => Ok(StepOutcome::Unattributed(reason)),
        Err(DomainError::Unprocessable(reason) | DomainError::BadRequest(reason)) => {
            Ok(StepOutcome::Ignored(reason))
        }
        Err(other) => Err(other),
    }
}
