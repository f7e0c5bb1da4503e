use super::repo;
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::applicant_country;
use crate::model::{Application, ApplicationFormField, ApplicationStatus};
use crate::programs;
use crate::programs::caller_program_id;
use crate::web::pages;

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

/// Dub's filters of the applications list. A page is filled to its size whatever the filters
/// drop, as Dub's SDKs stop paging at a short page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationFilter {
    pub status: Option<ApplicationStatus>,
    /// Part of the applicant's name or email, any case.
    pub search: Option<String>,
    pub group_id: Option<String>,
    /// The applicant's answer to a form field keyed `country` (an ISO code), any case.
    pub country: Option<String>,
    /// Dub's `sortOrder=asc`; newest first otherwise.
    pub oldest_first: bool,
}

impl ApplicationFilter {
    fn keeps(&self, application: &Application) -> bool {
        let search = self.search.as_ref().map(|s| s.to_lowercase());
        search.as_ref().is_none_or(|s| {
            application.name.to_lowercase().contains(s.as_str())
                || application.email.as_str().contains(s.as_str())
        }) && self.group_id.as_ref().is_none_or(|g| {
            application
                .group_id
                .as_ref()
                .is_some_and(|id| id.as_str() == g)
        }) && self.country.as_ref().is_none_or(|c| {
            applicant_country(application).is_some_and(|own| own.eq_ignore_ascii_case(c))
        })
    }
}

/// One page of a program's applications. `program_id` is `None` on Dub's route, which acts on
/// the caller's own program.
pub async fn list_applications(
    ctx: &AppContext,
    principal: &Principal,
    program_id: Option<&str>,
    filter: ApplicationFilter,
    at: ApplicationsAt,
    limit: u32,
) -> Result<ApplicationPage, DomainError> {
    let program_id = match program_id {
        Some(id) => id.to_owned(),
        None => caller_program_id(principal, Scope::PartnersRead)?.to_string(),
    };
    let program =
        programs::authorized_program(ctx, principal, &program_id, Scope::PartnersRead).await?;
    let store = ctx.store.as_ref();
    let (status, oldest_first) = (filter.status, filter.oldest_first);
    let index = |cursor, size| repo::list(store, &program.id, status, oldest_first, cursor, size);
    let keeps = |application: &Application| filter.keeps(application);
    let read = |cursor, size| pages::filled_page(cursor, size, index, keeps);
    let (applications, next) = match at {
        ApplicationsAt::Cursor(cursor) => read(cursor, limit).await?,
        ApplicationsAt::Page(number) => pages::nth_page(number, limit, read).await?,
    };
    Ok(ApplicationPage {
        applications,
        next,
        form_fields: program.settings.application_form_fields,
    })
}
