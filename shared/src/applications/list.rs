use super::repo;
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::{Application, ApplicationStatus};
use crate::programs;

/// One page of a program's applications, newest first. `program_id` is `None` on Dub's
/// route, which acts on the caller's own program.
pub async fn list_applications(
    ctx: &AppContext,
    principal: &Principal,
    program_id: Option<&str>,
    status: Option<ApplicationStatus>,
    cursor: Option<String>,
    limit: u32,
) -> Result<(Vec<Application>, Option<String>), DomainError> {
    let program_id = match program_id {
        Some(id) => id.to_owned(),
        None => principal
            .own_program(Scope::PartnersRead)
            .map_err(|denied| DomainError::denied(denied, "Program"))?
            .to_string(),
    };
    let program =
        programs::authorized_program(ctx, principal, &program_id, Scope::PartnersRead).await?;
    let page = repo::list(ctx.store.as_ref(), &program.id, status, cursor, limit).await?;
    Ok(page)
}
