//! Lambda entry point: wiring only. The handler is in `lib.rs`.

use lambda_http::{Body, Error, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    let sdk = shared::aws::sdk_config()?;
    let ctx = Arc::new(shared::aws::app_context(&sdk, true)?);
    let directory = Arc::new(shared::partner_listing::PartnerDirectory::new(
        shared::config::partner_listing_refresh()?,
    ));
    lambda_http::run(service_fn(move |request: lambda_http::Request| {
        let (ctx, directory) = (ctx.clone(), directory.clone());
        async move {
            Ok::<_, Error>(
                partner_admin::handle(&ctx, &directory, request)
                    .await
                    .map(Body::from),
            )
        }
    }))
    .await
}
