//! The review use cases behind StackBE's review route and Dub's approve/reject routes.

use super::approve::{Approval, ApprovalChoice, approve};
use super::reject::{DubRejectionReason, RejectChoice, reject};
use super::repo;
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::{Application, Program, ReapplicationTimeframe};
use crate::programs;
use crate::types::{ApplicationId, GroupId, ReferralCode};

/// StackBE's review body: `{action:"approve", code?, groupId?}` or
/// `{action:"reject", rejectionReason, rejectionNote?, reapplicationTimeframe?}`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(tag = "action", rename_all = "lowercase", deny_unknown_fields)]
pub enum Review {
    #[serde(rename_all = "camelCase")]
    Approve {
        #[serde(default)]
        code: Option<ReferralCode>,
        #[serde(default)]
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

/// Dub's `POST /program-applications/approve`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DubApprove {
    pub application_id: String,
    #[serde(default)]
    pub group_id: Option<GroupId>,
}

/// Dub's `POST /program-applications/reject`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DubReject {
    pub application_id: String,
    pub rejection_reason: DubRejectionReason,
    #[serde(default)]
    pub rejection_note: Option<String>,
    #[serde(default)]
    pub reapplication_timeframe: Option<ReapplicationTimeframe>,
}

#[derive(Debug, Clone)]
pub enum ReviewOutcome {
    Approved(Box<Approval>),
    Rejected(Box<Application>),
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

async fn own_program(ctx: &AppContext, principal: &Principal) -> Result<Program, DomainError> {
    let id = principal
        .own_program(Scope::PartnersWrite)
        .map_err(|denied| DomainError::denied(denied, "Program"))?;
    programs::authorized_program(ctx, principal, id.as_str(), Scope::PartnersWrite).await
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
    let program = own_program(ctx, principal).await?;
    let application = application_of(ctx, &program, &request.application_id).await?;
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
    let program = own_program(ctx, principal).await?;
    let application = application_of(ctx, &program, &request.application_id).await?;
    let choice = RejectChoice {
        reason: request.rejection_reason.as_str().to_owned(),
        note: request.rejection_note,
        timeframe: request.reapplication_timeframe,
    };
    reject(ctx, application, choice, principal.actor()).await
}
