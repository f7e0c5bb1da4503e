//! `POST /tokens/embed/referrals` (Dub's `embed_tokens.referrals`): the business's backend asks
//! for a public token for one partner, named by `partnerId` or `tenantId`, or enrolled on the
//! spot from a `partner` object (Dub's shape of `POST /partners`, into its `groupId`).

use super::token::{self, EmbedTokenRecord};
use crate::auth::Principal;
use crate::context::AppContext;
use crate::enrollment::{CreatePartner, create_partner};
use crate::error::DomainError;
use crate::model::IssuedEmbedToken;
use crate::model::Partner;
use crate::partners::{find_by_tenant, find_partner};
use crate::types::{PartnerId, ProgramId};

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateEmbedToken {
    pub partner_id: Option<String>,
    pub tenant_id: Option<String>,
    /// Enrolls this partner when no partner has its `tenantId` or email yet.
    pub partner: Option<CreatePartner>,
}

/// The partner the request names, or the one it enrolls.
async fn embedded_partner(
    ctx: &AppContext,
    principal: &Principal,
    program: &ProgramId,
    input: CreateEmbedToken,
) -> Result<Partner, DomainError> {
    let store = ctx.store.as_ref();
    let found = match (&input.partner_id, &input.tenant_id) {
        (Some(id), _) => match PartnerId::parse(id) {
            Ok(id) => find_partner(store, program, &id).await?,
            Err(_) => None,
        },
        (None, Some(tenant)) => find_by_tenant(store, program, tenant).await?,
        (None, None) => None,
    };
    match (found, input.partner) {
        (Some(partner), _) => Ok(partner),
        (None, Some(enroll)) if input.partner_id.is_none() => {
            Ok(create_partner(ctx, principal, enroll).await?.partner)
        }
        (None, None) if input.partner_id.is_none() && input.tenant_id.is_none() => Err(
            DomainError::BadRequest("Send `partnerId`, `tenantId` or `partner`.".into()),
        ),
        (None, _) => Err(DomainError::not_found("Partner")),
    }
}

pub async fn create_embed_token(
    ctx: &AppContext,
    principal: &Principal,
    input: CreateEmbedToken,
) -> Result<IssuedEmbedToken, DomainError> {
    let program = crate::portal::issue::caller_program(principal)?;
    let partner = embedded_partner(ctx, principal, &program, input).await?;
    if !crate::portal::authenticate::may_use_portal(&partner) {
        return Err(DomainError::Forbidden(
            "This partner is not approved, so it has no referral dashboard.".into(),
        ));
    }
    let (public_token, record) = EmbedTokenRecord::generate(
        ctx.random.as_ref(),
        program,
        partner.id.clone(),
        ctx.clock.now(),
    );
    ctx.store.transact(vec![token::insert(&record)?]).await?;
    tracing::info!(partner_id = %partner.id, "embed token issued");
    Ok(IssuedEmbedToken {
        public_token,
        expires_at: record.expires_at,
    })
}
