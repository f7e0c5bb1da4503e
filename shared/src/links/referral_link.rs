//! A partner's default referral link: `https://{program domain}/{referral code, lower-cased}`.
//! The redirect serves it by the domain+key claim.

use crate::model::{Link, Program};
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
    let place = (program.domain.clone(), code.normalized());
    Ok(Link {
        partner_id: Some(partner.clone()),
        ..Link::new(LinkId::generate(ids), &program.id, place, url, now)
    })
}

/// The link record, then the claim on its domain and key (fails when the key is taken).
pub fn insert_link(link: &Link) -> Result<[TxOp; 2], StoreError> {
    super::repo::insert(link)
}
