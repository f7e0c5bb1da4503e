//! A Stripe lead or sale as the conversions pipeline records it: the customer's external id
//! (from the event's metadata, else the one remembered for the Stripe customer, else the Stripe
//! customer id, else the email), the partner a promotion code names, and the program's
//! currency (Stripe's Adaptive Pricing conversion when the customer paid in another).

use super::mapping::{CustomerRef, LeadStep, PromotionRef, SaleStep};
use super::records::{self, CUSTOMER, PAYMENT, PROMO};
use crate::clicks::ClickIdSigner;
use crate::context::AppContext;
use crate::conversions::plan::Decision;
use crate::conversions::read::{read_lead, read_sale};
use crate::conversions::{
    CodeReferral, CustomerFields, LeadInput, LeadMode, TrackSaleRequest, decide_lead, decide_sale,
    pipeline,
};
use crate::error::DomainError;
use crate::idempotency::Recorded;
use crate::model::StepOutcome;
use crate::model::{Actor, PaymentProcessor, Program};
use crate::store::StoreError;
use crate::types::{Currency, ReferralCode};

/// A lead for a customer the event creates (by its click or promotion code); a known customer
/// had its lead already, so a repeat records nothing.
pub async fn track_lead(
    ctx: &AppContext,
    signer: &ClickIdSigner,
    program: &Program,
    step: &LeadStep,
) -> Result<StepOutcome, DomainError> {
    let Some(customer) = customer_fields(ctx, program, &step.customer).await? else {
        return Ok(StepOutcome::Unattributed(
            "the event names no customer".into(),
        ));
    };
    let input = &LeadInput {
        click_id: step.click_id.clone(),
        event_name: step.event_name.into(),
        customer,
        mode: LeadMode::Wait,
        quantity: 1,
        metadata: None,
        code: code_referral(ctx, program, step.click_id.as_deref(), &step.promotion).await?,
    };
    // What the last decision was: the pipeline decides again after a lost race.
    let decided = &std::sync::Mutex::new(StepOutcome::AlreadyRecorded);
    pipeline::run(
        ctx,
        &program.id,
        None,
        Actor::System,
        |request| async move { read_lead(ctx, signer, &request, input).await },
        |read, stamp| {
            let new_customer = read.parties.as_ref().map(|p| p.is_new_customer);
            let decision = decide_lead(input, read, stamp)?;
            let (outcome, decision) = match (new_customer, decision) {
                (None, decision) => (unattributed(), decision),
                (Some(false), Decision::Write(plan)) => (
                    StepOutcome::AlreadyRecorded,
                    Decision::Answer(Recorded::Built(plan.response)),
                ),
                (_, Decision::Write(plan)) => (StepOutcome::Recorded, Decision::Write(plan)),
                (_, decision) => (StepOutcome::AlreadyRecorded, decision),
            };
            *decided.lock().expect("not poisoned") = outcome;
            Ok(decision)
        },
    )
    .await?;
    Ok(decided.lock().expect("not poisoned").clone())
}

fn unattributed() -> StepOutcome {
    StepOutcome::Unattributed("no customer, click or promotion code attributes the event".into())
}

