//! Lambda entry point: wiring only. The handler is in `lib.rs`.

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let sdk = shared::aws::sdk_config()?;
    let services = Arc::new(shared::aws::webhook_services(&sdk)?);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let services = services.clone();
        async move { Ok::<_, Error>(webhook_fanout::handle(&services, event.payload).await) }
    }))
    .await
}
