//! Dub's `PATCH /customers/{id}` and `DELETE /customers/{id}` on tracked customers (`{id}` is
//! the customer id or `ext_` + its external id). The body is rewritten on the condition that it
//! is still the one read, so a concurrent change is 409, never lost; the activity counters
//! beside it are untouched. A change and a deletion are in the audit trail
//! (`customer.updated`, `customer.deleted`).

use super::tracked::{customer_id_named, customer_of};
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::layout;
use crate::model::Customer;
use crate::model::EventName;
use crate::outbox;
use crate::store::records::{BODY, json_item};
use crate::store::{Condition, Consistency, Delete, TxOp, Update, UpdateItem};
use crate::types::{CustomerId, Email, ProgramId};
use time::OffsetDateTime;

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateCustomer {
    #[serde(default, deserialize_with = "crate::types::present")]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::types::present")]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::types::present")]
    pub avatar: Option<Option<String>>,
    /// Must be the customer's own: a tracked customer's id is derived from it.
    pub external_id: Option<String>,
    #[serde(default, deserialize_with = "crate::types::present")]
    pub stripe_customer_id: Option<Option<String>>,
    pub country: Option<String>,
    #[serde(default, deserialize_with = "crate::types::present")]
    pub subscription_canceled_at: Option<Option<String>>,
}

fn unprocessable(message: impl Into<String>) -> DomainError {
    DomainError::Unprocessable(message.into())
}

fn text(field: &str, value: Option<String>) -> Result<Option<String>, DomainError> {
    let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    if value.as_ref().is_some_and(|v| v.chars().count() > 190) {
        return Err(unprocessable(format!(
            "`{field}` can have at most 190 characters."
        )));
    }
    Ok(value)
}

/// The customer after the request's changes (pure: no reads, no clock).
fn changed(read: &Customer, request: UpdateCustomer) -> Result<Customer, DomainError> {
    let mut next = read.clone();
    if let Some(external) = request.external_id
        && Some(external.trim()) != read.external_id.as_deref()
    {
        return Err(unprocessable(
            "A customer's `externalId` cannot change: it identifies the customer.",
        ));
    }
    if let Some(name) = request.name {
        next.name = text("name", name)?;
    }
    if let Some(avatar) = request.avatar {
        next.avatar = text("avatar", avatar)?;
    }
    if let Some(email) = request.email {
        next.email = match text("email", email)? {
            Some(email) => Some(Email::parse(&email)?.as_str().to_owned()),
            None => None,
        };
    }
    if let Some(stripe) = request.stripe_customer_id {
        next.stripe_customer_id = text("stripeCustomerId", stripe)?;
    }
    if let Some(country) = request.country {
        let code = country.trim().to_ascii_uppercase();
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(unprocessable("`country` is a two-letter country code."));
        }
        next.country = Some(code);
    }
    if let Some(at) = request.subscription_canceled_at {
        next.subscription_canceled_at = at
            .map(|at| OffsetDateTime::parse(&at, &time::format_description::well_known::Rfc3339))
            .transpose()
            .map_err(|_| unprocessable("`subscriptionCanceledAt` is an RFC 3339 time."))?;
    }
    Ok(next)
}

/// The tracked customer `id` names in `program`, with its stored body (the write's condition).
async fn read_customer(
    ctx: &AppContext,
    program: &ProgramId,
    id: &str,
) -> Result<(Customer, crate::store::AttributeValue), DomainError> {
    let id = customer_id_named(program, id).ok_or_else(|| DomainError::not_found("Customer"))?;
    let item = ctx
        .store
        .get(&layout::customer(&id), Consistency::Strong)
        .await?
        .ok_or_else(|| DomainError::not_found("Customer"))?;
    let (customer, _) = customer_of(&item)?;
    let body = item.get(BODY).cloned();
    match body {
        Some(body) if customer.program_id == *program && customer.external_id.is_some() => {
            Ok((customer, body))
        }
        _ => Err(DomainError::not_found("Customer")),
    }
}

fn changed_meanwhile() -> DomainError {
    DomainError::Conflict("The customer changed while this request ran; retry.".into())
}

/// Applies the request; answers the customer's id (the edge shows it as `GET` does).
pub async fn update_customer(
    ctx: &AppContext,
    principal: &Principal,
    id: &str,
    request: UpdateCustomer,
) -> Result<CustomerId, DomainError> {
    let program = principal
        .own_program(Scope::CustomersWrite)
        .map_err(|denied| DomainError::denied(denied, "Customer"))?;
    let (read, body) = read_customer(ctx, &program, id).await?;
    let next = changed(&read, request)?;
    if next == read {
        return Ok(read.id);
    }
    let new_body = json_item(&layout::customer(&next.id), &next, 1)?
        .remove(BODY)
        .expect("a record item has a body");
    let event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &program,
        EventName::CustomerUpdated,
        principal.actor(),
        serde_json::to_value(&next).map_err(crate::store::StoreError::engine)?,
    );
    let ops = vec![
        TxOp::Update(UpdateItem {
            key: layout::customer(&next.id),
            update: Update::new().set(BODY, new_body),
            condition: Some(Condition::equals(BODY, body)),
        }),
        outbox::record(&event)?,
    ];
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(next.id),
        Err(error) if error.is_condition_failure() => Err(changed_meanwhile()),
        Err(error) => Err(error.into()),
    }
}

/// Deletes a tracked customer; answers its id. Its leads, sales and commissions stay (the
/// program's history); a later event with its external id makes a new customer.
pub async fn delete_customer(
    ctx: &AppContext,
    principal: &Principal,
    id: &str,
) -> Result<CustomerId, DomainError> {
    let program = principal
        .own_program(Scope::CustomersWrite)
        .map_err(|denied| DomainError::denied(denied, "Customer"))?;
    let (read, body) = read_customer(ctx, &program, id).await?;
    let event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &program,
        EventName::CustomerDeleted,
        principal.actor(),
        serde_json::json!({ "id": read.id, "externalId": read.external_id }),
    );
    let ops = vec![
        TxOp::Delete(Delete {
            key: layout::customer(&read.id),
            condition: Some(Condition::equals(BODY, body)),
        }),
        outbox::record(&event)?,
    ];
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(read.id),
        Err(error) if error.is_condition_failure() => Err(changed_meanwhile()),
        Err(error) => Err(error.into()),
    }
}
