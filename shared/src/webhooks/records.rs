//! Endpoint and delivery records and how they are stored.

use crate::layout;
use crate::model::WebhookDelivery;
use crate::model::WebhookEndpoint;
use crate::store::{
    Condition, Consistency, Item, ItemStore, Key, Put, Query, RangeCondition, StoreError,
    from_item, s, schema, to_item,
};
use crate::types::{EventId, ProgramId, WebhookDeliveryId, WebhookId};
use sha2::{Digest, Sha256};

/// Attempts kept on a delivery for `GET /webhooks/{id}/deliveries` (schedule + a few re-sends).
pub const ATTEMPT_LOG_LIMIT: usize = 12;

/// The delivery id of an event for an endpoint: the same inputs always give the same id, so a
/// redelivered event creates no second delivery.
pub fn delivery_id(event: &EventId, endpoint: &WebhookId) -> WebhookDeliveryId {
    let digest = Sha256::digest(format!("{event}\n{endpoint}").as_bytes());
    WebhookDeliveryId::parse(&format!("whd_{}", hex::encode(&digest[..16])))
        .expect("hex is a valid id")
}

fn with_key(item: &mut Item, key: Key) {
    item.insert(schema::PK.into(), s(key.pk));
    item.insert(schema::SK.into(), s(key.sk));
}

pub fn endpoint_put(
    endpoint: &WebhookEndpoint,
    condition: Option<Condition>,
) -> Result<Put, StoreError> {
    let mut item = to_item(endpoint)?;
    with_key(
        &mut item,
        layout::webhook_endpoint(&endpoint.program_id, &endpoint.id),
    );
    Ok(Put { item, condition })
}

pub async fn find_endpoint(
    store: &dyn ItemStore,
    program: &ProgramId,
    endpoint: &WebhookId,
) -> Result<Option<WebhookEndpoint>, StoreError> {
    store
        .get(
            &layout::webhook_endpoint(program, endpoint),
            Consistency::Strong,
        )
        .await?
        .map(from_item)
        .transpose()
}

/// Every endpoint of a program, oldest first.
pub async fn program_endpoints(
    store: &dyn ItemStore,
    program: &ProgramId,
) -> Result<Vec<WebhookEndpoint>, StoreError> {
    let mut endpoints = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .query(
                Query::table(layout::program_pk(program))
                    .range(RangeCondition::BeginsWith(layout::WEBHOOK_SK_PREFIX.into()))
                    .cursor(cursor)
                    .consistent(),
            )
            .await?;
        for item in page.items {
            endpoints.push(from_item(item)?);
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(endpoints),
        }
    }
}

pub fn delivery_put(
    delivery: &WebhookDelivery,
    condition: Option<Condition>,
) -> Result<Put, StoreError> {
    let mut item = to_item(delivery)?;
    with_key(&mut item, layout::webhook_delivery(&delivery.id));
    item.insert(
        schema::GSI1.pk.into(),
        s(layout::webhook_deliveries_index_pk(&delivery.endpoint_id)),
    );
    item.insert(schema::GSI1.sk.into(), s(delivery.event_id.to_string()));
    Ok(Put { item, condition })
}

pub async fn find_delivery(
    store: &dyn ItemStore,
    id: &WebhookDeliveryId,
) -> Result<Option<WebhookDelivery>, StoreError> {
    store
        .get(&layout::webhook_delivery(id), Consistency::Strong)
        .await?
        .map(from_item)
        .transpose()
}

/// An endpoint's most recent deliveries, newest first.
pub async fn recent_deliveries(
    store: &dyn ItemStore,
    endpoint: &WebhookId,
    cursor: Option<String>,
    limit: u32,
) -> Result<(Vec<WebhookDelivery>, Option<String>), StoreError> {
    let page = store
        .query(
            Query::index(
                schema::GSI1.name,
                layout::webhook_deliveries_index_pk(endpoint),
            )
            .descending()
            .limit(limit)
            .cursor(cursor),
        )
        .await?;
    let deliveries = page
        .items
        .into_iter()
        .map(from_item)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((deliveries, page.next))
}
