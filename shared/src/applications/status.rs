use super::repo;
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::ApplicationStatusView;
use crate::types::{Email, ProgramId};

/// The public key's program (`applications.submit`), or a key that reads partners.
pub(super) fn submitting_program(principal: &Principal) -> Result<ProgramId, DomainError> {
    principal
        .own_program(Scope::ApplicationsSubmit)
        .or_else(|_| principal.own_program(Scope::PartnersRead))
        .map_err(|denied| DomainError::denied(denied, "Program"))
}

/// The status of an email's latest application. Reads only.
pub async fn application_status(
    ctx: &AppContext,
    principal: &Principal,
    email: &str,
) -> Result<ApplicationStatusView, DomainError> {
    let program = submitting_program(principal)?;
    let email = Email::parse(email)?;
    let store = ctx.store.as_ref();
    let application = match repo::find_email_claim(store, &program, &email).await? {
        Some(claim) => repo::find(store, &program, &claim.application_id).await?,
        None => None,
    };
    Ok(match application {
        None => ApplicationStatusView {
            applied: false,
            status: None,
            rejection_reason: None,
        },
        Some(application) => ApplicationStatusView {
            applied: true,
            status: Some(application.status),
            rejection_reason: application.rejection_reason,
        },
    })
}