/// A sale under Stripe's invoice id, in the program's currency.
pub async fn track_sale(
    ctx: &AppContext,
    signer: &ClickIdSigner,
    program: &Program,
    step: &SaleStep,
) -> Result<StepOutcome, DomainError> {
    let (amount, currency) = match sale_amount(program.currency, step) {
        Ok(found) => found,
        Err(reason) => return Ok(StepOutcome::Ignored(reason)),
    };
    let Some(customer) = customer_fields(ctx, program, &step.customer).await? else {
        return Ok(unattributed());
    };
    // Before the sale, so that a refund finds it; a repeat writes the same.
    for payment in &step.payments {
        records::remember(
            ctx.store.as_ref(),
            &program.id,
            PAYMENT,
            payment,
            &step.invoice_id,
        )
        .await?;
    }
    let request = TrackSaleRequest {
        customer_external_id: customer.external_id.clone(),
        amount: amount.into(),
        currency: Some(currency.code().to_owned()),
        event_name: Some(step.event_name.into()),
        payment_processor: Some(PaymentProcessor::Stripe),
        invoice_id: Some(step.invoice_id.clone()),
        lead_event_name: None,
        metadata: None,
        click_id: step.click_id.clone(),
        customer_name: customer.name.clone(),
        customer_email: customer.email.clone(),
        customer_avatar: None,
    };
    let mut input = request.check()?;
    input.customer.stripe_customer_id = customer.stripe_customer_id;
    input.code = code_referral(ctx, program, step.click_id.as_deref(), &step.promotion).await?;
    let input = &input;
    let recorded = pipeline::run(
        ctx,
        &program.id,
        None,
        Actor::System,
        |request| async move { read_sale(ctx, signer, &request, input).await },
        |read, stamp| decide_sale(input, read, stamp),
    )
    .await?;
    Ok(match recorded {
        Recorded::Stored(_) => StepOutcome::AlreadyRecorded,
        Recorded::Built(response) if response.customer.is_none() => unattributed(),
        Recorded::Built(_) => StepOutcome::Recorded,
    })
}

/// The sale's amount in the program's currency: as paid, or as Stripe converted it.
fn sale_amount(program: Currency, step: &SaleStep) -> Result<(i64, Currency), String> {
    if step.currency.eq_ignore_ascii_case(program.code()) {
        return Ok((step.amount, program));
    }
    match &step.converted {
        Some((currency, amount)) if currency.eq_ignore_ascii_case(program.code()) => {
            Ok((*amount, program))
        }
        _ => Err(format!(
            "the sale is in `{}` and the program in `{}`, and Stripe reported no conversion",
            step.currency,
            program.code()
        )),
    }
}

/// The customer's fields: `None` when the event names no customer at all. Remembers a Stripe
/// customer's external id the first time an event names both.
async fn customer_fields(
    ctx: &AppContext,
    program: &Program,
    customer: &CustomerRef,
) -> Result<Option<CustomerFields>, StoreError> {
    let store = ctx.store.as_ref();
    let remembered = match &customer.stripe_id {
        Some(stripe_id) => records::recall(store, &program.id, CUSTOMER, stripe_id).await?,
        None => None,
    };
    let external_id = customer
        .external_id
        .clone()
        .or(remembered.clone())
        .or(customer.stripe_id.clone())
        .or(customer.email.clone());
    let Some(external_id) = external_id else {
        return Ok(None);
    };
    if let Some(stripe_id) = &customer.stripe_id
        && remembered.as_ref() != Some(&external_id)
    {
        records::remember(store, &program.id, CUSTOMER, stripe_id, &external_id).await?;
    }
    Ok(Some(CustomerFields {
        external_id,
        name: customer.name.clone(),
        email: customer.email.clone(),
        avatar: None,
        stripe_customer_id: customer.stripe_id.clone(),
    }))
}

/// The partner a promotion code names, when the event has no click (a click wins): a discount
/// code of the program (with its link), else a partner's referral code. A code known by id only
/// is looked up in what `promotion_code.created` remembered.
async fn code_referral(
    ctx: &AppContext,
    program: &Program,
    click_id: Option<&str>,
    promotion: &Option<PromotionRef>,
) -> Result<Option<CodeReferral>, StoreError> {
    let (None, Some(promotion)) = (click_id, promotion) else {
        return Ok(None);
    };
    let store = ctx.store.as_ref();
    let code = match &promotion.code {
        Some(code) => Some(code.clone()),
        None => records::recall(store, &program.id, PROMO, &promotion.id).await?,
    };
    let Some(code) = code else {
        return Ok(None);
    };
    if let Some(discount) = crate::discount_codes::find_by_code(store, &program.id, &code).await? {
        return Ok(Some(CodeReferral {
            partner_id: discount.partner_id,
            link_id: Some(discount.link_id),
        }));
    }
    let Ok(referral) = ReferralCode::parse(&code) else {
        return Ok(None);
    };
    let partner = crate::partners::find_by_referral_code(store, &program.id, &referral).await?;
    Ok(partner.map(|partner| CodeReferral {
        partner_id: partner.id,
        link_id: None,
    }))
}
