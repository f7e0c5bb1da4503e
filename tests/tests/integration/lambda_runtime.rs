//! Every compiled function under a local Lambda Runtime API, fed its `events/` samples, with
//! DynamoDB and SQS on moto. This covers what in-process tests skip: event decoding,
//! configuration from the environment and initialisation.

use integration_tests::app::{AUDIENCE, ISSUER, SECRET, TestApp};
use integration_tests::binaries::{sample_event, start};
use integration_tests::runtime_api::{Outcome, RuntimeApi};
use integration_tests::tracking_world::TrackingProgram;
use integration_tests::{fresh_queue, fresh_store};
use shared::auth::Scope;
use shared::model::{Actor, Program};
use shared::program_launch::{self, CreateProgram};
use shared::programs::DomainName;
use shared::queue::{MessageQueue, QueueSettings};
use shared::store::dynamodb::DynamoDbStore;
use shared::store::{ItemStore, TxOp};
use std::sync::Arc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

fn admin_env(table: &str) -> Vec<(&'static str, String)> {
    vec![
        ("TABLE_NAME", table.to_owned()),
        ("ADMIN_JWT_ISSUER", ISSUER.to_owned()),
        ("ADMIN_JWT_AUDIENCE", AUDIENCE.to_owned()),
        (
            "ADMIN_JWT_HS256_SECRET",
            String::from_utf8(SECRET.to_vec()).unwrap(),
        ),
    ]
}

fn http_response(outcome: Outcome) -> (u16, serde_json::Value) {
    let Outcome::Response(response) = outcome else {
        panic!("the function failed: {outcome:?}")
    };
    let status = response["statusCode"]
        .as_u64()
        .expect("an API Gateway v2 response") as u16;
    let body = serde_json::from_str(response["body"].as_str().unwrap_or("null")).unwrap();
    (status, body)
}

