use super::repo;
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::{Application, ApplicationFormField, ApplicationStatus};
use crate::programs;

/// One page of a program's applications, newest first, with the program's form fields (the
/// labels of the answers).
#[derive(Debug, Clone)]
pub struct ApplicationPage {
    pub applications: Vec<Application>,
    pub next: Option<String>,
    pub form_fields: Vec<ApplicationFormField>,
}

/// Where a page of applications starts: after a cursor (none: the first page), or Dub's page
/// number (read through the pages before it, `web::pages`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationsAt {
    Cursor(Option<String>),
    Page(u32),
}

/// One page of a program's applications, newest first. `program_id` is `None` on Dub's
/// route, which acts on the caller's own program.
pub async fn list_applications(
    ctx: &AppContext,
    principal: &Principal,
    program_id: Option<&str>,
    status: Option<ApplicationStatus>,
    at: ApplicationsAt,
    limit: u32,
) -> Result<ApplicationPage, DomainError> {
    let program_id = match program_id {
        Some(id) => id.to_owned(),
        None => principal
            .own_program(Scope::PartnersRead)
            .map_err(|denied| DomainError::denied(denied, "Program"))?
            .to_string(),
    };
    let program =
        programs::authorized_program(ctx, principal, &program_id, Scope::PartnersRead).await?;
    let store = ctx.store.as_ref();
    let read = |cursor, size| repo::list(store, &program.id, status, cursor, size);
    let (applications, next) = match at {
        ApplicationsAt::Cursor(cursor) => read(cursor, limit).await?,
        ApplicationsAt::Page(number) => crate::web::pages::nth_page(number, limit, read).await?,
    };
    Ok(ApplicationPage {
        applications,
        next,
        form_fields: program.settings.application_form_fields,
    })
}
