//! The program-admin function over both engines: programs, API keys, authentication,
//! authorization and bad input.

use http::{Method, StatusCode};
use integration_tests::app::{Reply, TestApp, reply, request};
use integration_tests::engine_tests;
use serde_json::json;

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    credential: Option<&str>,
    body: Option<serde_json::Value>,
) -> Reply {
    reply(program_admin::handle(&app.ctx, request(method, path, credential, body)).await)
}

/// Creates a program and an all-scopes key; returns (program id, key secret).
async fn program_with_key(app: &TestApp, domain: &str) -> (String, String) {
    let created = call(
        app,
        Method::POST,
        "/programs",
        Some(&app.platform_token()),
        Some(json!({"name": "Acme", "domain": domain})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let program = created.body["id"].as_str().unwrap().to_owned();
    let admin = app.admin_token(&shared::types::ProgramId::parse(&program).unwrap());
    let key = call(
        app,
        Method::POST,
        &format!("/programs/{program}/api-keys"),
        Some(&admin),
        Some(json!({"name": "server", "scopes": ["apis.all"]})),
    )
    .await;
    assert_eq!(key.status, StatusCode::CREATED, "{}", key.body);
    (program, key.body["key"].as_str().unwrap().to_owned())
}

engine_tests!(
    creates_a_program_with_stackbe_defaults,
    the_printed_key_authenticates_and_reads_its_program,
    a_domain_belongs_to_one_program,
    keys_are_listed_partially_and_revoked_keys_stop_working,
    another_programs_records_are_not_found,
    missing_scope_is_forbidden_and_keys_cannot_mint_keys,
    only_platform_tokens_create_programs,
    bad_input_gets_the_envelope_and_changes_nothing,
    credentials_are_checked,
    unknown_routes_and_methods,
    changes_are_audited_and_relayed_through_the_outbox
);

async fn creates_a_program_with_stackbe_defaults(app: TestApp) {
    let created = call(
        &app,
        Method::POST,
        "/programs",
        Some(&app.platform_token()),
        Some(json!({"name": "Acme", "domain": "go.acme.com"})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let body = &created.body;
    assert!(body["id"].as_str().unwrap().starts_with("prog_"));
    assert_eq!(body["currency"], "usd");
    assert_eq!(
        body["settings"],
        json!({"defaultCommissionRate": 20, "holdingPeriodDays": 30, "minPayoutAmount": 5000, "payoutRail": "manual", "payoutSchedule": {"frequency": "manual"}, "attributionWindowDays": 30, "clickIdParam": "dub_id"})
    );
}

async fn the_printed_key_authenticates_and_reads_its_program(app: TestApp) {
    let (program, key) = program_with_key(&app, "go.acme.com").await;
    let read = call(
        &app,
        Method::GET,
        &format!("/programs/{program}"),
        Some(&key),
        None,
    )
    .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.body["name"], "Acme");
    // StackBE's header works as well as Dub's.
    let via_header = program_admin::handle(
        &app.ctx,
        http::Request::get(format!("/programs/{program}"))
            .header("x-api-key", &key)
            .body(Vec::new())
            .unwrap(),
    )
    .await;
    assert_eq!(via_header.status(), StatusCode::OK);
}

async fn a_domain_belongs_to_one_program(app: TestApp) {
    program_with_key(&app, "go.acme.com").await;
    let again = call(
        &app,
        Method::POST,
        "/programs",
        Some(&app.platform_token()),
        Some(json!({"name": "Other", "domain": "GO.ACME.COM"})),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.error_code(), "conflict");
}

async fn keys_are_listed_partially_and_revoked_keys_stop_working(app: TestApp) {
    let (program, key) = program_with_key(&app, "go.acme.com").await;
    let admin = app.admin_token(&shared::types::ProgramId::parse(&program).unwrap());
    let listed = call(
        &app,
        Method::GET,
        &format!("/programs/{program}/api-keys"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK);
    let keys = listed.body["data"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert!(
        keys[0].get("key").is_none(),
        "a listed key must not show its secret"
    );
    assert!(keys[0].get("hashedKey").is_none());
    assert_eq!(
        keys[0]["partialKey"],
        format!("plk_...{}", &key[key.len() - 4..])
    );
    let key_id = keys[0]["id"].as_str().unwrap();

    let revoked = call(
        &app,
        Method::DELETE,
        &format!("/programs/{program}/api-keys/{key_id}"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert!(revoked.body["revokedAt"].is_string());
    let after = call(
        &app,
        Method::GET,
        &format!("/programs/{program}"),
        Some(&key),
        None,
    )
    .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.error_code(), "unauthorized");
}

async fn another_programs_records_are_not_found(app: TestApp) {
    let (program_a, key_a) = program_with_key(&app, "a.example.com").await;
    let (program_b, _) = program_with_key(&app, "b.example.com").await;
    let admin_a = app.admin_token(&shared::types::ProgramId::parse(&program_a).unwrap());
    for credential in [&key_a, &admin_a] {
        let read = call(
            &app,
            Method::GET,
            &format!("/programs/{program_b}"),
            Some(credential),
            None,
        )
        .await;
        assert_eq!(read.status, StatusCode::NOT_FOUND);
        assert_eq!(read.error_code(), "not_found");
    }
    let mint = call(
        &app,
        Method::POST,
        &format!("/programs/{program_b}/api-keys"),
        Some(&admin_a),
        Some(json!({"name": "x", "scopes": ["apis.all"]})),
    )
    .await;
    assert_eq!(mint.status, StatusCode::NOT_FOUND);
    let listed = call(
        &app,
        Method::GET,
        &format!("/programs/{program_b}/api-keys"),
        Some(&admin_a),
        None,
    )
    .await;
    assert_eq!(listed.status, StatusCode::NOT_FOUND);
}

async fn missing_scope_is_forbidden_and_keys_cannot_mint_keys(app: TestApp) {
    let (program, _) = program_with_key(&app, "go.acme.com").await;
    let admin = app.admin_token(&shared::types::ProgramId::parse(&program).unwrap());
    let narrow = call(
        &app,
        Method::POST,
        &format!("/programs/{program}/api-keys"),
        Some(&admin),
        Some(json!({"name": "links", "scopes": ["links.read"]})),
    )
    .await;
    let narrow_key = narrow.body["key"].as_str().unwrap();
    let read = call(
        &app,
        Method::GET,
        &format!("/programs/{program}"),
        Some(narrow_key),
        None,
    )
    .await;
    assert_eq!(read.status, StatusCode::FORBIDDEN);
    assert_eq!(read.error_code(), "forbidden");
    let mint = call(
        &app,
        Method::POST,
        &format!("/programs/{program}/api-keys"),
        Some(narrow_key),
        Some(json!({"name": "x", "scopes": ["apis.all"]})),
    )
    .await;
    assert_eq!(mint.status, StatusCode::FORBIDDEN);
}

async fn only_platform_tokens_create_programs(app: TestApp) {
    let (program, key) = program_with_key(&app, "go.acme.com").await;
    let admin = app.admin_token(&shared::types::ProgramId::parse(&program).unwrap());
    for credential in [&key, &admin] {
        let created = call(
            &app,
            Method::POST,
            "/programs",
            Some(credential),
            Some(json!({"name": "X", "domain": "x.acme.com"})),
        )
        .await;
        assert_eq!(created.status, StatusCode::FORBIDDEN, "{}", created.body);
    }
}

async fn bad_input_gets_the_envelope_and_changes_nothing(app: TestApp) {
    let platform = app.platform_token();
    let cases = [
        (
            json!({"name": "X", "domain": "not a domain"}),
            "unprocessable_entity",
        ),
        (
            json!({"name": "", "domain": "x.acme.com"}),
            "unprocessable_entity",
        ),
        (
            json!({"name": "X", "domain": "x.acme.com", "currency": "xyz"}),
            "unprocessable_entity",
        ),
        (
            json!({"name": "X", "domain": "x.acme.com", "id": "prog_mine"}),
            "unprocessable_entity",
        ),
        (
            json!({"name": "X", "domain": "x.acme.com", "settings": {"defaultCommissionRate": 120}}),
            "unprocessable_entity",
        ),
        (
            json!({"name": "X", "domain": "x.acme.com", "settings": {"clickIdParam": "a b"}}),
            "unprocessable_entity",
        ),
    ];
    for (body, code) in cases {
        let created = call(
            &app,
            Method::POST,
            "/programs",
            Some(&platform),
            Some(body.clone()),
        )
        .await;
        assert_eq!(created.error_code(), code, "{body}");
    }
    let malformed = program_admin::handle(
        &app.ctx,
        http::Request::post("/programs")
            .header("authorization", format!("Bearer {platform}"))
            .header("content-type", "application/json")
            .body(b"{oops".to_vec())
            .unwrap(),
    )
    .await;
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let plain = program_admin::handle(
        &app.ctx,
        http::Request::post("/programs")
            .header("authorization", format!("Bearer {platform}"))
            .header("content-type", "text/plain")
            .body(br#"{"name":"Acme","domain":"x.acme.com"}"#.to_vec())
            .unwrap(),
    )
    .await;
    assert_eq!(plain.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = json!({"name": "x".repeat(70_000), "domain": "x.acme.com"});
    let too_big = call(&app, Method::POST, "/programs", Some(&platform), Some(huge)).await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    // None of it created anything: the domain is still free.
    let created = call(
        &app,
        Method::POST,
        "/programs",
        Some(&platform),
        Some(json!({"name": "X", "domain": "x.acme.com"})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let program = shared::types::ProgramId::parse(created.body["id"].as_str().unwrap()).unwrap();
    for limit in ["0", "101", "-1", "abc"] {
        let listed = call(
            &app,
            Method::GET,
            &format!("/programs/{program}/api-keys?limit={limit}"),
            Some(&app.admin_token(&program)),
            None,
        )
        .await;
        assert_eq!(listed.error_code(), "bad_request", "limit={limit}");
    }
}

async fn credentials_are_checked(app: TestApp) {
    let (program, _) = program_with_key(&app, "go.acme.com").await;
    let path = format!("/programs/{program}");
    let missing = call(&app, Method::GET, &path, None, None).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.error_code(), "unauthorized");
    for bad in ["plk_unknown", "not-a-jwt", "a.b.c"] {
        assert_eq!(
            call(&app, Method::GET, &path, Some(bad), None).await.status,
            StatusCode::UNAUTHORIZED,
            "{bad}"
        );
    }
}

async fn unknown_routes_and_methods(app: TestApp) {
    assert_eq!(
        call(&app, Method::GET, "/nowhere", None, None)
            .await
            .error_code(),
        "not_found"
    );
    assert_eq!(
        call(&app, Method::PUT, "/programs", None, None)
            .await
            .error_code(),
        "method_not_allowed"
    );
}

async fn changes_are_audited_and_relayed_through_the_outbox(app: TestApp) {
    let (program, _) = program_with_key(&app, "go.acme.com").await;
    let relay = shared::outbox::OutboxRelay::new(app.store.clone(), app.events.clone());
    // Eventually consistent index on DynamoDB: drain until all three events are out.
    let mut events = Vec::new();
    for _ in 0..50 {
        relay.drain().await.expect("relay");
        for message in app
            .events
            .receive(10, std::time::Duration::from_millis(100))
            .await
            .expect("receive")
        {
            events.push(serde_json::from_str::<serde_json::Value>(&message.body).unwrap());
        }
        if events.len() >= 3 {
            break;
        }
    }
    let mut names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    names.sort();
    // The default group is created with the program.
    assert_eq!(
        names,
        ["api_key.created", "group.created", "program.created"]
    );
    assert_eq!(events.len(), 3, "{events:?}");
    for event in &events {
        assert!(event["id"].as_str().unwrap().starts_with("evt_"));
        assert!(event["createdAt"].is_string());
        assert!(event["data"].is_object());
    }
    assert!(
        events
            .iter()
            .all(|e| e["data"].get("key").is_none() || e["data"]["key"].is_null()),
        "no secret in events"
    );
    let program_event = events
        .iter()
        .find(|e| e["event"] == "program.created")
        .expect("program.created");
    assert_eq!(program_event["data"]["id"], program.as_str());
    // Relayed once: a second drain sends nothing more.
    relay.drain().await.expect("relay");
    assert!(
        app.events
            .receive(10, std::time::Duration::from_millis(200))
            .await
            .unwrap()
            .is_empty()
    );
}