/// A table on moto holding one program, and the app over it.
async fn program_on_moto(domain: &str) -> (Arc<DynamoDbStore>, TestApp, Program) {
    let store: Arc<DynamoDbStore> = fresh_store().await;
    let app = TestApp::over(
        store.clone(),
        fresh_queue(QueueSettings::default()).await.queue,
        fresh_queue(QueueSettings::default()).await.queue,
    );
    let program = program_launch::create_program(
        &app.ctx,
        &app.platform_principal(),
        CreateProgram {
            name: "Runtime".into(),
            domain: DomainName::parse(domain).unwrap(),
            currency: Default::default(),
            settings: Default::default(),
        },
    )
    .await
    .unwrap();
    (store, app, program)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn program_admin_serves_its_sample_events() {
    let (store, app, program) = program_on_moto("runtime.example.com").await;
    let admin = app.admin_token(&program.id);
    let key = TrackingProgram::key_with(
        &app.ctx,
        &app.admin_principal(&program.id),
        &program.id,
        vec![Scope::All],
    )
    .await;

    let runtime = RuntimeApi::start().await;
    let _function = start("program-admin", &runtime, &admin_env(store.table_name()));
    let sample_id = "prog_01JDEMO0000000000000000000";

    let get = sample_event("program-admin", "get-program.json")
        .replace(sample_id, program.id.as_str())
        .replace("plk_sample-key-replace-me", &key);
    let (status, body) = http_response(runtime.invoke(&get, WAIT).await);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "Runtime");

    let create = sample_event("program-admin", "create-api-key.json")
        .replace(sample_id, program.id.as_str())
        .replace("eyJhbGciOiJIUzI1NiJ9.sample.token", &admin);
    let (status, body) = http_response(runtime.invoke(&create, WAIT).await);
    assert_eq!(status, 201, "{body}");
    assert!(body["key"].as_str().unwrap().starts_with("plk_"));

    // The unchanged sample carries a made-up key: the envelope comes back, the process lives on.
    let (status, body) = http_response(
        runtime
            .invoke(&sample_event("program-admin", "get-program.json"), WAIT)
            .await,
    );
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthorized");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_applications_serves_apply_and_status() {
    let (store, app, program) = program_on_moto("apply.example.com").await;
    let key = TrackingProgram::key_with(
        &app.ctx,
        &app.admin_principal(&program.id),
        &program.id,
        vec![Scope::ApplicationsSubmit],
    )
    .await;

    let runtime = RuntimeApi::start().await;
    let _function = start(
        "partner-applications",
        &runtime,
        &admin_env(store.table_name()),
    );
    let placeholder = "plk_sample0000000000000000000000";
    let apply = sample_event("partner-applications", "apply.json").replace(placeholder, &key);
    let (status, body) = http_response(runtime.invoke(&apply, WAIT).await);
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "pending");
    let (status, body) = http_response(runtime.invoke(&apply, WAIT).await);
    assert_eq!(
        status, 409,
        "a second application from the same email: {body}"
    );
    let query =
        sample_event("partner-applications", "application-status.json").replace(placeholder, &key);
    let (status, body) = http_response(runtime.invoke(&query, WAIT).await);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        serde_json::json!({"applied": true, "status": "pending"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_admin_lists_partners() {
    let (store, app, program) = program_on_moto("partners.example.com").await;
    let key = TrackingProgram::key_with(
        &app.ctx,
        &app.admin_principal(&program.id),
        &program.id,
        vec![Scope::PartnersWrite],
    )
    .await;
    let principal = app
        .ctx
        .auth
        .authenticate(&{
            let mut headers = http::HeaderMap::new();
            headers.insert("authorization", format!("Bearer {key}").parse().unwrap());
            headers
        })
        .await
        .unwrap();
    for n in 0..3 {
        shared::enrollment::create_partner(
            &app.ctx,
            &principal,
            serde_json::from_value(
                serde_json::json!({"email": format!("p{n}@x.io"), "name": format!("Partner {n}")}),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    }

    let runtime = RuntimeApi::start().await;
    let _function = start("partner-admin", &runtime, &admin_env(store.table_name()));
    let placeholder = "plk_sample-key-replace-me";
    let list = sample_event("partner-admin", "list-partners.json").replace(placeholder, &key);
    let (status, body) = http_response(runtime.invoke(&list, WAIT).await);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.as_array().unwrap().len(), 3);
    assert_eq!(body[0]["links"].as_array().unwrap().len(), 1);
    let (status, body) = http_response(
        runtime
            .invoke(&sample_event("partner-admin", "list-partners.json"), WAIT)
            .await,
    );
    assert_eq!(status, 401, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_portal_issues_a_session_and_serves_the_dashboard() {
    let (store, app, program) = program_on_moto("portal.example.com").await;
    let key = TrackingProgram::key_with(
        &app.ctx,
        &app.admin_principal(&program.id),
        &program.id,
        vec![Scope::PartnersWrite],
    )
    .await;
    let principal = app.admin_principal(&program.id);
    shared::enrollment::create_partner(
        &app.ctx,
        &principal,
        serde_json::from_value(
            serde_json::json!({"email": "jane@x.io", "name": "Jane", "tenantId": "user_123"}),
        )
        .unwrap(),
    )
    .await
    .unwrap();

    let runtime = RuntimeApi::start().await;
    let mut env = admin_env(store.table_name());
    env.push((
        "PORTAL_LINK_SECRET",
        "a-runtime-portal-secret-of-32-bytes-or-more".into(),
    ));
    env.push((
        "PORTAL_BASE_URL",
        "https://partners.example.com/portal".into(),
    ));
    let _function = start("partner-portal", &runtime, &env);
    let issue = sample_event("partner-portal", "issue-session.json")
        .replace("plk_sample-key-replace-me", &key);
    let (status, body) = http_response(runtime.invoke(&issue, WAIT).await);
    assert_eq!(status, 201, "{body}");
    let token = body["token"].as_str().unwrap().to_owned();
    let placeholder = "pst_sample-session-replace-me";
    let dashboard = sample_event("partner-portal", "dashboard.json").replace(placeholder, &token);
    let (status, body) = http_response(runtime.invoke(&dashboard, WAIT).await);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["activity"].as_array().unwrap().len(), 30);
    assert_eq!(body["links"].as_array().unwrap().len(), 1);
    let link = sample_event("partner-portal", "portal-link.json").replace(placeholder, &token);
    let (status, body) = http_response(runtime.invoke(&link, WAIT).await);
    assert_eq!(status, 200, "{body}");
    assert!(
        body["url"]
            .as_str()
            .unwrap()
            .starts_with("https://partners.example.com/portal?")
    );
    let (status, body) = http_response(
        runtime
            .invoke(&sample_event("partner-portal", "affiliate.json"), WAIT)
            .await,
    );
    assert_eq!(status, 401, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_relay_drains_on_its_schedule_event() {
    let store = fresh_store().await;
    let events = fresh_queue(QueueSettings::default()).await.queue;
    let program = shared::types::ProgramId::parse("prog_runtime").unwrap();
    let ids = shared::ports::SequentialIds::default();
    let event = shared::outbox::new_event(
        &ids,
        &shared::ports::SystemClock,
        &program,
        shared::model::EventName::ProgramUpdated,
        Actor::System,
        serde_json::json!({}),
    );
    store
        .transact(vec![shared::outbox::record(&event).unwrap()] as Vec<TxOp>)
        .await
        .unwrap();

    let runtime = RuntimeApi::start().await;
    let _function = start(
        "outbox-relay",
        &runtime,
        &[
            ("TABLE_NAME", store.table_name().to_owned()),
            ("EVENTS_QUEUE_URL", events.queue_url().to_owned()),
        ],
    );
    let outcome = runtime
        .invoke(&sample_event("outbox-relay", "schedule.json"), WAIT)
        .await;
    assert_eq!(
        outcome,
        Outcome::Response(serde_json::json!({"relayed": 1}))
    );
    let received = events.receive(10, Duration::from_secs(1)).await.unwrap();
    assert_eq!(received.len(), 1);
    let body: serde_json::Value = serde_json::from_str(&received[0].body).unwrap();
    assert_eq!(body["id"], event.id.as_str());
}

#[test]
fn a_missing_setting_stops_init_with_its_name() {
    // Lambda reports a process that exits during init; the message must name the variable.
    let init_error = |env: &[(&str, &str)]| {
        let output =
            std::process::Command::new(integration_tests::binaries::binary("outbox-relay"))
                .env_clear()
                .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
                .envs(env.iter().copied())
                .output()
                .expect("run the binary");
        assert!(!output.status.success());
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let lambda = [
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
    ];
    let stderr = init_error(&lambda);
    assert!(stderr.contains("TABLE_NAME"), "stderr: {stderr}");
    // The role's credentials come only from the variables Lambda sets (`shared::aws`).
    let stderr = init_error(&lambda[..1]);
    assert!(stderr.contains("AWS_ACCESS_KEY_ID"), "stderr: {stderr}");
}

/// The environment of the webhook functions: the table, the deliveries queue, admin tokens.
async fn webhook_env() -> Vec<(&'static str, String)> {
    let store = fresh_store().await;
    let deliveries = fresh_queue(QueueSettings::default()).await.queue;
    let mut env = admin_env(store.table_name());
    env.push(("DELIVERIES_QUEUE_URL", deliveries.queue_url().to_owned()));
    env
}

/// The ids of the messages a consumer reported as failed.
fn failed_items(outcome: Outcome) -> Vec<String> {
    let Outcome::Response(response) = outcome else {
        panic!("the function failed: {outcome:?}")
    };
    let mut ids: Vec<String> = response["batchItemFailures"]
        .as_array()
        .unwrap_or_else(|| panic!("not an SQS batch response: {response}"))
        .iter()
        .map(|failure| failure["itemIdentifier"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_fanout_reports_only_the_poisoned_message() {
    let runtime = RuntimeApi::start().await;
    let _function = start("webhook-fanout", &runtime, &webhook_env().await);
    let outcome = runtime
        .invoke(&sample_event("webhook-fanout", "events-batch.json"), WAIT)
        .await;
    assert_eq!(failed_items(outcome), ["events-msg-2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_delivery_reports_only_the_poisoned_message() {
    let runtime = RuntimeApi::start().await;
    let _function = start("webhook-delivery", &runtime, &webhook_env().await);
    let outcome = runtime
        .invoke(
            &sample_event("webhook-delivery", "deliveries-batch.json"),
            WAIT,
        )
        .await;
    assert_eq!(failed_items(outcome), ["webhook-deliveries-msg-2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_admin_answers_its_sample_events() {
    let runtime = RuntimeApi::start().await;
    let _function = start("webhook-admin", &runtime, &webhook_env().await);
    // The samples carry made-up credentials: decoded, routed, and refused in the envelope.
    for sample in ["create-webhook.json", "list-deliveries.json"] {
        let (status, body) = http_response(
            runtime
                .invoke(&sample_event("webhook-admin", sample), WAIT)
                .await,
        );
        assert_eq!(status, 401, "{sample}: {body}");
        assert_eq!(body["error"]["code"], "unauthorized", "{sample}");
    }
}

const SAMPLE_KEY: &str = "plk_sample_key_that_the_store_does_not_know";

/// A key of the program with every scope.
async fn key_of(app: &TestApp, program: &Program) -> String {
    TrackingProgram::key_with(
        &app.ctx,
        &app.admin_principal(&program.id),
        &program.id,
        vec![Scope::All],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversion_tracking_answers_its_sample_events() {
    let (store, app, program) = program_on_moto("track.example.com").await;
    let key = key_of(&app, &program).await;
    let runtime = RuntimeApi::start().await;
    let mut env = admin_env(store.table_name());
    env.push(("CLICK_ID_SECRET", shared::testkit::CLICK_SECRET.to_owned()));
    let _function = start("conversion-tracking", &runtime, &env);
    // An unknown customer without a click: Dub's answer, nothing recorded.
    let sale = sample_event("conversion-tracking", "track-sale.json").replace(SAMPLE_KEY, &key);
    let (status, body) = http_response(runtime.invoke(&sale, WAIT).await);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["customer"], serde_json::Value::Null);
    // A click id this deployment did not sign: 404.
    let lead = sample_event("conversion-tracking", "track-lead.json").replace(SAMPLE_KEY, &key);
    let (status, body) = http_response(runtime.invoke(&lead, WAIT).await);
    assert_eq!(
        (status, &body["error"]["code"]),
        (404, &serde_json::json!("not_found"))
    );
    let (status, _) = http_response(
        runtime
            .invoke(
                &sample_event("conversion-tracking", "track-refund.json"),
                WAIT,
            )
            .await,
    );
    assert_eq!(status, 401);
    // A deal for a tenant id the program has no partner for: 404, nothing registered.
    let deal = sample_event("conversion-tracking", "register-deal.json").replace(SAMPLE_KEY, &key);
    let (status, body) = http_response(runtime.invoke(&deal, WAIT).await);
    assert_eq!(
        (status, &body["error"]["code"]),
        (404, &serde_json::json!("not_found"))
    );
    // A partner in their own session registers for themselves; the keyed repeat replays.
    let admin = app.admin_principal(&program.id);
    let partner = shared::enrollment::create_partner(
        &app.ctx,
        &admin,
        serde_json::from_value(serde_json::json!({"email": "jane@x.io", "name": "Jane"})).unwrap(),
    )
    .await
    .unwrap();
    let session = shared::portal::issue_session(
        &app.ctx,
        &admin,
        shared::portal::IssueSession {
            partner_id: Some(partner.partner.id.to_string()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let deal = sample_event("conversion-tracking", "register-deal-partner.json")
        .replace("pst_sample-session-replace-me", &session.token);
    let (status, body) = http_response(runtime.invoke(&deal, WAIT).await);
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["partnerId"], partner.partner.id.as_str());
    let (status, replayed) = http_response(runtime.invoke(&deal, WAIT).await);
    assert_eq!((status, &replayed), (201, &body));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commission_admin_answers_its_sample_events() {
    let (store, app, program) = program_on_moto("commissions.example.com").await;
    let key = key_of(&app, &program).await;
    let runtime = RuntimeApi::start().await;
    let _function = start("commission-admin", &runtime, &admin_env(store.table_name()));
    let list = sample_event("commission-admin", "list-commissions.json").replace(SAMPLE_KEY, &key);
    let (status, body) = http_response(runtime.invoke(&list, WAIT).await);
    assert_eq!((status, body), (200, serde_json::json!([])));
    let update =
        sample_event("commission-admin", "update-commission.json").replace(SAMPLE_KEY, &key);
    let (status, _) = http_response(runtime.invoke(&update, WAIT).await);
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commission_maturation_runs_on_its_schedule_event() {
    let store = fresh_store().await;
    let runtime = RuntimeApi::start().await;
    let _function = start(
        "commission-maturation",
        &runtime,
        &[("TABLE_NAME", store.table_name().to_owned())],
    );
    let outcome = runtime
        .invoke(
            &sample_event("commission-maturation", "schedule.json"),
            WAIT,
        )
        .await;
    assert_eq!(
        outcome,
        Outcome::Response(serde_json::json!({"processed": 0, "skipped": 0, "deferred": 0}))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn click_aggregator_reports_only_the_poisoned_message() {
    let store = fresh_store().await;
    let runtime = RuntimeApi::start().await;
    let _function = start(
        "click-aggregator",
        &runtime,
        &[("TABLE_NAME", store.table_name().to_owned())],
    );
    // The sample's links and partner are not in this table: their clicks are dropped, not
    // failed; only the malformed message comes back.
    let outcome = runtime
        .invoke(&sample_event("click-aggregator", "clicks-batch.json"), WAIT)
        .await;
    assert_eq!(failed_items(outcome), ["clicks-msg-2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_admin_answers_its_sample_events() {
    let store = fresh_store().await;
    let clicks = fresh_queue(QueueSettings::default()).await.queue;
    let mut env = admin_env(store.table_name());
    env.push(("CLICK_QUEUE_URL", clicks.queue_url().to_owned()));
    env.push(("CLICK_ID_SECRET", shared::testkit::CLICK_SECRET.to_owned()));
    let runtime = RuntimeApi::start().await;
    let _function = start("link-admin", &runtime, &env);
    for sample in ["create-link.json", "track-click.json"] {
        let (status, body) = http_response(
            runtime
                .invoke(&sample_event("link-admin", sample), WAIT)
                .await,
        );
        assert_eq!(status, 401, "{sample}: {body}");
        assert_eq!(body["error"]["code"], "unauthorized", "{sample}");
    }
}

/// The redirect binary: a click from its Function URL sample is answered with a 302 and
/// buffered; the SIGTERM Lambda sends at shutdown (the process registered an internal
/// extension for it) sends the buffered click to the queue before the process exits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_redirect_redirects_and_sends_its_clicks_at_shutdown() {
    let store = fresh_store().await;
    let clicks = fresh_queue(QueueSettings::default()).await.queue;
    let link = shared::model::Link {
        id: shared::types::LinkId::parse("link_01JDRT1MEW0000000000000000").unwrap(),
        program_id: shared::types::ProgramId::parse("prog_runtime").unwrap(),
        domain: "go.example.com".into(),
        key: "jane20".into(),
        url: shared::types::WebUrl::parse("https://acme.com/").unwrap(),
        partner_id: Some(shared::types::PartnerId::parse("pn_runtime").unwrap()),
        tenant_id: None,
        expires_at: None,
        expired_url: None,
        disabled: false,
        geo: Default::default(),
        ios: Some(shared::types::WebUrl::parse("https://apps.apple.com/acme").unwrap()),
        android: None,
        details: Default::default(),
        stats: Default::default(),
        created_at: time::OffsetDateTime::now_utc(),
        updated_at: None,
    };
    store
        .transact(shared::links::repo::insert(&link).unwrap().to_vec())
        .await
        .unwrap();
    let env = [
        ("TABLE_NAME", store.table_name().to_owned()),
        ("CLICK_QUEUE_URL", clicks.queue_url().to_owned()),
        ("CLICK_ID_SECRET", shared::testkit::CLICK_SECRET.to_owned()),
    ];
    let runtime = RuntimeApi::start().await;
    let mut function = start("link-redirect", &runtime, &env);
    let outcome = runtime
        .invoke(&sample_event("link-redirect", "click.json"), WAIT)
        .await;
    let Outcome::Response(response) = outcome else {
        panic!("the function failed: {outcome:?}")
    };
    assert_eq!(response["statusCode"], 302, "{response}");
    let location = response["headers"]["location"].as_str().unwrap();
    assert!(
        location.starts_with(
            "https://apps.apple.com/acme?utm_source=newsletter&via=jane20&dub_id=clk_"
        ),
        "{location}"
    );
    assert!(
        response["cookies"][0]
            .as_str()
            .is_some_and(|c| c.starts_with("pl_click_link_")),
        "{response}"
    );
    assert_eq!(
        runtime.extensions(),
        ["_lambda-rust-runtime-no-op-graceful-shutdown-helper"]
    );
    let preview = runtime
        .invoke(&sample_event("link-redirect", "head-preview.json"), WAIT)
        .await;
    let Outcome::Response(preview) = preview else {
        panic!("the function failed: {preview:?}")
    };
    assert_eq!(preview["statusCode"], 302, "a preview bot is redirected");
    assert!(
        clicks
            .receive(10, Duration::from_millis(500))
            .await
            .unwrap()
            .is_empty(),
        "the click waits in the buffer"
    );

    assert!(
        function.terminate(Duration::from_secs(5)),
        "the process exits on SIGTERM"
    );
    let received = clicks.receive(10, Duration::from_secs(2)).await.unwrap();
    assert_eq!(received.len(), 1);
    let batch = shared::clicks::ClickBatch::parse(&received[0].body).unwrap();
    assert_eq!(batch.clicks.len(), 1, "the bot was not counted");
    assert_eq!(batch.clicks[0].link_id, link.id);
    assert_eq!(batch.clicks[0].country.as_deref(), Some("DE"));
    assert_eq!(batch.clicks[0].os, "iOS");
}

/// The deployed binary verifies the sample events' signatures with the secrets its environment
/// names: re-signed now for a program on moto, each is handled (nothing in the empty program
/// attributes them) and its claim makes the repeat a duplicate; as stored (signed long ago),
/// each is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stripe_webhook_answers_its_sample_events() {
    const SAMPLE_SECRET: &str = "whsec_sample_endpoint_secret";
    let (store, _app, program) = program_on_moto("stripe.example.com").await;
    let runtime = RuntimeApi::start().await;
    let mut env = admin_env(store.table_name());
    env.push(("CLICK_ID_SECRET", shared::testkit::CLICK_SECRET.to_owned()));
    env.push((
        "STRIPE_WEBHOOK_SECRETS",
        serde_json::json!({ program.id.as_str(): SAMPLE_SECRET }).to_string(),
    ));
    let _function = start("stripe-webhook", &runtime, &env);
    for (name, steps) in [
        ("checkout-session-completed.json", vec!["lead", "sale"]),
        ("invoice-paid.json", vec!["sale"]),
        ("charge-refunded.json", vec!["refund"]),
    ] {
        let stored =
            sample_event("stripe-webhook", name).replace("prog_sample", program.id.as_str());
        let (status, _) = http_response(runtime.invoke(&stored, WAIT).await);
        assert_eq!(status, 400, "{name}: signed long ago");
        let mut event: serde_json::Value = serde_json::from_str(&stored).unwrap();
        let body = event["body"].as_str().unwrap().to_owned();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        event["headers"]["stripe-signature"] = serde_json::json!(
            integration_tests::stripe_world::signature(SAMPLE_SECRET, body.as_bytes(), now)
        );
        let fresh = event.to_string();
        let (status, body) = http_response(runtime.invoke(&fresh, WAIT).await);
        assert_eq!(status, 200, "{name}: {body}");
        assert_eq!(body["status"], "handled", "{name}");
        let handled: Vec<_> = body["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["step"].clone())
            .collect();
        assert_eq!(handled, steps, "{name}");
        assert!(
            body["steps"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["outcome"] == "unattributed"),
            "{name}: {body}"
        );
        let (status, again) = http_response(runtime.invoke(&fresh, WAIT).await);
        assert_eq!(
            (status, &again["status"]),
            (200, &serde_json::json!("duplicate")),
            "{name}"
        );
    }
}
