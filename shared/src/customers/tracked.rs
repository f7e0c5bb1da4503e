//! Customers created by lead and sale tracking, identified by the business's own id
//! (`customerExternalId`).
//!
//! A tracked customer's id is derived from the program and the external id, so that finding a
//! customer by external id is one `GetItem` and creating one is a put that fails when the
//! customer exists (no separate claim item). The body never changes after creation (the
//! attribution is set once); what changes with later events lives in attributes beside it,
//! changed with `ADD` and `if_not_exists`, so concurrent events of one customer never rewrite
//! each other.

use crate::layout;
use crate::model::Customer;
use crate::model::CustomerActivity;
use crate::store::records::{from_json_item, json_item};
use crate::store::{
    Condition, Item, Put, StoreError, TxOp, Update, UpdateItem, get_n, get_s, s, schema,
};
use crate::types::{CustomerId, ProgramId};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub const SALES: &str = "sales";
pub const SALE_AMOUNT: &str = "saleAmount";
pub const FIRST_SALE_AT: &str = "firstSaleAt";
pub const FIRST_COMMISSION_AT: &str = "firstCommissionAt";
pub const LEAD_REWARDED_AT: &str = "leadRewardedAt";

/// The customer an API path or filter names: `ext_` + its external id, else its own id;
/// `None` for text that is neither.
pub fn customer_id_named(program: &ProgramId, id: &str) -> Option<CustomerId> {
    match id.strip_prefix("ext_") {
        Some(external) => Some(tracked_customer_id(program, external)),
        None => CustomerId::parse(id).ok(),
    }
}

/// The id of the customer with `external_id` in `program`: `cus_` + 128 bits of SHA-256, hex.
pub fn tracked_customer_id(program: &ProgramId, external_id: &str) -> CustomerId {
    let digest = Sha256::new()
        .chain_update(program.as_str().as_bytes())
        .chain_update([0u8])
        .chain_update(external_id.as_bytes())
        .finalize();
    CustomerId::parse(&format!(
        "{}{}",
        CustomerId::PREFIX,
        hex::encode(&digest[..16])
    ))
    .expect("hex is within the id alphabet")
}

fn time_attribute(item: &Item, name: &str) -> Result<Option<OffsetDateTime>, StoreError> {
    get_s(item, name)
        .map(|text| {
            OffsetDateTime::parse(text, &Rfc3339)
                .map_err(|_| StoreError::Validation(format!("{name} is not a time")))
        })
        .transpose()
}

pub fn time_value(at: OffsetDateTime) -> crate::store::AttributeValue {
    s(at.format(&Rfc3339).expect("a UTC time formats"))
}

/// A tracked customer and its activity from their item.
pub fn customer_of(item: &Item) -> Result<(Customer, CustomerActivity), StoreError> {
    let customer = from_json_item(item)?;
    let activity = CustomerActivity {
        sales: get_n(item, SALES).unwrap_or(0),
        sale_amount: get_n(item, SALE_AMOUNT).unwrap_or(0),
        first_sale_at: time_attribute(item, FIRST_SALE_AT)?,
        first_commission_at: time_attribute(item, FIRST_COMMISSION_AT)?,
        lead_rewarded_at: time_attribute(item, LEAD_REWARDED_AT)?,
    };
    Ok((customer, activity))
}

/// What one event changes on a customer's activity, and what it relies on having read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityChange {
    pub sales: i64,
    pub sale_amount: i64,
    pub sale_at: Option<OffsetDateTime>,
    pub commission_at: Option<OffsetDateTime>,
    pub lead_rewarded_at: Option<OffsetDateTime>,
    /// The event assumed this is the customer's first sale (it counts a conversion).
    pub expects_no_sale: bool,
    /// The event assumed the customer has no commission yet (a first-sale-only reward).
    pub expects_no_commission: bool,
}

/// A new tracked customer with the activity of the event that creates it; fails (condition)
/// when the customer exists.
pub fn insert_tracked_customer(
    customer: &Customer,
    change: &ActivityChange,
) -> Result<TxOp, StoreError> {
    let mut item = json_item(&layout::customer(&customer.id), customer, 1)?;
    item.insert(
        schema::GSI1.pk.into(),
        s(layout::customers_index_pk(&customer.program_id)),
    );
    item.insert(
        schema::GSI1.sk.into(),
        s(layout::time_sk(customer.created_at, customer.id.as_str())),
    );
    item.insert(SALES.into(), crate::store::n(change.sales));
    item.insert(SALE_AMOUNT.into(), crate::store::n(change.sale_amount));
    for (name, at) in [
        (FIRST_SALE_AT, change.sale_at),
        (FIRST_COMMISSION_AT, change.commission_at),
        (LEAD_REWARDED_AT, change.lead_rewarded_at),
    ] {
        if let Some(at) = at {
            item.insert(name.into(), time_value(at));
        }
    }
    Ok(TxOp::Put(Put {
        item,
        condition: Some(Condition::NotExists),
    }))
}

/// The update of an existing customer's activity. Conditions hold what the event relied on,
/// so a concurrent event that changed it makes the transaction fail and the event re-read.
pub fn update_activity(customer: &CustomerId, change: &ActivityChange) -> Option<TxOp> {
    let mut update = Update::new();
    if change.sales != 0 {
        update = update.add(SALES, change.sales);
    }
    if change.sale_amount != 0 {
        update = update.add(SALE_AMOUNT, change.sale_amount);
    }
    for (name, at) in [
        (FIRST_SALE_AT, change.sale_at),
        (FIRST_COMMISSION_AT, change.commission_at),
    ] {
        if let Some(at) = at {
            update = update.set_if_absent(name, time_value(at));
        }
    }
    let mut condition = Condition::Exists;
    if let Some(at) = change.lead_rewarded_at {
        update = update.set(LEAD_REWARDED_AT, time_value(at));
        condition = condition.and(Condition::AttributeNotExists(LEAD_REWARDED_AT.into()));
    }
    if change.expects_no_sale {
        condition = condition.and(Condition::AttributeNotExists(FIRST_SALE_AT.into()));
    }
    if change.expects_no_commission {
        condition = condition.and(Condition::AttributeNotExists(FIRST_COMMISSION_AT.into()));
    }
    (!update.is_empty()).then(|| {
        TxOp::Update(UpdateItem {
            key: layout::customer(customer),
            update,
            condition: Some(condition),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_per_program_and_distinct_across_programs() {
        let a = ProgramId::parse("prog_a").unwrap();
        let b = ProgramId::parse("prog_b").unwrap();
        assert_eq!(tracked_customer_id(&a, "u1"), tracked_customer_id(&a, "u1"));
        assert_ne!(tracked_customer_id(&a, "u1"), tracked_customer_id(&b, "u1"));
        assert_ne!(tracked_customer_id(&a, "u1"), tracked_customer_id(&a, "u2"));
        assert_eq!(tracked_customer_id(&a, "u1").as_str().len(), 4 + 32);
    }
}
