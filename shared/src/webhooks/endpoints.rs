//! The endpoints API's use cases: create, list, read, change, delete, rotate the secret, send
//! a test event, list deliveries and re-send a failed one. Scoped to the caller's program.

use super::address_policy::resolve_checked;
use super::event_names::{TEST_EVENT, parse_subscriptions};
use super::message::DeliveryMessage;
use super::records;
use super::services::WebhookServices;
use super::signing::generate_secret;
use crate::auth::{Principal, Scope};
use crate::error::DomainError;
use crate::layout;
use crate::model::EndpointView;
use crate::model::EventName;
use crate::model::WebhookEndpoint;
use crate::model::{DeliveryState, WebhookDelivery};
use crate::outbox;
use crate::programs::caller_program_id;
use crate::queue::send_all;
use crate::store::{AttributeValue, Condition, Delete, StoreError, TxOp, Update, UpdateItem, n, s};
use crate::types::{ProgramId, WebUrl, WebhookDeliveryId, WebhookId};
use crate::wire::event_data;
use crate::wire::webhooks::{
    SecretRotatedEventSchema, WebhookDeletedEventSchema, WebhookSchema, WebhookTestEventSchema,
};

/// A program's endpoints are few; fan-out reads them all for every event.
pub const MAX_ENDPOINTS_PER_PROGRAM: usize = 20;
/// How long a rotated-out secret keeps signing, so receivers can switch without losing events.
pub const ROTATION_GRACE: time::Duration = time::Duration::hours(24);

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateEndpoint {
    pub url: String,
    pub events: Vec<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// Only the given fields change.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateEndpoint {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// An endpoint as its events carry it: the API's schema, without the secret.
fn endpoint_data(view: &EndpointView) -> serde_json::Value {
    event_data(&WebhookSchema::of(view))
}

async fn checked_url(services: &WebhookServices, raw: &str) -> Result<WebUrl, DomainError> {
    let url = WebUrl::parse(raw)?;
    let parsed = url::Url::parse(url.as_str())
        .map_err(|_| DomainError::Unprocessable("`url` is not a valid URL.".into()))?;
    resolve_checked(services.policy, &parsed)
        .await
        .map_err(|why| DomainError::Unprocessable(format!("`url` is not allowed: {why}.")))?;
    Ok(url)
}

fn subscriptions(events: &[String]) -> Result<Vec<String>, DomainError> {
    parse_subscriptions(events).map_err(DomainError::Unprocessable)
}

async fn owned_endpoint(
    services: &WebhookServices,
    program: &ProgramId,
    id: &str,
) -> Result<WebhookEndpoint, DomainError> {
    let id = WebhookId::parse(id).map_err(|_| DomainError::not_found("Webhook"))?;
    records::find_endpoint(services.store.as_ref(), program, &id)
        .await?
        .ok_or_else(|| DomainError::not_found("Webhook"))
}

fn event(
    services: &WebhookServices,
    principal: &Principal,
    program: &ProgramId,
    name: EventName,
    data: serde_json::Value,
) -> crate::model::DomainEvent {
    outbox::new_event(
        services.ids.as_ref(),
        services.clock.as_ref(),
        program,
        name,
        principal.actor(),
        data,
    )
}

pub async fn create_endpoint(
    services: &WebhookServices,
    principal: &Principal,
    request: CreateEndpoint,
) -> Result<EndpointView, DomainError> {
    let program = caller_program_id(principal, Scope::WebhooksWrite)?;
    let url = checked_url(services, &request.url).await?;
    let events = subscriptions(&request.events)?;
    let existing = records::program_endpoints(services.store.as_ref(), &program).await?;
    if existing.len() >= MAX_ENDPOINTS_PER_PROGRAM {
        return Err(DomainError::Unprocessable(format!(
            "A program has at most {MAX_ENDPOINTS_PER_PROGRAM} webhooks."
        )));
    }
    let endpoint = WebhookEndpoint {
        id: WebhookId::generate(services.ids.as_ref()),
        program_id: program.clone(),
        url,
        events,
        enabled: request.enabled.unwrap_or(true),
        secret: generate_secret(services.random.as_ref()),
        previous_secret: None,
        previous_secret_expires_at: None,
        consecutive_failures: 0,
        created_at: services.clock.now(),
    };
    let view = EndpointView::from(&endpoint);
    let created = event(
        services,
        principal,
        &program,
        EventName::WebhookCreated,
        endpoint_data(&view),
    );
    services
        .store
        .transact(vec![
            TxOp::Put(records::endpoint_put(
                &endpoint,
                Some(Condition::NotExists),
            )?),
            outbox::record(&created)?,
        ])
        .await?;
    Ok(EndpointView {
        secret: Some(endpoint.secret),
        ..view
    })
}

pub async fn list_endpoints(
    services: &WebhookServices,
    principal: &Principal,
) -> Result<Vec<EndpointView>, DomainError> {
    let program = caller_program_id(principal, Scope::WebhooksRead)?;
    let endpoints = records::program_endpoints(services.store.as_ref(), &program).await?;
    Ok(endpoints.iter().map(EndpointView::from).collect())
}

pub async fn get_endpoint(
    services: &WebhookServices,
    principal: &Principal,
    id: &str,
) -> Result<EndpointView, DomainError> {
    let program = caller_program_id(principal, Scope::WebhooksRead)?;
    Ok(EndpointView::from(
        &owned_endpoint(services, &program, id).await?,
    ))
}

pub async fn update_endpoint(
    services: &WebhookServices,
    principal: &Principal,
    id: &str,
    request: UpdateEndpoint,
) -> Result<EndpointView, DomainError> {
    let program = caller_program_id(principal, Scope::WebhooksWrite)?;
    let mut endpoint = owned_endpoint(services, &program, id).await?;
    let mut update = Update::new();
    if let Some(url) = &request.url {
        endpoint.url = checked_url(services, url).await?;
        update = update.set("url", s(endpoint.url.as_str()));
    }
    if let Some(events) = &request.events {
        endpoint.events = subscriptions(events)?;
        let list = endpoint.events.iter().map(|e| s(e.as_str())).collect();
        update = update.set("events", AttributeValue::L(list));
    }
    if let Some(enabled) = request.enabled {
        // Enabling gives the endpoint a fresh start.
        if enabled && !endpoint.enabled {
            endpoint.consecutive_failures = 0;
            update = update.set("consecutiveFailures", n(0));
        }
        endpoint.enabled = enabled;
        update = update.set("enabled", AttributeValue::Bool(enabled));
    }
    if update.is_empty() {
        return Ok(EndpointView::from(&endpoint));
    }
    let view = EndpointView::from(&endpoint);
    let changed = event(
        services,
        principal,
        &program,
        EventName::WebhookUpdated,
        endpoint_data(&view),
    );
    services
        .store
        .transact(vec![
            TxOp::Update(UpdateItem {
                key: layout::webhook_endpoint(&program, &endpoint.id),
                update,
                condition: Some(Condition::Exists),
            }),
            outbox::record(&changed)?,
        ])
        .await
        .map_err(|error| missing_as_not_found(error, "Webhook"))?;
    Ok(view)
}

pub async fn delete_endpoint(
    services: &WebhookServices,
    principal: &Principal,
    id: &str,
) -> Result<(), DomainError> {
    let program = caller_program_id(principal, Scope::WebhooksWrite)?;
    let endpoint = owned_endpoint(services, &program, id).await?;
    let deleted = event(
        services,
        principal,
        &program,
        EventName::WebhookDeleted,
        event_data(&WebhookDeletedEventSchema {
            id: endpoint.id.to_string(),
        }),
    );
    services
        .store
        .transact(vec![
            TxOp::Delete(Delete {
                key: layout::webhook_endpoint(&program, &endpoint.id),
                condition: Some(Condition::Exists),
            }),
            outbox::record(&deleted)?,
        ])
        .await
        .map_err(|error| missing_as_not_found(error, "Webhook"))?;
    Ok(())
}

/// A new secret, shown once; the old one keeps signing for [`ROTATION_GRACE`].
pub async fn rotate_secret(
    services: &WebhookServices,
    principal: &Principal,
    id: &str,
) -> Result<EndpointView, DomainError> {
    let program = caller_program_id(principal, Scope::WebhooksWrite)?;
    let mut endpoint = owned_endpoint(services, &program, id).await?;
    let old = std::mem::replace(
        &mut endpoint.secret,
        generate_secret(services.random.as_ref()),
    );
    let expires = services.clock.now() + ROTATION_GRACE;
    endpoint.previous_secret = Some(old.clone());
    endpoint.previous_secret_expires_at = Some(expires);
    let rotated = event(
        services,
        principal,
        &program,
        EventName::WebhookSecretRotated,
        event_data(&SecretRotatedEventSchema {
            id: endpoint.id.to_string(),
            previous_secret_expires_at: expires.unix_timestamp(),
        }),
    );
    let update = Update::new()
        .set("secret", s(endpoint.secret.as_str()))
        .set("previousSecret", s(old.as_str()))
        .set(
            "previousSecretExpiresAt",
            s(expires
                .format(&time::format_description::well_known::Rfc3339)
                .expect("a UTC time formats")),
        );
    services
        .store
        .transact(vec![
            TxOp::Update(UpdateItem {
                key: layout::webhook_endpoint(&program, &endpoint.id),
                update,
                // A concurrent rotation must not be lost.
                condition: Some(Condition::equals("secret", s(old.as_str()))),
            }),
            outbox::record(&rotated)?,
        ])
        .await
        .map_err(|error| match error.failed_condition_index() {
            Some(0) => DomainError::Conflict("The secret was rotated concurrently.".into()),
            _ => DomainError::from(error),
        })?;
    Ok(EndpointView {
        secret: Some(endpoint.secret.clone()),
        ..EndpointView::from(&endpoint)
    })
}

/// Sends a `webhook.test` event to one endpoint through the normal path: it is committed to
/// the outbox, relayed, fanned out (to this endpoint only) and delivered like any event.
pub async fn send_test(
    services: &WebhookServices,
    principal: &Principal,
    id: &str,
) -> Result<WebhookDeliveryId, DomainError> {
    let program = caller_program_id(principal, Scope::WebhooksWrite)?;
    let endpoint = owned_endpoint(services, &program, id).await?;
    let test = event(
        services,
        principal,
        &program,
        TEST_EVENT,
        event_data(&WebhookTestEventSchema {
            webhook_id: endpoint.id.to_string(),
            message: "This is a test event from Partnerline.".into(),
        }),
    );
    services
        .store
        .transact(vec![outbox::record(&test)?])
        .await?;
    Ok(records::delivery_id(&test.id, &endpoint.id))
}

pub async fn list_deliveries(
    services: &WebhookServices,
    principal: &Principal,
    id: &str,
    cursor: Option<String>,
    limit: u32,
) -> Result<(Vec<WebhookDelivery>, Option<String>), DomainError> {
    let program = caller_program_id(principal, Scope::WebhooksRead)?;
    let endpoint = owned_endpoint(services, &program, id).await?;
    Ok(records::recent_deliveries(services.store.as_ref(), &endpoint.id, cursor, limit).await?)
}

/// Re-sends a failed delivery once (its schedule does not start over).
pub async fn resend_delivery(
    services: &WebhookServices,
    principal: &Principal,
    id: &str,
    delivery_id: &str,
) -> Result<WebhookDeliveryId, DomainError> {
    let program = caller_program_id(principal, Scope::WebhooksWrite)?;
    let endpoint = owned_endpoint(services, &program, id).await?;
    let delivery_id =
        WebhookDeliveryId::parse(delivery_id).map_err(|_| DomainError::not_found("Delivery"))?;
    let delivery = records::find_delivery(services.store.as_ref(), &delivery_id)
        .await?
        .filter(|d| d.endpoint_id == endpoint.id && d.program_id == program)
        .ok_or_else(|| DomainError::not_found("Delivery"))?;
    if delivery.state != DeliveryState::Failed {
        return Err(DomainError::Conflict(
            "Only a failed delivery can be re-sent.".into(),
        ));
    }
    if !endpoint.enabled {
        return Err(DomainError::Conflict(
            "The webhook is disabled; enable it before re-sending.".into(),
        ));
    }
    let reopen = UpdateItem {
        key: layout::webhook_delivery(&delivery.id),
        update: Update::new().set("state", s("pending")),
        condition: Some(
            Condition::equals("state", s("failed")).and(Condition::equals(
                "attempts",
                n(i64::from(delivery.attempts)),
            )),
        ),
    };
    match services.store.update(reopen).await {
        Ok(_) => {}
        Err(StoreError::ConditionFailed { .. }) => {
            return Err(DomainError::Conflict(
                "The delivery changed concurrently.".into(),
            ));
        }
        Err(error) => return Err(error.into()),
    }
    let message = DeliveryMessage {
        delivery_id: delivery.id.clone(),
        attempt: delivery.attempts + 1,
        not_before: None,
        manual: true,
    };
    if let Err(error) = send_all(services.deliveries.as_ref(), &[message.outgoing("0", 0)]).await {
        // Put it back, so the caller can try again rather than leave it pending with no message.
        let back = UpdateItem {
            key: layout::webhook_delivery(&delivery.id),
            update: Update::new().set("state", s("failed")),
            condition: Some(Condition::equals("state", s("pending"))),
        };
        let _ = services.store.update(back).await;
        return Err(error.into());
    }
    Ok(delivery.id)
}

fn missing_as_not_found(error: StoreError, what: &str) -> DomainError {
    match error.failed_condition_index() {
        Some(0) => DomainError::not_found(what),
        _ => DomainError::from(error),
    }
}
