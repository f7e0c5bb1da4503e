//! Customer records: one item per customer, and a claim per email and program so that one
//! email has one account.

use crate::layout;
use crate::model::Customer;
use crate::store::records::{claim, claim_owner, json_item, read_json};
use crate::store::{Condition, ItemStore, Put, StoreError, TxOp};
use crate::types::{CustomerId, Email, ProgramId};

const OWNER: &str = "customerId";

/// The actions that create a customer: the record, then the email claim (fails when taken).
pub fn insert_customer(customer: &Customer, email: &Email) -> Result<Vec<TxOp>, StoreError> {
    Ok(vec![
        TxOp::Put(Put {
            item: json_item(&layout::customer(&customer.id), customer, 1)?,
            condition: Some(Condition::NotExists),
        }),
        claim(
            &layout::customer_email_claim(&customer.program_id, email),
            OWNER,
            customer.id.as_str(),
        ),
    ])
}

pub async fn find_customer(
    store: &dyn ItemStore,
    program: &ProgramId,
    id: &CustomerId,
) -> Result<Option<Customer>, StoreError> {
    let found: Option<Customer> = read_json(store, &layout::customer(id)).await?;
    Ok(found.filter(|customer| &customer.program_id == program))
}

pub async fn find_by_email(
    store: &dyn ItemStore,
    program: &ProgramId,
    email: &Email,
) -> Result<Option<Customer>, StoreError> {
    let Some(owner) =
        claim_owner(store, &layout::customer_email_claim(program, email), OWNER).await?
    else {
        return Ok(None);
    };
    let id = CustomerId::parse(&owner).map_err(|e| StoreError::Validation(e.0))?;
    find_customer(store, program, &id).await
}
