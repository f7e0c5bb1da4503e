//! Wiring for Lambda: one AWS SDK configuration, the DynamoDB and SQS engines, and the
//! application context. Built once per process, at init.

use crate::auth::AdminTokenVerifier;
use crate::config::{self, ConfigError};
use crate::context::AppContext;
use crate::ports::{OsRandom, SystemClock};
use crate::queue::sqs::SqsQueue;
use crate::store::dynamodb::DynamoDbStore;
use std::sync::Arc;

/// Loads the SDK configuration from the environment Lambda provides (credentials from
/// environment variables first, region from `AWS_REGION`; `AWS_ENDPOINT_URL` points tests
/// at an emulator).
pub async fn sdk_config() -> aws_config::SdkConfig {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    // HTTPS over rustls with ring, the workspace's one crypto library (smaller binaries than
    // the SDK's default aws-lc; the comparison is in the README's cold start section).
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(https)
        .load()
        .await
}

/// The table named by `TABLE_NAME`.
pub fn store(sdk: &aws_config::SdkConfig) -> Result<Arc<DynamoDbStore>, ConfigError> {
    let table = config::required("TABLE_NAME")?;
    Ok(Arc::new(DynamoDbStore::new(
        aws_sdk_dynamodb::Client::new(sdk),
        table,
    )))
}

/// The queue whose URL is in the environment variable `variable`.
pub fn queue(
    sdk: &aws_config::SdkConfig,
    variable: &'static str,
) -> Result<Arc<SqsQueue>, ConfigError> {
    let url = config::required(variable)?;
    Ok(Arc::new(SqsQueue::new(aws_sdk_sqs::Client::new(sdk), url)))
}

/// The context of an HTTP function: DynamoDB, system clock and randomness, and admin tokens
/// when `with_admin_tokens`.
pub fn app_context(
    sdk: &aws_config::SdkConfig,
    with_admin_tokens: bool,
) -> Result<AppContext, ConfigError> {
    let verifier = if with_admin_tokens {
        let settings = config::admin_tokens()?;
        Some(
            AdminTokenVerifier::new(&settings).map_err(|reason| ConfigError::Invalid {
                name: "ADMIN_JWT_*",
                reason,
            })?,
        )
    } else {
        None
    };
    Ok(AppContext::new(
        store(sdk)?,
        Arc::new(SystemClock),
        Arc::new(OsRandom),
        verifier,
    ))
}

/// The webhook services of a Lambda function: DynamoDB, the queue in `DELIVERIES_QUEUE_URL`,
/// an HTTPS-only sender, system clock and randomness.
pub fn webhook_services(
    sdk: &aws_config::SdkConfig,
) -> Result<crate::webhooks::WebhookServices, ConfigError> {
    crate::webhooks::WebhookServices::new(
        store(sdk)?,
        queue(sdk, "DELIVERIES_QUEUE_URL")?,
        Arc::new(SystemClock),
        Arc::new(OsRandom),
        crate::webhooks::AddressPolicy::default(),
    )
    .map_err(|reason| ConfigError::Invalid {
        name: "webhook HTTP client",
        reason,
    })
}

/// The click aggregator of a Lambda function: DynamoDB and the system clock.
pub fn click_aggregator(
    sdk: &aws_config::SdkConfig,
) -> Result<crate::clicks::ClickAggregator, ConfigError> {
    Ok(crate::clicks::ClickAggregator::new(
        store(sdk)?,
        Arc::new(SystemClock),
    ))
}

/// The click redirect: DynamoDB, the queue in `CLICK_QUEUE_URL`, the click-id signer from
/// `CLICK_ID_SECRET`, system clock and randomness.
pub fn redirector(sdk: &aws_config::SdkConfig) -> Result<crate::links::Redirector, ConfigError> {
    let clock: Arc<SystemClock> = Arc::new(SystemClock);
    let random: Arc<OsRandom> = Arc::new(OsRandom);
    Ok(crate::links::Redirector::new(
        crate::links::RedirectPorts {
            store: store(sdk)?,
            queue: queue(sdk, "CLICK_QUEUE_URL")?,
            ids: Arc::new(crate::ports::UlidIds::new(clock.clone(), random.clone())),
            clock,
            random,
            signer: Arc::new(config::click_id_signer()?),
        },
        crate::links::AgentParser::new(),
        crate::links::RedirectSettings::default(),
    ))
}
