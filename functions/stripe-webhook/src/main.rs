//! Lambda entry point: wiring only. The handler is in `lib.rs`.

use lambda_http::{Body, Error, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    let sdk = shared::aws::sdk_config()?;
    let ctx = Arc::new(shared::aws::app_context(&sdk, true)?);
    let signer = Arc::new(shared::config::click_id_signer()?);
    let endpoints = Arc::new(shared::stripe::endpoints::endpoints_from_json(
        &std::env::var("STRIPE_WEBHOOK_SECRETS").unwrap_or_default(),
    )?);
    lambda_http::run(service_fn(move |request: lambda_http::Request| {
        let (ctx, signer, endpoints) = (ctx.clone(), signer.clone(), endpoints.clone());
        async move {
            Ok::<_, Error>(
                stripe_webhook::handle(&ctx, &signer, &endpoints, request)
                    .await
                    .map(Body::from),
            )
        }
    }))
    .await
}
