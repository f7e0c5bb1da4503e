//! The webhook-admin function over both engines: the endpoints API, scoped to the caller's
//! program, with a test event that goes through the normal delivery path.

use http::{Method, StatusCode};
use integration_tests::app::{Reply, TestApp, reply, request};
use integration_tests::engine_tests;
use integration_tests::receiver::Receiver;
use integration_tests::webhook_world::WebhookWorld;
use serde_json::json;
use shared::types::ProgramId;

async fn call(
    app: &TestApp,
    world: &WebhookWorld,
    method: Method,
    path: &str,
    credential: &str,
    body: Option<serde_json::Value>,
) -> Reply {
    let request = request(method, path, Some(credential), body);
    reply(webhook_admin::handle(&app.ctx, &world.services, request).await)
}

/// A program and a key with the given scopes; returns (program, key).
async fn program_with_key(app: &TestApp, domain: &str, scopes: &[&str]) -> (ProgramId, String) {
    let admin = |program: &ProgramId| app.admin_token(program);
    let created = reply(
        program_admin::handle(
            &app.ctx,
            request(
                Method::POST,
                "/programs",
                Some(&app.platform_token()),
                Some(json!({"name": "Acme", "domain": domain})),
            ),
        )
        .await,
    );
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let program = ProgramId::parse(created.body["id"].as_str().unwrap()).unwrap();
    let key = reply(
        program_admin::handle(
            &app.ctx,
            request(
                Method::POST,
                &format!("/programs/{program}/api-keys"),
                Some(&admin(&program)),
                Some(json!({"name": "hooks", "scopes": scopes})),
            ),
        )
        .await,
    );
    assert_eq!(key.status, StatusCode::CREATED, "{}", key.body);
    (program, key.body["key"].as_str().unwrap().to_owned())
}

engine_tests!(
    manages_endpoints_and_shows_the_secret_once,
    a_test_event_is_delivered_and_its_attempt_listed,
    bad_input_scopes_and_other_programs
);

async fn manages_endpoints_and_shows_the_secret_once(app: TestApp) {
    let mut world = WebhookWorld::new(&app);
    let (program, key) = program_with_key(&app, "go.acme.com", &["webhooks.write"]).await;
    world.program = program.clone();
    let receiver = Receiver::start().await;
    let created = call(&app, &world, Method::POST, "/webhooks", &key, Some(json!({"url": receiver.url("/hook"), "events": ["sale.created", "lead.created", "lead.created"]}))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert!(
        created.body["secret"]
            .as_str()
            .unwrap()
            .starts_with("whsec_")
    );
    assert_eq!(
        created.body["events"],
        json!(["lead.created", "sale.created"])
    );
    assert_eq!(created.body["enabled"], true);

    let listed = call(&app, &world, Method::GET, "/webhooks", &key, None).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert!(listed.body[0].get("secret").is_none(), "never shown again");
    let read = call(
        &app,
        &world,
        Method::GET,
        &format!("/webhooks/{id}"),
        &key,
        None,
    )
    .await;
    assert!(read.body.get("secret").is_none());

    let patched = call(
        &app,
        &world,
        Method::PATCH,
        &format!("/webhooks/{id}"),
        &key,
        Some(json!({"events": ["link.clicked"], "enabled": false})),
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["events"], json!(["link.clicked"]));
    assert_eq!(patched.body["enabled"], false);

    let rotated = call(
        &app,
        &world,
        Method::POST,
        &format!("/webhooks/{id}/rotate-secret"),
        &key,
        None,
    )
    .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    assert_ne!(rotated.body["secret"], created.body["secret"]);
    assert!(rotated.body["previousSecretExpiresAt"].is_string());

    let deleted = call(
        &app,
        &world,
        Method::DELETE,
        &format!("/webhooks/{id}"),
        &key,
        None,
    )
    .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = call(
        &app,
        &world,
        Method::GET,
        &format!("/webhooks/{id}"),
        &key,
        None,
    )
    .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.error_code(), "not_found");
}

