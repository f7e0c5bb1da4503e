//! The business's backend issues (and revokes) a partner's session: `POST /partners/sessions`
//! with a program API key holding `partners.write`, or the program's admin token.

use super::{
    DEFAULT_SESSION_TTL, IssuedSession, MAX_SESSION_TTL, hash_session_token, session_store,
};
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::IssuedSessionView;
use crate::model::Partner;
use crate::partners::{find_by_tenant, find_partner};
use crate::programs::caller_program_id;
use crate::types::{PartnerId, ProgramId};

/// `POST /partners/sessions`: the partner by id or by the business's own id (`tenantId`).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IssueSession {
    pub partner_id: Option<String>,
    pub tenant_id: Option<String>,
    /// At most 30 days; 24 hours when absent.
    pub expires_in_seconds: Option<i64>,
}

/// `POST /partners/sessions/revoke {token}`: ends a session before it expires (a logout).
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RevokeSession {
    pub token: String,
}

pub(super) fn caller_program(principal: &Principal) -> Result<ProgramId, DomainError> {
    caller_program_id(principal, Scope::PartnersWrite)
}

/// The program's partner named by id or tenant id; another program's partner is not found.
async fn target_partner(
    ctx: &AppContext,
    program: &ProgramId,
    input: &IssueSession,
) -> Result<Partner, DomainError> {
    let store = ctx.store.as_ref();
    let found = match (&input.partner_id, &input.tenant_id) {
        (Some(id), _) => match PartnerId::parse(id) {
            Ok(id) => find_partner(store, program, &id).await?,
            Err(_) => None,
        },
        (None, Some(tenant)) => find_by_tenant(store, program, tenant).await?,
        (None, None) => {
            return Err(DomainError::BadRequest(
                "Send `partnerId` or `tenantId`.".into(),
            ));
        }
    };
    found.ok_or_else(|| DomainError::not_found("Partner"))
}

pub async fn issue_session(
    ctx: &AppContext,
    principal: &Principal,
    input: IssueSession,
) -> Result<IssuedSessionView, DomainError> {
    let program = caller_program(principal)?;
    let ttl = match input.expires_in_seconds {
        None => DEFAULT_SESSION_TTL,
        Some(seconds) if (60..=MAX_SESSION_TTL.whole_seconds()).contains(&seconds) => {
            time::Duration::seconds(seconds)
        }
        Some(_) => {
            return Err(DomainError::Unprocessable(format!(
                "`expiresInSeconds` must be 60 to {}.",
                MAX_SESSION_TTL.whole_seconds()
            )));
        }
    };
    let partner = target_partner(ctx, &program, &input).await?;
    if !super::authenticate::may_use_portal(&partner) {
        return Err(DomainError::Forbidden(
            "This partner is not approved, so it cannot have a session.".into(),
        ));
    }
    let issued = IssuedSession::generate(
        ctx.random.as_ref(),
        program,
        partner.id.clone(),
        ctx.clock.now(),
        ttl,
    );
    ctx.store
        .transact(vec![session_store::insert(&issued.record)?])
        .await?;
    tracing::info!(partner_id = %partner.id, "partner session issued");
    Ok(IssuedSessionView {
        token: issued.token,
        expires_at: issued.record.expires_at,
        partner_id: partner.id,
    })
}

/// Revokes one of the program's sessions; an unknown token, another program's, or one already
/// revoked is not found.
pub async fn revoke_session(
    ctx: &AppContext,
    principal: &Principal,
    input: RevokeSession,
) -> Result<(), DomainError> {
    let program = caller_program(principal)?;
    let hash = hash_session_token(input.token.trim());
    let store = ctx.store.as_ref();
    let found = session_store::find_by_hash(store, &hash).await?;
    if !found.is_some_and(|record| record.program_id == program && record.revoked_at.is_none()) {
        return Err(DomainError::not_found("Session"));
    }
    match store
        .transact(vec![session_store::revoke(&hash, ctx.clock.now())])
        .await
    {
        Ok(()) => Ok(()),
        Err(error) if error.is_condition_failure() => Err(DomainError::not_found("Session")),
        Err(error) => Err(error.into()),
    }
}
