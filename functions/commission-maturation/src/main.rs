//! Lambda entry point: wiring only. The handler is in `lib.rs`.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let sdk = shared::aws::sdk_config()?;
    let ctx = Arc::new(shared::aws::app_context(&sdk, false)?);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let ctx = ctx.clone();
        async move { commission_maturation::handle(&ctx, event.payload).await }
    }))
    .await
}
