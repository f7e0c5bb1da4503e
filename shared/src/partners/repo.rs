//! Partner records: one item per partner (listed by program on gsi1 and by group on gsi2),
//! and one claim item per unique value, written with the partner in one transaction.

use super::totals::{partner_totals_of, write_partner_totals};
use crate::layout;
use crate::model::Partner;
use crate::store::records::{BODY, claim, claim_owner, compact_json_item, from_json_item};
use crate::store::{
    Condition, Consistency, Item, ItemStore, Put, StoreError, TxOp, Update, UpdateItem, s, schema,
};
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
    let mut item = compact_json_item(&layout::partner(&partner.id), partner, partner.version)?;
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
    for (name, value) in super::feed::feed_attributes(&partner.program_id, &partner.id) {
        item.insert(name.into(), value);
    }
    Ok(item)
}

/// A partner from its item: the record from the body, the counters from their attributes.
pub fn partner_of(item: &Item) -> Result<Partner, StoreError> {
    let mut partner: Partner = from_json_item(item)?;
    partner.totals = partner_totals_of(item)?;
    Ok(partner)
}

/// The actions that create a partner and claim its unique values.
pub fn insert_partner(partner: &Partner) -> Result<Vec<(PartnerWrite, TxOp)>, StoreError> {
    let program = &partner.program_id;
    let owner = partner.id.as_str();
    let mut ops = vec![(
        PartnerWrite::Record,
        TxOp::Put(Put {
            item: {
                let mut item = item(partner)?;
                write_partner_totals(&mut item, &partner.totals);
                item
            },
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
    let found = store
        .get(&layout::partner(id), Consistency::Strong)
        .await?
        .as_ref()
        .map(partner_of)
        .transpose()?;
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

/// Writes a changed partner read at `read_version` (its group index entry follows the group,
/// and its change-feed stamp moves to now).
/// An update, not a put: the counters beside the body are left as they are.
pub fn replace_partner(partner: &Partner, read_version: u64) -> Result<TxOp, StoreError> {
    let mut written = item(partner)?;
    let key = layout::partner(&partner.id);
    let mut update = Update::new();
    for name in [
        BODY,
        "version",
        schema::GSI1.pk,
        schema::GSI1.sk,
        schema::GSI2.pk,
        schema::GSI2.sk,
        schema::GSI3.pk,
        schema::GSI3.sk,
    ] {
        if let Some(value) = written.remove(name) {
            update = update.set(name, value);
        }
    }
    Ok(TxOp::Update(UpdateItem {
        key,
        update,
        condition: Some(Condition::version(read_version)),
    }))
}
