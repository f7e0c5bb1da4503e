//! The public apply: a program's website key submits an application for anyone.

use super::approve::{ApprovalChoice, approve};
use super::form_fields::check_answers;
use super::repo;
use super::status::submitting_program;
use crate::auth::Principal;
use crate::context::AppContext;
use crate::error::DomainError;
use crate::groups;
use crate::model::Applied;
use crate::model::EventName;
use crate::model::{Actor, Application, ApplicationStatus, DEFAULT_GROUP_SLUG, Program};
use crate::outbox;
use crate::partners;
use crate::programs;
use crate::rate_limit::FixedWindow;
use crate::types::{ApplicationId, Email, WebUrl};
use crate::wire::affiliate::ApplicationRecordSchema;
use crate::wire::event_data;
use std::collections::BTreeMap;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Applications per client IP and program: a person applies a few times, a script many.
pub const PER_IP_LIMIT: FixedWindow = FixedWindow {
    name: "apply-ip",
    limit: 10,
    window_seconds: 600,
};

/// Applications per program, whatever their source.
pub const PER_PROGRAM_LIMIT: FixedWindow = FixedWindow {
    name: "apply-program",
    limit: 300,
    window_seconds: 60,
};

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApplyRequest {
    #[schema(value_type = String, format = Email)]
    pub email: Email,
    pub name: String,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub website: Option<WebUrl>,
    #[serde(default)]
    pub reason: Option<String>,
    /// Answers to the program's own form fields, by key.
    #[serde(default)]
    pub form_data: BTreeMap<String, serde_json::Value>,
}

fn text(name: &str, value: Option<String>, max: usize) -> Result<Option<String>, DomainError> {
    let Some(value) = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(DomainError::Unprocessable(format!(
            "`{name}` must have at most {max} characters."
        )));
    }
    Ok(Some(value))
}

fn date(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// Refuses an email whose latest application is live, or whose rejection still applies.
async fn check_may_apply(
    ctx: &AppContext,
    program: &Program,
    email: &Email,
    now: OffsetDateTime,
) -> Result<(), DomainError> {
    let store = ctx.store.as_ref();
    if partners::find_by_email(store, &program.id, email)
        .await?
        .is_some()
    {
        return Err(DomainError::Conflict(
            "This email is already a partner of this program.".into(),
        ));
    }
    let Some(claim) = repo::find_email_claim(store, &program.id, email).await? else {
        return Ok(());
    };
    match (claim.status.as_str(), claim.reapply_after) {
        ("rejected", Some(after)) if after <= now.unix_timestamp() => Ok(()),
        ("rejected", Some(after)) => {
            let after = OffsetDateTime::from_unix_timestamp(after).unwrap_or(now);
            Err(DomainError::Conflict(format!(
                "The previous application from this email was rejected; you may apply again from {}.",
                date(after)
            )))
        }
        ("rejected", None) => Err(DomainError::Conflict(
            "The previous application from this email was rejected; it cannot apply again.".into(),
        )),
        (status, _) => Err(DomainError::Conflict(format!(
            "An application from this email is already {status}."
        ))),
    }
}

/// Submits an application; approves it at once when the default group auto-approves.
pub async fn apply(
    ctx: &AppContext,
    principal: &Principal,
    client_ip: &str,
    request: ApplyRequest,
) -> Result<Applied, DomainError> {
    let program_id = submitting_program(principal)?;
    let now = ctx.clock.now();
    let store = ctx.store.as_ref();
    let subject = format!("{program_id}#{client_ip}");
    PER_IP_LIMIT.hit(store, now, &subject).await?;
    PER_PROGRAM_LIMIT
        .hit(store, now, program_id.as_str())
        .await?;
    let program = programs::find_program(store, &program_id)
        .await?
        .ok_or_else(|| DomainError::not_found("Program"))?;
    let name = text("name", Some(request.name), 190)?
        .ok_or_else(|| DomainError::Unprocessable("`name` is required.".into()))?;
    check_answers(
        &program.settings.application_form_fields,
        &request.form_data,
    )?;
    check_may_apply(ctx, &program, &request.email, now).await?;
    let application = Application {
        id: ApplicationId::generate(ctx.ids.as_ref()),
        program_id: program.id.clone(),
        email: request.email,
        name,
        company: text("company", request.company, 190)?,
        website: request.website,
        reason: text("reason", request.reason, 5_000)?,
        form_data: request.form_data,
        status: ApplicationStatus::Pending,
        group_id: None,
        rejection_reason: None,
        rejection_note: None,
        reapplication_timeframe: None,
        created_at: now,
        reviewed_at: None,
        reviewed_by: None,
        version: 1,
    };
    let event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &program.id,
        EventName::PartnerApplicationSubmitted,
        principal.actor(),
        event_data(&ApplicationRecordSchema::of(&application)),
    );
    let mut ops = repo::insert(&application, now)?.to_vec();
    ops.push(outbox::record(&event)?);
    match ctx.store.transact(ops).await {
        Ok(()) => {}
        Err(error) if error.failed_condition_index() == Some(1) => {
            return Err(DomainError::Conflict(
                "An application from this email was submitted meanwhile.".into(),
            ));
        }
        Err(error) => return Err(error.into()),
    }
    auto_approve(ctx, &program, application).await
}

/// The default group's `autoApprove` decides for public applications.
async fn auto_approve(
    ctx: &AppContext,
    program: &Program,
    application: Application,
) -> Result<Applied, DomainError> {
    let pending = Applied {
        id: application.id.clone(),
        status: ApplicationStatus::Pending,
        message: "Your application was received and will be reviewed.".into(),
    };
    let default_group =
        groups::find_group_by_slug(ctx.store.as_ref(), &program.id, DEFAULT_GROUP_SLUG).await?;
    if !default_group.is_some_and(|group| group.auto_approve) {
        return Ok(pending);
    }
    let choice = ApprovalChoice::default();
    match approve(ctx, program, application, choice, Actor::System).await {
        Ok(approval) => Ok(Applied {
            id: approval.application.id,
            status: ApplicationStatus::Approved,
            message: "Your application was approved.".into(),
        }),
        // The application stays pending for a reviewer; the applicant is not told why.
        Err(error) => {
            tracing::warn!(%error, "automatic approval failed");
            Ok(pending)
        }
    }
}
