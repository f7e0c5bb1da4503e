//! Lambda entry point: wiring only. The handler is in `lib.rs`.

use lambda_http::{Body, Error, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    let sdk = shared::aws::sdk_config()?;
    let ctx = Arc::new(shared::aws::app_context(&sdk, true)?);
    let services = Arc::new(shared::aws::webhook_services(&sdk)?);
    lambda_http::run(service_fn(move |request: lambda_http::Request| {
        let (ctx, services) = (ctx.clone(), services.clone());
        async move {
            Ok::<_, Error>(
                webhook_admin::handle(&ctx, &services, request)
                    .await
                    .map(Body::from),
            )
        }
    }))
    .await
}
