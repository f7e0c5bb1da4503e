//! The resources the template declares, on an emulator, and the environment the template gives
//! the functions, for `cargo lambda watch --env-file` (infra/prove_deploy.sh, "invoke"):
//! `AWS_ENDPOINT_URL=http://127.0.0.1:5000 ... cargo run -p integration-tests --bin emulator_setup > env`.
//! Creates the table and the three queues (events, webhook deliveries, clicks) under fresh
//! names and prints `NAME=value` lines: the AWS settings it was given, the table and queues, and
//! the test settings of the runtime-level tests (admin token verification by an HS256 secret,
//! the click id and portal link secrets, a Stripe endpoint for `prog_sample`).

use integration_tests::app::{AUDIENCE, ISSUER, SECRET};
use shared::queue::QueueSettings;
use shared::queue::sqs::SqsQueue;

#[allow(clippy::print_stdout)]
#[tokio::main]
async fn main() {
    let sdk = shared::aws::sdk_config().expect("AWS_ENDPOINT_URL, AWS_REGION and credentials");
    let suffix = std::process::id();
    let table = format!("partnerline-{suffix}");
    shared::store::dynamodb::create_table(&aws_sdk_dynamodb::Client::new(&sdk), &table)
        .await
        .expect("create the table");
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let mut lines = vec![format!("TABLE_NAME={table}")];
    for (variable, name) in [
        ("EVENTS_QUEUE_URL", "events"),
        ("DELIVERIES_QUEUE_URL", "webhook-deliveries"),
        ("CLICK_QUEUE_URL", "clicks"),
    ] {
        let queue = SqsQueue::create(
            sqs.clone(),
            &format!("{name}-{suffix}"),
            &QueueSettings::default(),
        )
        .await
        .expect("create a queue");
        lines.push(format!("{variable}={}", queue.queue_url()));
    }
    for name in [
        "AWS_ENDPOINT_URL",
        "AWS_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ] {
        lines.push(format!(
            "{name}={}",
            std::env::var(name).unwrap_or_default()
        ));
    }
    let secret = String::from_utf8(SECRET.to_vec()).expect("the tests' secret is text");
    let click_secret = shared::testkit::CLICK_SECRET.to_owned();
    lines.extend([
        format!("ADMIN_JWT_ISSUER={ISSUER}"),
        format!("ADMIN_JWT_AUDIENCE={AUDIENCE}"),
        format!("ADMIN_JWT_HS256_SECRET={secret}"),
        format!("CLICK_ID_SECRET={click_secret}"),
        "PORTAL_LINK_SECRET=portal-link-secret-of-the-emulator-32b!".to_owned(),
        "PORTAL_BASE_URL=https://partners.example.com/portal".to_owned(),
        r#"STRIPE_WEBHOOK_SECRETS='{"prog_sample":"whsec_sample_endpoint_secret"}'"#.to_owned(),
    ]);
    for line in lines {
        println!("{line}");
    }
}
