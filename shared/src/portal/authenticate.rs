//! Turns `Authorization: Bearer pst_...` into the partner it was issued for. Every failure
//! (missing, unknown, expired, revoked, the partner no longer approved) is the same 401, so a
//! caller learns nothing about other partners' tokens.

use super::{SESSION_PREFIX, hash_session_token, session_store};
use crate::applications::{EnrolledPartner, enrolled_partner};
use crate::auth::AuthError;
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::PartnerSession;
use crate::model::{Partner, PartnerStatus};
use crate::partners::find_partner;
use crate::programs::find_program;
use http::HeaderMap;

/// Only an approved partner has a portal: a ban or deactivation ends every session at once.
pub(super) fn may_use_portal(partner: &Partner) -> bool {
    partner.status == PartnerStatus::Approved
}

fn invalid() -> DomainError {
    DomainError::Unauthenticated(AuthError::InvalidToken(
        "the partner session is invalid, revoked or expired".into(),
    ))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

/// Whether the request signs in with a partner session rather than a program key or admin
/// token, for routes that accept both (deal registration) to pick the authenticator.
pub fn carries_partner_session(headers: &HeaderMap) -> bool {
    bearer(headers).is_some_and(|token| token.starts_with(SESSION_PREFIX))
}

pub async fn authenticate_partner(
    ctx: &AppContext,
    headers: &HeaderMap,
) -> Result<PartnerSession, DomainError> {
    let token = bearer(headers).ok_or(DomainError::Unauthenticated(AuthError::Missing))?;
    if !token.starts_with(SESSION_PREFIX) {
        return Err(invalid());
    }
    let store = ctx.store.as_ref();
    let record = session_store::find_by_hash(store, &hash_session_token(token))
        .await?
        .filter(|record| record.is_usable(ctx.clock.now()))
        .ok_or_else(invalid)?;
    let partner = find_partner(store, &record.program_id, &record.partner_id)
        .await?
        .filter(may_use_portal)
        .ok_or_else(invalid)?;
    let program = find_program(store, &record.program_id)
        .await?
        .ok_or_else(invalid)?;
    Ok(PartnerSession {
        record,
        partner,
        program,
    })
}

/// `GET /v1/affiliate`: the signed-in partner, in the shape of StackBE's partner lookup.
pub fn partner_info(session: &PartnerSession) -> EnrolledPartner {
    enrolled_partner(
        session.partner.clone(),
        session.program.currency.minor_digits(),
    )
}
