//! Rejection: the application and its email's claim (with when the email may apply again),
//! and `partner_application_rejected`, in one transaction.

use super::approve::{reviewed_meanwhile, reviewer};
use super::repo;
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::EventName;
use crate::model::{Actor, Application, ApplicationStatus, ReapplicationTimeframe};
use crate::outbox;
use crate::wire::affiliate::ApplicationRejectedEventSchema;
use crate::wire::event_data;

/// Dub's rejection reasons.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum DubRejectionReason {
    NeedsMoreDetail,
    DoesNotMeetRequirements,
    NotTheRightFit,
    Other,
}

impl DubRejectionReason {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::NeedsMoreDetail => "needsMoreDetail",
            Self::DoesNotMeetRequirements => "doesNotMeetRequirements",
            Self::NotTheRightFit => "notTheRightFit",
            Self::Other => "other",
        }
    }
}

#[derive(Debug, Clone)]
pub struct RejectChoice {
    pub reason: String,
    pub note: Option<String>,
    pub timeframe: Option<ReapplicationTimeframe>,
}

const MAX_REASON_CHARS: usize = 500;

fn check_length(name: &str, value: &str, min: usize) -> Result<(), DomainError> {
    let chars = value.trim().chars().count();
    if chars < min || chars > MAX_REASON_CHARS {
        return Err(DomainError::Unprocessable(format!(
            "`{name}` must have {min} to {MAX_REASON_CHARS} characters."
        )));
    }
    Ok(())
}

/// Rejects a pending application.
pub(super) async fn reject(
    ctx: &AppContext,
    read: Application,
    choice: RejectChoice,
    actor: Actor,
) -> Result<Application, DomainError> {
    check_length("rejectionReason", &choice.reason, 1)?;
    if let Some(note) = &choice.note {
        check_length("rejectionNote", note, 0)?;
    }
    if read.status != ApplicationStatus::Pending {
        return Err(reviewed_meanwhile());
    }
    let application = Application {
        status: ApplicationStatus::Rejected,
        rejection_reason: Some(choice.reason.trim().to_owned()),
        rejection_note: choice.note.map(|note| note.trim().to_owned()),
        reapplication_timeframe: Some(choice.timeframe.unwrap_or_default()),
        reviewed_at: Some(ctx.clock.now()),
        reviewed_by: Some(reviewer(&actor)),
        version: read.version + 1,
        ..read.clone()
    };
    let event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &application.program_id,
        EventName::PartnerApplicationRejected,
        actor,
        event_data(&ApplicationRejectedEventSchema::of(&application)),
    );
    let mut ops = repo::replace(&application, &read)?.to_vec();
    ops.push(outbox::record(&event)?);
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(application),
        Err(error) if error.failed_condition_index().is_some() => Err(reviewed_meanwhile()),
        Err(error) => Err(error.into()),
    }
}
