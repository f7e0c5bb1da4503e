//! Consecutive failed deliveries per endpoint: 20 in a row disable it (as Dub does), a success
//! resets the count, a 410 disables at once. Disabling records `webhook.endpoint_disabled`.

use super::services::WebhookServices;
use crate::layout;
use crate::model::EventName;
use crate::model::{Actor, WebhookEndpoint};
use crate::outbox;
use crate::store::{AttributeValue, Condition, StoreError, TxOp, Update, UpdateItem, from_item, n};
use crate::wire::event_data;
use crate::wire::webhooks::EndpointDisabledEventSchema;

pub const DISABLE_AFTER_FAILURES: u32 = 20;

pub async fn reset_failures(
    services: &WebhookServices,
    endpoint: &WebhookEndpoint,
) -> Result<(), StoreError> {
    if endpoint.consecutive_failures == 0 {
        return Ok(());
    }
    let update = UpdateItem {
        key: layout::webhook_endpoint(&endpoint.program_id, &endpoint.id),
        update: Update::new().set("consecutiveFailures", n(0)),
        condition: Some(Condition::Exists),
    };
    ignore_missing(services.store.update(update).await.map(drop))
}

pub async fn count_failure(
    services: &WebhookServices,
    endpoint: &WebhookEndpoint,
) -> Result<(), StoreError> {
    let update = UpdateItem {
        key: layout::webhook_endpoint(&endpoint.program_id, &endpoint.id),
        update: Update::new().add("consecutiveFailures", 1),
        condition: Some(Condition::Exists),
    };
    let updated: WebhookEndpoint = match services.store.update(update).await {
        Ok(item) => from_item(item)?,
        Err(StoreError::ConditionFailed { .. }) => return Ok(()),
        Err(error) => return Err(error),
    };
    if updated.enabled && updated.consecutive_failures >= DISABLE_AFTER_FAILURES {
        let why = format!(
            "{} consecutive failed deliveries",
            updated.consecutive_failures
        );
        disable(services, &updated, &why).await?;
    }
    Ok(())
}

/// Disables the endpoint and tells the owner through an event, in one transaction; a no-op
/// when it is already disabled.
pub async fn disable(
    services: &WebhookServices,
    endpoint: &WebhookEndpoint,
    reason: &str,
) -> Result<(), StoreError> {
    let event = outbox::new_event(
        services.ids.as_ref(),
        services.clock.as_ref(),
        &endpoint.program_id,
        EventName::WebhookEndpointDisabled,
        Actor::System,
        event_data(&EndpointDisabledEventSchema {
            id: endpoint.id.to_string(),
            url: endpoint.url.to_string(),
            reason: reason.to_owned(),
        }),
    );
    let result = services
        .store
        .transact(vec![
            TxOp::Update(UpdateItem {
                key: layout::webhook_endpoint(&endpoint.program_id, &endpoint.id),
                update: Update::new().set("enabled", AttributeValue::Bool(false)),
                condition: Some(Condition::equals("enabled", AttributeValue::Bool(true))),
            }),
            outbox::record(&event)?,
        ])
        .await;
    match result {
        Err(error) if error.failed_condition_index() == Some(0) => Ok(()),
        other => other,
    }
}

fn ignore_missing(result: Result<(), StoreError>) -> Result<(), StoreError> {
    match result {
        Err(StoreError::ConditionFailed { .. }) => Ok(()),
        other => other,
    }
}
