//! A partner's default referral link: `https://{program domain}/{referral code, lower-cased}`.
//! The redirect serves it by the domain+key claim.

use crate::model::{Link, LinkStats, Program};
use crate::ports::IdSource;
use crate::store::{StoreError, TxOp};
use crate::types::{LinkId, PartnerId, ReferralCode, WebUrl};
use time::OffsetDateTime;

pub fn default_referral_link(
    program: &Program,
    partner: &PartnerId,
    code: &ReferralCode,
    ids: &dyn IdSource,
    now: OffsetDateTime,
) -> Result<Link, StoreError> {
    let url = WebUrl::parse(&format!("https://{}", program.domain))
        .map_err(|e| StoreError::Validation(e.0))?;
    Ok(Link {
        id: LinkId::generate(ids),
        program_id: program.id.clone(),
        domain: program.domain.clone(),
        key: code.normalized(),
        url,
        partner_id: Some(partner.clone()),
        tenant_id: None,
        expires_at: None,
        expired_url: None,
        disabled: false,
        geo: Default::default(),
        ios: None,
        android: None,
        details: Default::default(),
        stats: LinkStats::default(),
        created_at: now,
        updated_at: None,
    })
}

/// The link record, then the claim on its domain and key (fails when the key is taken).
pub fn insert_link(link: &Link) -> Result<[TxOp; 2], StoreError> {
    super::repo::insert(link)
}
