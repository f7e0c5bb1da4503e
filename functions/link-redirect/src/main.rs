//! Lambda entry point: wiring only. The handler is in `lib.rs`.

use lambda_http::{Body, Error, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    let sdk = shared::aws::sdk_config()?;
    let redirector = Arc::new(shared::aws::redirector(&sdk)?);
    // Registers an internal extension, so that Lambda's SHUTDOWN reaches this process as
    // SIGTERM; the buffered clicks are sent then (Lambda allows 500 ms).
    let on_shutdown = redirector.clone();
    lambda_runtime::spawn_graceful_shutdown_handler(move || async move {
        match on_shutdown.flush(true).await {
            Ok(sent) => tracing::info!(clicks = sent, "clicks sent at shutdown"),
            Err(error) => tracing::error!(%error, "clicks lost at shutdown"),
        }
    })
    .await;
    lambda_http::run(service_fn(move |request: lambda_http::Request| {
        let redirector = redirector.clone();
        async move {
            Ok::<_, Error>(
                link_redirect::handle(&redirector, &request)
                    .await
                    .map(Body::from),
            )
        }
    }))
    .await
}
