//! Launching a program: the program and its default group, created in one transaction. It
//! spans two aggregates (`programs`, `groups`), so it stands above both.

use crate::auth::Principal;
use crate::context::AppContext;
use crate::error::DomainError;
use crate::groups;
use crate::model::EventName;
use crate::model::{Program, ProgramSettings};
use crate::outbox;
use crate::programs::{self, DomainName};
use crate::store::StoreError;
use crate::types::{Currency, ProgramId};
use crate::wire::event_data;
use crate::wire::programs::ProgramSchema;

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateProgram {
    pub name: String,
    /// The host name of the program's short links, e.g. `go.acme.com`.
    #[schema(value_type = String)]
    pub domain: DomainName,
    /// ISO 4217; `usd` when absent.
    #[serde(default)]
    #[schema(value_type = String)]
    pub currency: Currency,
    #[serde(default)]
    pub settings: ProgramSettings,
}

/// Creates a program. Only a platform administrator (an admin token with the
/// `programs:create` scope) may do this.
pub async fn create_program(
    ctx: &AppContext,
    principal: &Principal,
    request: CreateProgram,
) -> Result<Program, DomainError> {
    if !principal.can_create_programs() {
        return Err(DomainError::Forbidden(format!(
            "Creating programs needs an admin token with the `{}` scope.",
            crate::auth::CREATE_PROGRAMS_SCOPE
        )));
    }
    let name = request.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 190 {
        return Err(DomainError::Unprocessable(
            "`name` must have 1 to 190 characters.".into(),
        ));
    }
    if request.settings.click_id_param.is_empty()
        || !request
            .settings
            .click_id_param
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(DomainError::Unprocessable(
            "`settings.clickIdParam` must be letters, digits, `_` or `-`.".into(),
        ));
    }
    let now = ctx.clock.now();
    let program = Program {
        id: ProgramId::generate(ctx.ids.as_ref()),
        name,
        domain: request.domain.as_str().to_owned(),
        currency: request.currency,
        settings: request.settings,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &program.id,
        EventName::ProgramCreated,
        principal.actor(),
        event_data(&ProgramSchema::of(&program)),
    );
    // Every program starts with its default group, in the same transaction.
    let group = groups::default_group(&program, ctx.ids.as_ref(), now);
    let group_event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &program.id,
        EventName::GroupCreated,
        principal.actor(),
        groups::group_data(&group),
    );
    let mut ops = programs::insert_program(&program)?;
    ops.extend(groups::insert_group(&group)?);
    ops.push(outbox::record(&event)?);
    ops.push(outbox::record(&group_event)?);
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(program),
        // The program id is fresh, so only the domain claim can fail.
        Err(error @ StoreError::TransactionCanceled { .. })
            if error.failed_condition_index() == Some(1) =>
        {
            Err(DomainError::Conflict(format!(
                "The domain `{}` is already used by another program.",
                program.domain
            )))
        }
        Err(error) => Err(error.into()),
    }
}
