//! A partner's default referral link: `https://{program domain}/{referral code, lower-cased}`.
//! The redirect serves it by the domain+key claim.

use crate::layout;
use crate::model::{Link, LinkStats, Program};
use crate::ports::IdSource;
use crate::store::records::{claim, json_item};
use crate::store::{Condition, Put, StoreError, TxOp, s, schema};
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
        stats: LinkStats::default(),
        created_at: now,
    })
}

/// The link record, then the claim on its domain and key (fails when the key is taken).
pub fn insert_link(link: &Link) -> Result<[TxOp; 2], StoreError> {
    Ok([
        TxOp::Put(Put {
            item: {
                let mut item = json_item(&layout::link(&link.id), link, 1)?;
                super::totals::write_link_stats(&mut item, &link.stats);
                if let Some(partner) = &link.partner_id {
                    // A partner's links, for the partner listing and the partner dashboard.
                    item.insert(
                        schema::GSI3.pk.into(),
                        s(layout::partner_links_index_pk(partner)),
                    );
                    item.insert(schema::GSI3.sk.into(), s(link.id.to_string()));
                }
                item
            },
            condition: Some(Condition::NotExists),
        }),
        claim(
            &layout::link_key_claim(&link.domain, &link.key),
            "linkId",
            link.id.as_str(),
        ),
    ])
}
