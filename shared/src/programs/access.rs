use super::repo;
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::Program;
use crate::types::ProgramId;

/// The id of the caller's own program, for a route without a program id, when the caller's
/// credential holds `scope`: 404 for a credential of no program, 403 without the scope.
pub fn caller_program_id(principal: &Principal, scope: Scope) -> Result<ProgramId, DomainError> {
    principal
        .own_program(scope)
        .map_err(|denied| DomainError::denied(denied, "Program"))
}

/// Loads the program a setup request names, once the caller may act on it with `scope`.
/// Another program's id, or an unknown one, is 404.
pub async fn authorized_program(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    scope: Scope,
) -> Result<Program, DomainError> {
    let id = ProgramId::parse(program_id).map_err(|_| DomainError::not_found("Program"))?;
    principal
        .authorize(&id, scope)
        .map_err(|denied| DomainError::denied(denied, "Program"))?;
    repo::find_program(ctx.store.as_ref(), &id)
        .await?
        .ok_or_else(|| DomainError::not_found("Program"))
}

/// `GET /programs/{id}`: the program, to a caller who may read it.
pub async fn get_program(
    ctx: &AppContext,
    principal: &Principal,
    id: &str,
) -> Result<Program, DomainError> {
    authorized_program(ctx, principal, id, Scope::ProgramsRead).await
}

/// The caller's program, for the Dub-style partner routes (no program id in the path).
pub async fn caller_program(
    ctx: &AppContext,
    principal: &Principal,
    scope: Scope,
) -> Result<Program, DomainError> {
    let id = caller_program_id(principal, scope)?;
    repo::find_program(ctx.store.as_ref(), &id)
        .await?
        .ok_or_else(|| DomainError::not_found("Program"))
}
