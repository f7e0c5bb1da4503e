//! `POST /embed/referrals/session {token}`: the page trades its public token, once, for a
//! partner session that ends when the public token would have. Every failure (unknown,
//! expired, already traded, the partner no longer approved) is the same 401.

use super::token::{self, find_embed_token};
use crate::auth::AuthError;
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::EmbedSession;
use crate::partners::find_partner;
use crate::portal::{IssuedSession, session_store};

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TradeEmbedToken {
    pub token: String,
}

fn invalid() -> DomainError {
    DomainError::Unauthenticated(AuthError::InvalidToken(
        "the embed token is invalid, expired or already used".into(),
    ))
}

pub async fn exchange_embed_token(
    ctx: &AppContext,
    input: TradeEmbedToken,
) -> Result<EmbedSession, DomainError> {
    let now = ctx.clock.now();
    let store = ctx.store.as_ref();
    let record = find_embed_token(store, &input.token)
        .await?
        .filter(|record| record.is_tradable(now))
        .ok_or_else(invalid)?;
    find_partner(store, &record.program_id, &record.partner_id)
        .await?
        .filter(crate::portal::authenticate::may_use_portal)
        .ok_or_else(invalid)?;
    let session = IssuedSession::generate(
        ctx.random.as_ref(),
        record.program_id.clone(),
        record.partner_id.clone(),
        now,
        record.expires_at - now,
    );
    let writes = vec![
        token::mark_used(&record.hashed_token, now),
        session_store::insert(&session.record)?,
    ];
    match store.transact(writes).await {
        Ok(()) => {}
        Err(error) if error.is_condition_failure() => return Err(invalid()),
        Err(error) => return Err(error.into()),
    }
    tracing::info!(partner_id = %record.partner_id, "embed token traded for a session");
    Ok(EmbedSession {
        token: session.token,
        expires_at: session.record.expires_at,
    })
}
