//! Lambda entry point: wiring only. The handler is in `lib.rs`.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use shared::outbox::OutboxRelay;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let sdk = shared::aws::sdk_config()?;
    let relay = Arc::new(OutboxRelay::new(
        shared::aws::store(&sdk)?,
        shared::aws::queue(&sdk, "EVENTS_QUEUE_URL")?,
    ));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let relay = relay.clone();
        async move { outbox_relay::handle(&relay, event.payload).await }
    }))
    .await
}
