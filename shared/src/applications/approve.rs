//! Approval: the application, the customer account, the partner with its referral code and
//! default link, and the events, in one transaction.

use super::repo;
use crate::context::AppContext;
use crate::customers;
use crate::error::DomainError;
use crate::groups;
use crate::model::Approval;
use crate::model::EventName;
use crate::model::{
    Actor, Application, ApplicationStatus, Customer, Partner, PartnerGroup, Program,
};
use crate::outbox;
use crate::partners::{self, PartnerWrite};
use crate::store::{StoreError, TxOp};
use crate::types::{CustomerId, GroupId, PartnerId, ReferralCode};
use crate::wire::affiliate::ApplicationApprovedEventSchema;
use crate::wire::partner_records::PartnerWithLinksSchema;

/// Generated codes are retried this often when they collide with a taken one.
/// Tries of generated codes: three readable, then wide ones (`generate_referral_code`).
const CODE_ATTEMPTS: u32 = 8;

/// What the reviewer chose; empty for automatic approval.
#[derive(Debug, Clone, Default)]
pub struct ApprovalChoice {
    pub code: Option<ReferralCode>,
    pub group_id: Option<GroupId>,
}

/// What each action of the transaction writes, to answer a failed condition precisely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Application,
    Partner(PartnerWrite),
    Link,
    LinkKey,
    Group,
    Customer,
    Event,
}

pub(super) fn reviewer(actor: &Actor) -> String {
    match actor {
        Actor::Admin { subject } => subject.clone(),
        Actor::ApiKey { key_id } => key_id.clone(),
        Actor::Partner { partner_id } => partner_id.clone(),
        Actor::System => "system".into(),
    }
}

pub(super) fn reviewed_meanwhile() -> DomainError {
    DomainError::Conflict("The application was reviewed meanwhile; read it again.".into())
}

async fn chosen_group(
    ctx: &AppContext,
    program: &Program,
    group_id: Option<&GroupId>,
) -> Result<PartnerGroup, DomainError> {
    let found = match group_id {
        Some(id) => groups::find_group(ctx.store.as_ref(), &program.id, id).await?,
        None => {
            groups::find_group_by_slug(
                ctx.store.as_ref(),
                &program.id,
                crate::model::DEFAULT_GROUP_SLUG,
            )
            .await?
        }
    };
    found.ok_or_else(|| DomainError::not_found("Group"))
}

fn new_customer(ctx: &AppContext, application: &Application) -> Customer {
    Customer {
        id: CustomerId::generate(ctx.ids.as_ref()),
        program_id: application.program_id.clone(),
        external_id: None,
        name: Some(application.name.clone()),
        email: Some(application.email.to_string()),
        avatar: None,
        country: None,
        click_id: None,
        link_id: None,
        partner_id: None,
        stripe_customer_id: None,
        subscription_canceled_at: None,
        created_at: ctx.clock.now(),
    }
}

/// Approves a pending or rejected application; `actor` is the reviewer (System when automatic).
pub(super) async fn approve(
    ctx: &AppContext,
    program: &Program,
    read: Application,
    choice: ApprovalChoice,
    actor: Actor,
) -> Result<Approval, DomainError> {
    if read.status == ApplicationStatus::Approved {
        return Err(reviewed_meanwhile());
    }
    let group = chosen_group(ctx, program, choice.group_id.as_ref()).await?;
    let store = ctx.store.as_ref();
    if partners::find_by_email(store, &program.id, &read.email)
        .await?
        .is_some()
    {
        return Err(DomainError::Conflict(format!(
            "`{}` is already a partner of this program.",
            read.email
        )));
    }
    let existing = customers::find_by_email(store, &program.id, &read.email).await?;
    for attempt in 0..CODE_ATTEMPTS {
        let code = match &choice.code {
            Some(code) => code.clone(),
            None => partners::generate_referral_code(&read.name, attempt, ctx.random.as_ref()),
        };
        let customer = existing.clone().unwrap_or_else(|| new_customer(ctx, &read));
        let (steps, approval) = transaction(
            ctx,
            program,
            &read,
            &group,
            code.clone(),
            &customer,
            existing.is_none(),
            &actor,
        )?;
        let (labels, ops): (Vec<Step>, Vec<TxOp>) = steps.into_iter().unzip();
        let error = match ctx.store.transact(ops).await {
            Ok(()) => return Ok(approval),
            Err(error) => error,
        };
        let Some(failed) = error.failed_condition_index().map(|index| labels[index]) else {
            return Err(error.into());
        };
        match failed {
            Step::Partner(PartnerWrite::ReferralCode) | Step::LinkKey if choice.code.is_none() => {}
            Step::Partner(PartnerWrite::ReferralCode) | Step::LinkKey => {
                return Err(DomainError::Conflict(format!(
                    "The referral code `{code}` is already taken."
                )));
            }
            Step::Application => return Err(reviewed_meanwhile()),
            Step::Group => {
                return Err(DomainError::Conflict(
                    "The group changed while this request ran; retry.".into(),
                ));
            }
            Step::Partner(PartnerWrite::Email) => {
                return Err(DomainError::Conflict(format!(
                    "`{}` is already a partner of this program.",
                    read.email
                )));
            }
            _ => {
                return Err(DomainError::Conflict(
                    "The applicant's records changed while this request ran; retry.".into(),
                ));
            }
        }
    }
    Err(DomainError::Conflict(
        "No free referral code was found; choose one with `code`.".into(),
    ))
}

