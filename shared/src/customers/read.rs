//! Dub's `GET /customers` and `GET /customers/{id}` over tracked customers (newest first).
//! `{id}` is the customer id or `ext_` + the business's external id, as in Dub. With
//! `includeExpandedFields=true`, each customer also has its `link`, `partner` and `discount`.

use super::expanded::expand;
use super::tracked::{customer_id_named, customer_of, tracked_customer_id};
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::layout;
use crate::model::Customer;
use crate::model::CustomerActivity;
use crate::model::CustomerExpansion;
use crate::model::CustomerRead;
use crate::programs::caller_program_id;
use crate::store::records::readable;
use crate::store::{Consistency, Query, schema};
use crate::types::{CustomerId, ProgramId};

#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    pub external_id: Option<String>,
    pub email: Option<String>,
    pub country: Option<String>,
    /// Dub's `startingAfter`: the page continues after this customer of the list.
    pub starting_after: Option<String>,
}

async fn by_id(
    ctx: &AppContext,
    program: &ProgramId,
    id: &CustomerId,
) -> Result<Option<(Customer, CustomerActivity)>, DomainError> {
    let item = ctx
        .store
        .get(&layout::customer(id), Consistency::Strong)
        .await?;
    let Some(item) = item else { return Ok(None) };
    let (customer, activity) = customer_of(&item)?;
    Ok(
        (customer.program_id == *program && customer.external_id.is_some())
            .then_some((customer, activity)),
    )
}

/// The reads of `found`, with Dub's expanded fields when asked for.
async fn reads(
    ctx: &AppContext,
    found: Vec<(Customer, CustomerActivity)>,
    expanded: bool,
) -> Result<Vec<CustomerRead>, DomainError> {
    let expansions: Vec<Option<CustomerExpansion>> = if expanded {
        let customers: Vec<Customer> = found.iter().map(|(c, _)| c.clone()).collect();
        expand(ctx, &customers)
            .await?
            .into_iter()
            .map(Some)
            .collect()
    } else {
        vec![None; found.len()]
    };
    Ok(found
        .into_iter()
        .zip(expansions)
        .map(|((customer, activity), expansion)| CustomerRead {
            customer,
            activity,
            expansion,
        })
        .collect())
}

/// One page of customers; `email` and `country` filter each page read. `expanded`: Dub's
/// `includeExpandedFields`.
pub async fn list_customers(
    ctx: &AppContext,
    principal: &Principal,
    filter: CustomerFilter,
    expanded: bool,
    cursor: Option<String>,
    limit: u32,
) -> Result<(Vec<CustomerRead>, Option<String>), DomainError> {
    let program = caller_program_id(principal, Scope::CustomersRead)?;
    if let Some(external_id) = &filter.external_id {
        // One customer at most: a page after it is empty.
        if filter.starting_after.is_some() {
            return Ok((Vec::new(), None));
        }
        let id = tracked_customer_id(&program, external_id);
        let found = by_id(ctx, &program, &id).await?.into_iter().collect();
        return Ok((reads(ctx, found, expanded).await?, None));
    }
    let cursor = match (cursor, &filter.starting_after) {
        (None, Some(after)) => {
            let unknown = || {
                DomainError::BadRequest("`startingAfter` is not a customer of this list.".into())
            };
            let id = CustomerId::parse(after).map_err(|_| unknown())?;
            let item = ctx
                .store
                .get(&layout::customer(&id), Consistency::Eventual)
                .await?;
            let item = item
                .filter(|item| {
                    readable(item, customer_of).is_some_and(|(c, _)| c.program_id == program)
                })
                .ok_or_else(unknown)?;
            Some(crate::store::cursor_after(&item, &schema::GSI1).ok_or_else(unknown)?)
        }
        (cursor, _) => cursor,
    };
    let page = ctx
        .store
        .query(
            Query::index(schema::GSI1.name, layout::customers_index_pk(&program))
                .descending()
                .limit(limit)
                .cursor(cursor),
        )
        .await?;
    let mut customers = Vec::new();
    for (customer, activity) in page
        .items
        .iter()
        .filter_map(|item| readable(item, customer_of))
    {
        if filter
            .email
            .as_ref()
            .is_some_and(|e| customer.email.as_ref() != Some(e))
            || filter
                .country
                .as_ref()
                .is_some_and(|c| customer.country.as_ref() != Some(c))
        {
            continue;
        }
        customers.push((customer, activity));
    }
    Ok((reads(ctx, customers, expanded).await?, page.next))
}

pub async fn get_customer(
    ctx: &AppContext,
    principal: &Principal,
    id: &str,
    expanded: bool,
) -> Result<CustomerRead, DomainError> {
    let program = caller_program_id(principal, Scope::CustomersRead)?;
    let id = customer_id_named(&program, id).ok_or_else(|| DomainError::not_found("Customer"))?;
    let found = by_id(ctx, &program, &id)
        .await?
        .ok_or_else(|| DomainError::not_found("Customer"))?;
    let mut reads = reads(ctx, vec![found], expanded).await?;
    Ok(reads.remove(0))
}