async fn a_test_event_is_delivered_and_its_attempt_listed(app: TestApp) {
    let mut world = WebhookWorld::new(&app);
    let (program, key) = program_with_key(&app, "go.acme.com", &["webhooks.write"]).await;
    world.program = program;
    let receiver = Receiver::start().await;
    let created = call(
        &app,
        &world,
        Method::POST,
        "/webhooks",
        &key,
        Some(json!({"url": receiver.url("/hook"), "events": ["sale.created"]})),
    )
    .await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    let test = call(
        &app,
        &world,
        Method::POST,
        &format!("/webhooks/{id}/test"),
        &key,
        None,
    )
    .await;
    assert_eq!(test.status, StatusCode::ACCEPTED, "{}", test.body);
    world.relay_and_fan_out().await;
    world.deliver_all().await;
    let requests = receiver.requests();
    assert_eq!(requests.len(), 1);
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(body["event"], "webhook.test");
    shared::webhooks::signing::verify(
        &secret,
        requests[0].header("webhook-id"),
        requests[0].header("webhook-timestamp"),
        requests[0].header("webhook-signature"),
        &requests[0].body,
        requests[0].header("webhook-timestamp").parse().unwrap(),
    )
    .unwrap();

    let deliveries = call(
        &app,
        &world,
        Method::GET,
        &format!("/webhooks/{id}/deliveries"),
        &key,
        None,
    )
    .await;
    assert_eq!(deliveries.status, StatusCode::OK, "{}", deliveries.body);
    let first = &deliveries.body["data"][0];
    assert_eq!(first["id"], test.body["deliveryId"]);
    assert_eq!(first["state"], "succeeded");
    assert_eq!(first["attempts"][0]["statusCode"], 200);
    assert!(first["attempts"][0]["latencyMs"].is_u64());
    assert!(first["attempts"][0]["at"].is_string());
    // Only failed deliveries are re-sent.
    let resend = call(
        &app,
        &world,
        Method::POST,
        &format!(
            "/webhooks/{id}/deliveries/{}/resend",
            first["id"].as_str().unwrap()
        ),
        &key,
        None,
    )
    .await;
    assert_eq!(resend.status, StatusCode::CONFLICT);
}

async fn bad_input_scopes_and_other_programs(app: TestApp) {
    let mut world = WebhookWorld::new(&app);
    let (program, key) = program_with_key(&app, "go.acme.com", &["webhooks.write"]).await;
    world.program = program;
    let (_, reader) = program_with_key(&app, "go.other.com", &["webhooks.read"]).await;
    let receiver = Receiver::start().await;
    let url = receiver.url("/hook");
    for (body, code) in [
        (
            json!({"url": url, "events": ["lead.exploded"]}),
            "unprocessable_entity",
        ),
        (json!({"url": url, "events": []}), "unprocessable_entity"),
        (
            json!({"url": "http://example.com/hook", "events": ["lead.created"]}),
            "unprocessable_entity",
        ),
        (
            json!({"url": "https://167772161/", "events": ["lead.created"]}),
            "unprocessable_entity",
        ),
        (
            json!({"url": "https://[::ffff:10.0.0.1]/", "events": ["lead.created"]}),
            "unprocessable_entity",
        ),
        (
            json!({"url": url, "events": ["lead.created"], "secret": "mine"}),
            "unprocessable_entity",
        ),
    ] {
        let refused = call(
            &app,
            &world,
            Method::POST,
            "/webhooks",
            &key,
            Some(body.clone()),
        )
        .await;
        assert!(refused.status.is_client_error(), "{body}: {}", refused.body);
        assert!(
            ["unprocessable_entity", "bad_request"].contains(&refused.error_code()),
            "{body}: {} (expected {code})",
            refused.body
        );
    }
    let created = call(
        &app,
        &world,
        Method::POST,
        "/webhooks",
        &key,
        Some(json!({"url": url, "events": ["lead.created"]})),
    )
    .await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    // A read-only key of another program: cannot write, and cannot see this program's hook.
    let denied = call(
        &app,
        &world,
        Method::POST,
        "/webhooks",
        &reader,
        Some(json!({"url": url, "events": ["lead.created"]})),
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.body);
    let hidden = call(
        &app,
        &world,
        Method::GET,
        &format!("/webhooks/{id}"),
        &reader,
        None,
    )
    .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let listed = call(&app, &world, Method::GET, "/webhooks", &reader, None).await;
    assert_eq!(listed.body, json!([]));
}
