//! Partner records: one item per partner (listed by program on gsi1 and by group on gsi2),
//! and one claim item per unique value, written with the partner in one transaction.

use crate::layout;
use crate::model::Partner;
use crate::store::records::{claim, claim_owner, json_item, read_json};
use crate::store::{Condition, ItemStore, Put, StoreError, TxOp, s, schema};
use crate::types::{CustomerId, Email, PartnerId, ProgramId, ReferralCode};

const OWNER: &str = "partnerId";

/// What each action of [`insert_partner`] writes, to tell which uniqueness failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerWrite {
    Record,
    ReferralCode,
    Email,
    Customer,
    Tenant,
}

fn item(partner: &Partner) -> Result<crate::store::Item, StoreError> {
    let mut item = json_item(&layout::partner(&partner.id), partner, partner.version)?;
    item.insert(
        schema::GSI1.pk.into(),
        s(layout::partners_index_pk(&partner.program_id)),
    );
    item.insert(schema::GSI1.sk.into(), s(partner.id.to_string()));
    item.insert(
        schema::GSI2.pk.into(),
        s(layout::group_partners_index_pk(
            &partner.program_id,
            &partner.group_id,
        )),
    );
    item.insert(schema::GSI2.sk.into(), s(partner.id.to_string()));
    Ok(item)
}

/// The actions that create a partner and claim its unique values.
pub fn insert_partner(partner: &Partner) -> Result<Vec<(PartnerWrite, TxOp)>, StoreError> {
    let program = &partner.program_id;
    let owner = partner.id.as_str();
    let mut ops = vec![(
        PartnerWrite::Record,
        TxOp::Put(Put {
            item: item(partner)?,
            condition: Some(Condition::NotExists),
        }),
    )];
    if let Some(code) = &partner.referral_code {
        let key = layout::referral_code_claim(program, &code.normalized());
        ops.push((PartnerWrite::ReferralCode, claim(&key, OWNER, owner)));
    }
    if let Some(email) = &partner.email {
        let key = layout::partner_email_claim(program, email);
        ops.push((PartnerWrite::Email, claim(&key, OWNER, owner)));
    }
    if let Some(customer) = &partner.customer_id {
        let key = layout::partner_customer_claim(program, customer);
        ops.push((PartnerWrite::Customer, claim(&key, OWNER, owner)));
    }
    if let Some(tenant) = &partner.tenant_id {
        let key = layout::partner_tenant_claim(program, tenant);
        ops.push((PartnerWrite::Tenant, claim(&key, OWNER, owner)));
    }
    Ok(ops)
}

/// A partner of `program` by id; another program's partner is not found.
pub async fn find_partner(
    store: &dyn ItemStore,
    program: &ProgramId,
    id: &PartnerId,
) -> Result<Option<Partner>, StoreError> {
    let found: Option<Partner> = read_json(store, &layout::partner(id)).await?;
    Ok(found.filter(|partner| &partner.program_id == program))
}

async fn by_claim(
    store: &dyn ItemStore,
    program: &ProgramId,
    claim_key: &crate::store::Key,
) -> Result<Option<Partner>, StoreError> {
    let Some(owner) = claim_owner(store, claim_key, OWNER).await? else {
        return Ok(None);
    };
    let id = PartnerId::parse(&owner).map_err(|e| StoreError::Validation(e.0))?;
    find_partner(store, program, &id).await
}

pub async fn find_by_email(
    store: &dyn ItemStore,
    program: &ProgramId,
    email: &Email,
) -> Result<Option<Partner>, StoreError> {
    by_claim(store, program, &layout::partner_email_claim(program, email)).await
}

/// Case-insensitive: `JANE20` finds the partner of `jane20`.
pub async fn find_by_referral_code(
    store: &dyn ItemStore,
    program: &ProgramId,
    code: &ReferralCode,
) -> Result<Option<Partner>, StoreError> {
    let key = layout::referral_code_claim(program, &code.normalized());
    by_claim(store, program, &key).await
}

pub async fn find_by_customer(
    store: &dyn ItemStore,
    program: &ProgramId,
    customer: &CustomerId,
) -> Result<Option<Partner>, StoreError> {
    let key = layout::partner_customer_claim(program, customer);
    by_claim(store, program, &key).await
}

pub async fn find_by_tenant(
    store: &dyn ItemStore,
    program: &ProgramId,
    tenant_id: &str,
) -> Result<Option<Partner>, StoreError> {
    let key = layout::partner_tenant_claim(program, tenant_id);
    by_claim(store, program, &key).await
}

/// Writes a changed partner read at `read_version` (its group index entry follows the group).
pub fn replace_partner(partner: &Partner, read_version: u64) -> Result<TxOp, StoreError> {
    Ok(TxOp::Put(Put {
        item: item(partner)?,
        condition: Some(Condition::version(read_version)),
    }))
}
