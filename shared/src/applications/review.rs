//! The review use cases behind StackBE's review route and Dub's approve/reject routes.

use super::approve::{ApprovalChoice, approve};
use super::reject::{DubRejectionReason, RejectChoice, reject};
use super::repo;
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::Approval;
use crate::model::{Application, Program, ReapplicationTimeframe};
use crate::programs;
use crate::types::{ApplicationId, GroupId, PartnerId, ReferralCode};

/// StackBE's review body: `{action:"approve", code?, groupId?}` or
/// `{action:"reject", rejectionReason, rejectionNote?, reapplicationTimeframe?}`.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "lowercase", deny_unknown_fields)]
pub enum Review {
    #[serde(rename_all = "camelCase")]
    Approve {
        /// Generated from the applicant's name when absent.
        #[serde(default)]
        #[schema(value_type = Option<String>)]
        code: Option<ReferralCode>,
        /// The default group when absent.
        #[serde(default)]
        #[schema(value_type = Option<String>)]
        group_id: Option<GroupId>,
    },
    #[serde(rename_all = "camelCase")]
    Reject {
        rejection_reason: String,
        #[serde(default)]
        rejection_note: Option<String>,
        #[serde(default)]
        reapplication_timeframe: Option<ReapplicationTimeframe>,
    },
}

/// Dub's `POST /program-applications/approve`: the applicant by `partnerId` (Dub's field: an
/// application's id, as the list shows it, or an enrolled partner's id) or by `applicationId`.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DubApprove {
    #[serde(default)]
    pub partner_id: Option<String>,
    #[serde(default)]
    pub application_id: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub group_id: Option<GroupId>,
}

/// Dub's `POST /program-applications/reject`. `flagForFraud` and its reason are accepted and
/// go with the rejection's event (there is no fraud review team to send them to).
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DubReject {
    #[serde(default)]
    pub partner_id: Option<String>,
    #[serde(default)]
    pub application_id: Option<String>,
    /// Dub's default when absent: `other`.
    #[serde(default)]
    pub rejection_reason: Option<DubRejectionReason>,
    #[serde(default)]
    pub rejection_note: Option<String>,
    #[serde(default)]
    pub reapplication_timeframe: Option<ReapplicationTimeframe>,
    #[serde(default)]
    pub flag_for_fraud: Option<bool>,
    #[serde(default)]
    pub flag_for_fraud_reason: Option<String>,
}

#[derive(Debug, Clone)]
pub enum ReviewOutcome {
    Approved(Box<Approval>),
    Rejected(Box<Application>),
}

/// The application Dub's approve or reject names: `applicationId`, else `partnerId`, which is
/// an application's id for an applicant, or an enrolled partner's (then its application).
async fn named_application(
    ctx: &AppContext,
    program: &Program,
    partner_id: Option<&str>,
    application_id: Option<&str>,
) -> Result<Application, DomainError> {
    if let Some(id) = application_id {
        return application_of(ctx, program, id).await;
    }
    let Some(id) = partner_id else {
        return Err(DomainError::Unprocessable(
            "`partnerId` is required.".into(),
        ));
    };
    if id.starts_with(ApplicationId::PREFIX) {
        return application_of(ctx, program, id).await;
    }
    let partner = PartnerId::parse(id).map_err(|_| DomainError::not_found("Partner"))?;
    let partner = crate::partners::find_partner(ctx.store.as_ref(), &program.id, &partner)
        .await?
        .ok_or_else(|| DomainError::not_found("Partner"))?;
    match &partner.application_id {
        Some(application) => application_of(ctx, program, application.as_str()).await,
        None => Err(DomainError::Conflict(
            "This partner was enrolled without an application.".into(),
        )),
    }
}

async fn application_of(
    ctx: &AppContext,
    program: &Program,
    id: &str,
) -> Result<Application, DomainError> {
    let id = ApplicationId::parse(id).map_err(|_| DomainError::not_found("Application"))?;
    repo::find(ctx.store.as_ref(), &program.id, &id)
        .await?
        .ok_or_else(|| DomainError::not_found("Application"))
}

/// StackBE's `POST /v1/apps/:appId/affiliates/applications/:id/review`.
pub async fn review_application(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    application_id: &str,
    review: Review,
) -> Result<ReviewOutcome, DomainError> {
    let program =
        programs::authorized_program(ctx, principal, program_id, Scope::PartnersWrite).await?;
    let application = application_of(ctx, &program, application_id).await?;
    match review {
        Review::Approve { code, group_id } => {
            let choice = ApprovalChoice { code, group_id };
            let approval = approve(ctx, &program, application, choice, principal.actor()).await?;
            Ok(ReviewOutcome::Approved(Box::new(approval)))
        }
        Review::Reject {
            rejection_reason,
            rejection_note,
            reapplication_timeframe,
        } => {
            let choice = RejectChoice {
                reason: rejection_reason,
                note: rejection_note,
                timeframe: reapplication_timeframe,
            };
            let rejected = reject(ctx, application, choice, principal.actor()).await?;
            Ok(ReviewOutcome::Rejected(Box::new(rejected)))
        }
    }
}

pub async fn dub_approve(
    ctx: &AppContext,
    principal: &Principal,
    request: DubApprove,
) -> Result<Approval, DomainError> {
    let program = programs::caller_program(ctx, principal, Scope::PartnersWrite).await?;
    let application = named_application(
        ctx,
        &program,
        request.partner_id.as_deref(),
        request.application_id.as_deref(),
    )
    .await?;
    let choice = ApprovalChoice {
        code: None,
        group_id: request.group_id,
    };
    approve(ctx, &program, application, choice, principal.actor()).await
}

pub async fn dub_reject(
    ctx: &AppContext,
    principal: &Principal,
    request: DubReject,
) -> Result<Application, DomainError> {
    let program = programs::caller_program(ctx, principal, Scope::PartnersWrite).await?;
    let application = named_application(
        ctx,
        &program,
        request.partner_id.as_deref(),
        request.application_id.as_deref(),
    )
    .await?;
    if request.flag_for_fraud == Some(true)
        && request.reapplication_timeframe == Some(ReapplicationTimeframe::Instant)
    {
        return Err(DomainError::Unprocessable(
            "`flagForFraud` cannot be combined with `reapplicationTimeframe: instant`.".into(),
        ));
    }
    let reason = request
        .rejection_reason
        .unwrap_or(DubRejectionReason::Other);
    let fraud = request.flag_for_fraud.unwrap_or(false).then(|| {
        format!(
            "Flagged for fraud{}",
            request
                .flag_for_fraud_reason
                .as_deref()
                .map(|why| format!(": {why}"))
                .unwrap_or_default()
        )
    });
    let note = match (request.rejection_note, fraud) {
        (Some(note), Some(fraud)) => Some(format!("{note} ({fraud})")),
        (note, fraud) => note.or(fraud),
    };
    let choice = RejectChoice {
        reason: reason.as_str().to_owned(),
        note,
        timeframe: request.reapplication_timeframe,
    };
    reject(ctx, application, choice, principal.actor()).await
}
