use super::repo;
use crate::auth::{ApiKeyView, IssuedApiKey, Principal, Scope, api_key_store};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::EventName;
use crate::outbox;
use crate::types::{ApiKeyId, ProgramId};
use crate::wire::event_data;
use crate::wire::programs::{ApiKeyRevokedEventSchema, ApiKeySchema};
use time::OffsetDateTime;

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateApiKey {
    pub name: String,
    pub scopes: Vec<Scope>,
    /// RFC 3339; in the future.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<OffsetDateTime>,
}

async fn authorized_program(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    scope: Scope,
) -> Result<ProgramId, DomainError> {
    let id = ProgramId::parse(program_id).map_err(|_| DomainError::not_found("Program"))?;
    principal
        .authorize(&id, scope)
        .map_err(|denied| DomainError::denied(denied, "Program"))?;
    // Keys are managed by admins only: a key must not mint keys with more scopes than itself.
    if matches!(principal, Principal::ApiKey(_)) && scope == Scope::ProgramsWrite {
        return Err(DomainError::Forbidden(
            "API keys are managed with an admin token.".into(),
        ));
    }
    repo::find_program(ctx.store.as_ref(), &id)
        .await?
        .ok_or_else(|| DomainError::not_found("Program"))?;
    Ok(id)
}

pub async fn create_api_key(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    request: CreateApiKey,
) -> Result<ApiKeyView, DomainError> {
    let program = authorized_program(ctx, principal, program_id, Scope::ProgramsWrite).await?;
    let name = request.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(DomainError::Unprocessable(
            "`name` must have 1 to 100 characters.".into(),
        ));
    }
    if request.scopes.is_empty() {
        return Err(DomainError::Unprocessable(
            "`scopes` must name at least one scope.".into(),
        ));
    }
    let now = ctx.clock.now();
    if request.expires_at.is_some_and(|expires| expires <= now) {
        return Err(DomainError::Unprocessable(
            "`expiresAt` must be in the future.".into(),
        ));
    }
    let mut scopes = request.scopes;
    scopes.sort();
    scopes.dedup();
    let issued = IssuedApiKey::generate(
        ctx.random.as_ref(),
        ctx.ids.as_ref(),
        program.clone(),
        name,
        scopes,
        request.expires_at,
        now,
    );
    let event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &program,
        EventName::ApiKeyCreated,
        principal.actor(),
        event_data(&ApiKeySchema::of(&ApiKeyView::from(issued.record.clone()))),
    );
    ctx.store
        .transact(vec![
            api_key_store::insert(&issued.record)?,
            outbox::record(&event)?,
        ])
        .await?;
    Ok(ApiKeyView {
        key: Some(issued.secret),
        ..ApiKeyView::from(issued.record)
    })
}

pub async fn list_api_keys(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    cursor: Option<String>,
    limit: u32,
) -> Result<(Vec<ApiKeyView>, Option<String>), DomainError> {
    let program = authorized_program(ctx, principal, program_id, Scope::ProgramsRead).await?;
    let (records, next) = api_key_store::list(ctx.store.as_ref(), &program, cursor, limit).await?;
    Ok((records.into_iter().map(ApiKeyView::from).collect(), next))
}

pub async fn revoke_api_key(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    key_id: &str,
) -> Result<ApiKeyView, DomainError> {
    let program = authorized_program(ctx, principal, program_id, Scope::ProgramsWrite).await?;
    let key_id = ApiKeyId::parse(key_id).map_err(|_| DomainError::not_found("API key"))?;
    let record = api_key_store::find_by_id(ctx.store.as_ref(), &program, &key_id)
        .await?
        .ok_or_else(|| DomainError::not_found("API key"))?;
    if record.revoked_at.is_some() {
        return Ok(ApiKeyView::from(record));
    }
    let now = ctx.clock.now();
    let event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &program,
        EventName::ApiKeyRevoked,
        principal.actor(),
        event_data(&ApiKeyRevokedEventSchema {
            id: record.id.to_string(),
        }),
    );
    match ctx
        .store
        .transact(vec![
            api_key_store::revoke(&record, now),
            outbox::record(&event)?,
        ])
        .await
    {
        // Revoked concurrently: the outcome the caller asked for.
        Err(error) if error.failed_condition_index() == Some(0) => {}
        other => other?,
    }
    ctx.auth.forget_key(&record.id);
    Ok(ApiKeyView {
        revoked_at: Some(now),
        ..ApiKeyView::from(record)
    })
}