#[allow(clippy::too_many_arguments)]
fn transaction(
    ctx: &AppContext,
    program: &Program,
    read: &Application,
    group: &PartnerGroup,
    code: ReferralCode,
    customer: &Customer,
    customer_is_new: bool,
    actor: &Actor,
) -> Result<(Vec<(Step, TxOp)>, Approval), StoreError> {
    let now = ctx.clock.now();
    let partner_id = PartnerId::generate(ctx.ids.as_ref());
    let link =
        crate::links::default_referral_link(program, &partner_id, &code, ctx.ids.as_ref(), now)?;
    let partner = Partner {
        email: Some(read.email.clone()),
        company_name: read.company.clone(),
        referral_code: Some(code.clone()),
        application_id: Some(read.id.clone()),
        customer_id: Some(customer.id.clone()),
        default_link_id: Some(link.id.clone()),
        profile: crate::model::PartnerProfile {
            website: read.website.as_ref().map(|url| url.to_string()),
            ..Default::default()
        },
        ..Partner::approved(partner_id, (&program.id, &group.id), read.name.clone(), now)
    };
    let application = Application {
        status: ApplicationStatus::Approved,
        group_id: Some(group.id.clone()),
        rejection_reason: None,
        rejection_note: None,
        reapplication_timeframe: None,
        reviewed_at: Some(now),
        reviewed_by: Some(reviewer(actor)),
        version: read.version + 1,
        ..read.clone()
    };
    let mut steps: Vec<(Step, TxOp)> = repo::replace(&application, read)?
        .into_iter()
        .map(|op| (Step::Application, op))
        .collect();
    steps.extend(
        partners::insert_partner(&partner)?
            .into_iter()
            .map(|(write, op)| (Step::Partner(write), op)),
    );
    let [link_op, key_op] = crate::links::insert_link(&link)?;
    steps.push((Step::Link, link_op));
    steps.push((Step::LinkKey, key_op));
    for op in crate::links::repo::destination_entries(None, Some(&link)) {
        steps.push((Step::Link, op));
    }
    steps.push((Step::Group, groups::group_unchanged(group)));
    if customer_is_new {
        steps.extend(
            customers::insert_customer(customer, &read.email)?
                .into_iter()
                .map(|op| (Step::Customer, op)),
        );
    }
    let approval = Approval {
        application,
        partner,
        link,
    };
    let approved = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &program.id,
        EventName::PartnerApplicationApproved,
        actor.clone(),
        serde_json::to_value(ApplicationApprovedEventSchema::of(&approval))
            .map_err(StoreError::engine)?,
    );
    let enrolled = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &program.id,
        EventName::PartnerEnrolled,
        actor.clone(),
        serde_json::to_value(PartnerWithLinksSchema::of(
            &approval.partner,
            std::slice::from_ref(&approval.link),
        ))
        .map_err(StoreError::engine)?,
    );
    steps.push((Step::Event, outbox::record(&approved)?));
    steps.push((Step::Event, outbox::record(&enrolled)?));
    Ok((steps, approval))
}
