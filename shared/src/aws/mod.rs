//! Wiring for Lambda: one AWS SDK configuration, the DynamoDB and SQS engines, and the
//! application context. Built once per process, at init.

use crate::auth::AdminTokenVerifier;
use crate::config::{self, ConfigError};
use crate::context::AppContext;
use crate::ports::{OsRandom, SystemClock};
use crate::queue::sqs::SqsQueue;
use crate::store::dynamodb::DynamoDbStore;

mod trust;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region, SharedCredentialsProvider};
pub use aws_types::SdkConfig;
use std::sync::Arc;

/// The SDK configuration every client of the process shares, built at init from the
/// environment Lambda sets: `AWS_REGION`, the execution role's `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, and optionally `AWS_ENDPOINT_URL` (tests
/// point it at an emulator).
///
/// Why not aws-config's provider chain: on Lambda that chain always ends at these same
/// environment variables (and never refreshes them either), while linking it costs every
/// binary its STS, SSO, IMDS and profile-file code (the click redirect was 0.5 MB larger zipped;
/// docs/performance.md, "Cold start and size") and its build. Without it
/// no code path can wait on the instance metadata service at init.
pub fn sdk_config() -> Result<SdkConfig, ConfigError> {
    sdk_config_from(config::optional)
}

/// `sdk_config` over any source of settings (tests pass their own).
pub fn sdk_config_from(
    lookup: impl Fn(&'static str) -> Option<String>,
) -> Result<SdkConfig, ConfigError> {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    let required = |name| lookup(name).ok_or(ConfigError::Missing(name));
    let region = lookup("AWS_REGION")
        .or_else(|| lookup("AWS_DEFAULT_REGION"))
        .ok_or(ConfigError::Missing("AWS_REGION"))?;
    let credentials = Credentials::new(
        required("AWS_ACCESS_KEY_ID")?,
        required("AWS_SECRET_ACCESS_KEY")?,
        lookup("AWS_SESSION_TOKEN"),
        None,
        "lambda-environment",
    );
    let endpoint = lookup("AWS_ENDPOINT_URL");
    if let Some(endpoint) = &endpoint {
        url::Url::parse(endpoint).map_err(|error| ConfigError::Invalid {
            name: "AWS_ENDPOINT_URL",
            reason: error.to_string(),
        })?;
    }
    // HTTPS over rustls with ring, the workspace's one crypto library (smaller binaries than
    // the SDK's default aws-lc), trusting AWS's own roots (see `trust`).
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .tls_context(trust::tls_context(
            endpoint
                .as_deref()
                .is_some_and(|url| url.starts_with("https:")),
        ))
        .build_https();
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .http_client(https);
    if let Some(endpoint) = endpoint {
        builder = builder.endpoint_url(endpoint);
    }
    Ok(builder.build())
}

/// The table named by `TABLE_NAME`.
pub fn store(sdk: &SdkConfig) -> Result<Arc<DynamoDbStore>, ConfigError> {
    let table = config::required("TABLE_NAME")?;
    Ok(Arc::new(DynamoDbStore::new(
        aws_sdk_dynamodb::Client::new(sdk),
        table,
    )))
}

/// The queue whose URL is in the environment variable `variable`.
pub fn queue(sdk: &SdkConfig, variable: &'static str) -> Result<Arc<SqsQueue>, ConfigError> {
    let url = config::required(variable)?;
    Ok(Arc::new(SqsQueue::new(aws_sdk_sqs::Client::new(sdk), url)))
}

/// The context of an HTTP function: DynamoDB, system clock and randomness, and admin tokens
/// when `with_admin_tokens`.
pub fn app_context(sdk: &SdkConfig, with_admin_tokens: bool) -> Result<AppContext, ConfigError> {
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
pub fn webhook_services(sdk: &SdkConfig) -> Result<crate::webhooks::WebhookServices, ConfigError> {
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

/// The click aggregator of a Lambda function: DynamoDB, the system clock, and the deployed
/// fold policy (`clicks::fold`).
pub fn click_aggregator(sdk: &SdkConfig) -> Result<crate::clicks::ClickAggregator, ConfigError> {
    Ok(
        crate::clicks::ClickAggregator::new(store(sdk)?, Arc::new(SystemClock))
            .with_policy(crate::clicks::FoldPolicy::DEPLOYED),
    )
}

/// The click redirect: DynamoDB, the queue in `CLICK_QUEUE_URL`, the click-id signer from
/// `CLICK_ID_SECRET`, system clock and randomness.
pub fn redirector(sdk: &SdkConfig) -> Result<crate::clicks::Redirector, ConfigError> {
    let clock: Arc<SystemClock> = Arc::new(SystemClock);
    let random: Arc<OsRandom> = Arc::new(OsRandom);
    Ok(crate::clicks::Redirector::new(
        crate::clicks::RedirectPorts {
            store: store(sdk)?,
            queue: queue(sdk, "CLICK_QUEUE_URL")?,
            ids: Arc::new(crate::ports::UlidIds::new(clock.clone(), random.clone())),
            clock,
            random,
            signer: Arc::new(config::click_id_signer()?),
        },
        crate::clicks::AgentParser::new(),
        crate::clicks::RedirectSettings::default(),
    ))
}

/// The `requestContext.http.sourceIp` of a request that API Gateway or a Function URL passed
/// in; `None` for a request that came another way (the local stack).
pub fn source_ip<B>(request: &http::Request<B>) -> Option<&str> {
    match request
        .extensions()
        .get::<lambda_http::request::RequestContext>()
    {
        Some(lambda_http::request::RequestContext::ApiGatewayV2(context)) => {
            context.http.source_ip.as_deref()
        }
        _ => None,
    }
}

/// The caller's address by the one rule of `web::client_ip`.
pub fn client_ip<B>(request: &http::Request<B>, edge: crate::web::Edge) -> Option<String> {
    crate::web::client_ip(edge, request.headers(), source_ip(request))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::config::ProvideCredentials;
    use std::collections::HashMap;

    fn from(settings: &[(&'static str, &str)]) -> Result<SdkConfig, ConfigError> {
        let settings: HashMap<_, _> = settings.iter().copied().collect();
        sdk_config_from(|name| settings.get(name).map(|value| value.to_string()))
    }

    const LAMBDA: &[(&str, &str)] = &[
        ("AWS_REGION", "eu-west-1"),
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_SESSION_TOKEN", "token"),
    ];

    #[tokio::test]
    async fn lambdas_environment_gives_region_and_role_credentials() {
        let sdk = from(LAMBDA).unwrap();
        assert_eq!(sdk.region().unwrap().as_ref(), "eu-west-1");
        assert_eq!(sdk.endpoint_url(), None);
        let credentials = sdk
            .credentials_provider()
            .unwrap()
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(credentials.access_key_id(), "AKIDEXAMPLE");
        assert_eq!(credentials.session_token(), Some("token"));
    }

    #[test]
    fn an_endpoint_url_points_every_client_elsewhere() {
        let mut settings = LAMBDA.to_vec();
        settings.push(("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"));
        assert_eq!(
            from(&settings).unwrap().endpoint_url(),
            Some("http://127.0.0.1:5000")
        );
        settings.pop();
        settings.push(("AWS_ENDPOINT_URL", "not a url"));
        assert!(matches!(
            from(&settings),
            Err(ConfigError::Invalid {
                name: "AWS_ENDPOINT_URL",
                ..
            })
        ));
    }

    #[test]
    fn a_missing_region_or_key_stops_init_naming_it() {
        for missing in ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
            let settings: Vec<_> = LAMBDA
                .iter()
                .copied()
                .filter(|(name, _)| *name != missing)
                .collect();
            match from(&settings) {
                Err(ConfigError::Missing(name)) => assert_eq!(name, missing),
                other => panic!("{missing}: {:?}", other.map(|_| ())),
            }
        }
    }
}
