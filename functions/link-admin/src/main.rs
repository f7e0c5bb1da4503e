//! Lambda entry point: wiring only. The handler is in `lib.rs`.

use lambda_http::{Body, Error, service_fn};
use shared::clicks::track::TrackServices;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    let sdk = shared::aws::sdk_config()?;
    let ctx = Arc::new(shared::aws::app_context(&sdk, true)?);
    let track = Arc::new(TrackServices::new(
        Arc::new(shared::config::click_id_signer()?),
        shared::aws::queue(&sdk, "CLICK_QUEUE_URL")?,
    ));
    lambda_http::run(service_fn(move |request: lambda_http::Request| {
        let (ctx, track) = (ctx.clone(), track.clone());
        async move {
            Ok::<_, Error>(
                link_admin::handle(&ctx, &track, request)
                    .await
                    .map(Body::from),
            )
        }
    }))
    .await
}
