//! Creates the single table (keys, indexes, TTL) for tests and the local tooling; in AWS the
//! SAM template owns it.

use super::errors::from_sdk;
use crate::store::StoreError;
use crate::store::schema::{self, IndexDef};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus, TimeToLiveSpecification, TimeToLiveStatus,
};
use std::time::Duration;

/// Creates the table unless it exists, waits until it is active, and enables TTL on `ttl`.
pub async fn create_table(client: &Client, name: &str) -> Result<(), StoreError> {
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key(schema::PK, KeyType::Hash)?)
        .key_schema(key(schema::SK, KeyType::Range)?);
    let mut attributes = vec![schema::PK, schema::SK];
    for index in schema::INDEXES {
        attributes.extend([index.pk, index.sk]);
        request = request.global_secondary_indexes(global_index(index)?);
    }
    for attribute in attributes {
        let definition = AttributeDefinition::builder()
            .attribute_name(attribute)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(StoreError::engine)?;
        request = request.attribute_definitions(definition);
    }
    match request.send().await {
        Ok(_) => {}
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception()) => {}
        Err(error) => return Err(from_sdk(error)),
    }
    wait_until_active(client, name).await?;
    enable_ttl(client, name).await
}

fn key(name: &str, key_type: KeyType) -> Result<KeySchemaElement, StoreError> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build()
        .map_err(StoreError::engine)
}

fn global_index(index: IndexDef) -> Result<GlobalSecondaryIndex, StoreError> {
    GlobalSecondaryIndex::builder()
        .index_name(index.name)
        .key_schema(key(index.pk, KeyType::Hash)?)
        .key_schema(key(index.sk, KeyType::Range)?)
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .build()
        .map_err(StoreError::engine)
}

async fn wait_until_active(client: &Client, name: &str) -> Result<(), StoreError> {
    for _ in 0..120 {
        let described = client
            .describe_table()
            .table_name(name)
            .send()
            .await
            .map_err(from_sdk)?;
        let status = described.table().and_then(|table| table.table_status());
        if status == Some(&TableStatus::Active) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(StoreError::engine(std::io::Error::other(format!(
        "table {name} did not become active"
    ))))
}

async fn enable_ttl(client: &Client, name: &str) -> Result<(), StoreError> {
    let current = client
        .describe_time_to_live()
        .table_name(name)
        .send()
        .await
        .map_err(from_sdk)?;
    let status = current
        .time_to_live_description()
        .and_then(|ttl| ttl.time_to_live_status());
    // Enabling twice is an error, so only a disabled TTL is switched on.
    if matches!(
        status,
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
    ) {
        return Ok(());
    }
    let specification = TimeToLiveSpecification::builder()
        .attribute_name(schema::TTL)
        .enabled(true)
        .build()
        .map_err(StoreError::engine)?;
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(specification)
        .send()
        .await
        .map_err(from_sdk)?;
    Ok(())
}
