//! Lambda entry point: wiring only. The handler is in `lib.rs`.

use lambda_http::{Body, Error, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    let sdk = shared::aws::sdk_config()?;
    let ctx = Arc::new(shared::aws::app_context(&sdk, true)?);
    lambda_http::run(service_fn(move |request: lambda_http::Request| {
        let ctx = ctx.clone();
        async move { Ok::<_, Error>(analytics::handle(&ctx, request).await.map(Body::from)) }
    }))
    .await
}
