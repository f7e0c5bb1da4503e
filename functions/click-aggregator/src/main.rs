//! Lambda entry point: wiring only. The handler is in `lib.rs`.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let sdk = shared::aws::sdk_config()?;
    let aggregator = Arc::new(shared::aws::click_aggregator(&sdk)?);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let aggregator = aggregator.clone();
        async move { click_aggregator::handle_event(&aggregator, event.payload).await }
    }))
    .await
}
