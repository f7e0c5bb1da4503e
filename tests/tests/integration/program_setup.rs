//! Program setup over both engines: settings, groups, rewards, discounts and move rules, with
//! their validation, isolation between programs, scopes and audit events.

use http::{Method, StatusCode};
use integration_tests::app::{Reply, TestApp, reply, request};
use integration_tests::engine_tests;
use serde_json::{Value, json};
use shared::store::{Query, get_s};
use shared::types::ProgramId;

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    credential: &str,
    body: Option<Value>,
) -> Reply {
    reply(program_admin::handle(&app.ctx, request(method, path, Some(credential), body)).await)
}

/// A program with its admin token and an all-scopes key.
struct Setup {
    program: String,
    admin: String,
    key: String,
}

impl Setup {
    fn path(&self, rest: &str) -> String {
        format!("/programs/{}{rest}", self.program)
    }
}

async fn program(app: &TestApp, domain: &str, settings: Value) -> Setup {
    let created = call(
        app,
        Method::POST,
        "/programs",
        &app.platform_token(),
        Some(json!({"name": "Acme", "domain": domain, "settings": settings})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let program = created.body["id"].as_str().unwrap().to_owned();
    let admin = app.admin_token(&ProgramId::parse(&program).unwrap());
    let key = key_with(app, &program, &admin, json!(["apis.all"])).await;
    Setup {
        program,
        admin,
        key,
    }
}

async fn key_with(app: &TestApp, program: &str, admin: &str, scopes: Value) -> String {
    let key = call(
        app,
        Method::POST,
        &format!("/programs/{program}/api-keys"),
        admin,
        Some(json!({"name": "k", "scopes": scopes})),
    )
    .await;
    assert_eq!(key.status, StatusCode::CREATED, "{}", key.body);
    key.body["key"].as_str().unwrap().to_owned()
}

/// How many events of this name the program's audit trail holds.
async fn events(app: &TestApp, setup: &Setup, name: &str) -> usize {
    let program = ProgramId::parse(&setup.program).unwrap();
    let page = app
        .store
        .query(Query::table(shared::layout::events_pk(&program)).consistent())
        .await
        .unwrap();
    assert!(page.next.is_none(), "more events than one page");
    page.items
        .iter()
        .filter(|item| get_s(item, "event") == Some(name))
        .count()
}

async fn create_group(app: &TestApp, setup: &Setup, body: Value) -> Value {
    let created = call(
        app,
        Method::POST,
        &setup.path("/groups"),
        &setup.key,
        Some(body),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body
}

async fn group(app: &TestApp, setup: &Setup, id: &str) -> Reply {
    call(
        app,
        Method::GET,
        &setup.path(&format!("/groups/{id}")),
        &setup.admin,
        None,
    )
    .await
}

async fn all_groups(app: &TestApp, setup: &Setup) -> Vec<Value> {
    let listed = call(
        app,
        Method::GET,
        &setup.path("/groups?limit=100"),
        &setup.admin,
        None,
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    listed.body["data"].as_array().unwrap().clone()
}

async fn default_group(app: &TestApp, setup: &Setup) -> Value {
    all_groups(app, setup)
        .await
        .into_iter()
        .find(|g| g["slug"] == "default")
        .expect("a default group")
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

const SALE_20: fn() -> Value =
    || json!({"event": "sale", "type": "percentage", "amountInPercentage": 20});

engine_tests!(
    a_new_program_has_an_undeletable_default_group,
    groups_are_created_listed_read_changed_and_deleted,
    group_input_is_checked_and_slugs_are_unique,
    rewards_are_created_replaced_by_new_ids_and_deleted,
    invalid_rewards_are_refused_and_change_nothing,
    a_group_has_one_discount,
    move_rules_are_checked_and_protect_their_targets,
    program_settings_change_partially_with_optimistic_locking,
    another_programs_setup_is_not_found,
    writes_need_the_programs_write_scope
);

async fn a_new_program_has_an_undeletable_default_group(app: TestApp) {
    let setup = program(&app, "go.acme.com", json!({})).await;
    let groups = all_groups(&app, &setup).await;
    assert_eq!(groups.len(), 1, "{groups:?}");
    let default = &groups[0];
    assert_eq!(default["slug"], "default");
    assert!(default["id"].as_str().unwrap().starts_with("grp_"));
    assert_eq!(default["rewards"], json!([]));
    assert_eq!(default["holdingPeriodDays"], 30);
    assert_eq!(events(&app, &setup, "group.created").await, 1);

    let deleted = call(
        &app,
        Method::DELETE,
        &setup.path(&format!("/groups/{}", id(default))),
        &setup.admin,
        None,
    )
    .await;
    assert_eq!(
        deleted.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        deleted.body
    );
    assert_eq!(&default_group(&app, &setup).await, default);
    assert_eq!(events(&app, &setup, "group.deleted").await, 0);
    let renamed = call(
        &app,
        Method::PATCH,
        &setup.path(&format!("/groups/{}", id(default))),
        &setup.admin,
        Some(json!({"slug": "main"})),
    )
    .await;
    assert_eq!(renamed.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The program's holding period when it is one a group may have, else 30.
    let seven = program(&app, "seven.acme.com", json!({"holdingPeriodDays": 7})).await;
    assert_eq!(default_group(&app, &seven).await["holdingPeriodDays"], 7);
    let odd = program(&app, "odd.acme.com", json!({"holdingPeriodDays": 45})).await;
    assert_eq!(default_group(&app, &odd).await["holdingPeriodDays"], 30);
}

async fn groups_are_created_listed_read_changed_and_deleted(app: TestApp) {
    let setup = program(&app, "go.acme.com", json!({})).await;
    let vip = create_group(&app, &setup, json!({"name": "Top Affiliates", "holdingPeriodDays": 14, "autoApprove": true, "maxLinksPerPartner": 5})).await;
    assert!(vip["id"].as_str().unwrap().starts_with("grp_"));
    assert_eq!(vip["slug"], "top-affiliates");
    assert_eq!(vip["holdingPeriodDays"], 14);
    assert_eq!(vip["autoApprove"], true);
    assert_eq!(vip["maxLinksPerPartner"], 5);
    assert_eq!(vip["version"], 1);
    let read = group(&app, &setup, &id(&vip)).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body, vip);

    // Pages of one: default, then the new group, then nothing.
    let first = call(
        &app,
        Method::GET,
        &setup.path("/groups?limit=1"),
        &setup.key,
        None,
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(first.body["data"][0]["slug"], "default");
    let cursor = first.body["nextCursor"].as_str().expect("a cursor");
    let second = call(
        &app,
        Method::GET,
        &setup.path(&format!("/groups?limit=1&cursor={cursor}")),
        &setup.key,
        None,
    )
    .await;
    assert_eq!(second.body["data"][0]["id"], vip["id"]);
    let mut seen = 2;
    if let Some(cursor) = second.body["nextCursor"].as_str() {
        let third = call(
            &app,
            Method::GET,
            &setup.path(&format!("/groups?limit=1&cursor={cursor}")),
            &setup.key,
            None,
        )
        .await;
        seen += third.body["data"].as_array().unwrap().len();
    }
    assert_eq!(seen, 2);

    let changed = call(
        &app,
        Method::PATCH,
        &setup.path(&format!("/groups/{}", id(&vip))),
        &setup.key,
        Some(json!({"name": "VIP", "slug": "vip", "holdingPeriodDays": 60})),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["name"], "VIP");
    assert_eq!(changed.body["slug"], "vip");
    assert_eq!(changed.body["holdingPeriodDays"], 60);
    assert_eq!(changed.body["autoApprove"], true);
    assert_eq!(changed.body["version"], 2);
    assert_eq!(group(&app, &setup, &id(&vip)).await.body, changed.body);
    // The old slug was released, the new one is taken.
    create_group(
        &app,
        &setup,
        json!({"name": "Again", "slug": "top-affiliates"}),
    )
    .await;
    let taken = call(
        &app,
        Method::POST,
        &setup.path("/groups"),
        &setup.key,
        Some(json!({"name": "X", "slug": "vip"})),
    )
    .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);

    let deleted = call(
        &app,
        Method::DELETE,
        &setup.path(&format!("/groups/{}", id(&vip))),
        &setup.key,
        None,
    )
    .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert_eq!(
        group(&app, &setup, &id(&vip)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(
            &app,
            Method::DELETE,
            &setup.path(&format!("/groups/{}", id(&vip))),
            &setup.key,
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // Its slug is free again.
    create_group(&app, &setup, json!({"name": "VIP", "slug": "vip"})).await;

    assert_eq!(events(&app, &setup, "group.created").await, 4);
    assert_eq!(events(&app, &setup, "group.updated").await, 1);
    assert_eq!(events(&app, &setup, "group.deleted").await, 1);
}

async fn group_input_is_checked_and_slugs_are_unique(app: TestApp) {
    let setup = program(&app, "go.acme.com", json!({})).await;
    let vip = create_group(&app, &setup, json!({"name": "VIP", "slug": "vip"})).await;
    let conflict = call(
        &app,
        Method::POST,
        &setup.path("/groups"),
        &setup.key,
        Some(json!({"name": "Other", "slug": "vip"})),
    )
    .await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert_eq!(conflict.error_code(), "conflict");
    let other = create_group(&app, &setup, json!({"name": "Other"})).await;
    let renamed = call(
        &app,
        Method::PATCH,
        &setup.path(&format!("/groups/{}", id(&other))),
        &setup.key,
        Some(json!({"slug": "default"})),
    )
    .await;
    assert_eq!(renamed.status, StatusCode::CONFLICT);
    for body in [
        json!({"name": "X", "slug": "Bad Slug"}),
        json!({"name": "X", "slug": "a_b"}),
        json!({"name": ""}),
        json!({"name": "!!!"}),
        json!({"name": "X", "holdingPeriodDays": 45}),
        json!({"name": "X", "maxLinksPerPartner": 0}),
        json!({"name": "X", "color": "red"}),
        json!({"slug": "x"}),
    ] {
        let refused = call(
            &app,
            Method::POST,
            &setup.path("/groups"),
            &setup.key,
            Some(body.clone()),
        )
        .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            refused.body
        );
        assert_eq!(refused.error_code(), "unprocessable_entity");
    }
    for body in [
        json!({"holdingPeriodDays": 1}),
        json!({"slug": "-x"}),
        json!({"name": " "}),
        json!({"rewards": []}),
    ] {
        let refused = call(
            &app,
            Method::PATCH,
            &setup.path(&format!("/groups/{}", id(&vip))),
            &setup.key,
            Some(body.clone()),
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    let huge = json!({"name": "x".repeat(70_000)});
    assert_eq!(
        call(
            &app,
            Method::POST,
            &setup.path("/groups"),
            &setup.key,
            Some(huge)
        )
        .await
        .status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // Nothing changed: three groups, the VIP group as created, three creation events.
    assert_eq!(all_groups(&app, &setup).await.len(), 3);
    assert_eq!(group(&app, &setup, &id(&vip)).await.body, vip);
    assert_eq!(events(&app, &setup, "group.created").await, 3);
    assert_eq!(events(&app, &setup, "group.updated").await, 0);
}

async fn rewards_are_created_replaced_by_new_ids_and_deleted(app: TestApp) {
    let setup = program(&app, "go.acme.com", json!({})).await;
    let default = id(&default_group(&app, &setup).await);
    let rewards = setup.path(&format!("/groups/{default}/rewards"));
    let sale = call(&app, Method::POST, &rewards, &setup.key, Some(SALE_20())).await;
    assert_eq!(sale.status, StatusCode::CREATED, "{}", sale.body);
    assert!(sale.body["id"].as_str().unwrap().starts_with("rw_"));
    assert_eq!(sale.body["amountInPercentage"], 20);
    assert_eq!(sale.body["maxDuration"], Value::Null);
    let read = group(&app, &setup, &default).await.body;
    assert_eq!(read["rewards"], json!([sale.body]));
    assert_eq!(read["version"], 2);

    let again = call(
        &app,
        Method::POST,
        &rewards,
        &setup.key,
        Some(json!({"event": "sale", "type": "flat", "amountInCents": 500})),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);

    let modifiers = json!([{"conditions": [{"entity": "customer", "attribute": "country", "operator": "in", "value": ["US", "CA"]}, {"entity": "sale", "attribute": "amount", "operator": "greater_than", "value": 10000}], "type": "percentage", "amountInCents": null, "amountInPercentage": 30}]);
    let lead = call(&app, Method::POST, &rewards, &setup.admin, Some(json!({"event": "lead", "type": "flat", "amountInCents": 0, "description": "500 free credits", "tooltip": "**Credits** on signup", "modifiers": modifiers}))).await;
    assert_eq!(lead.status, StatusCode::CREATED, "{}", lead.body);
    assert_eq!(lead.body["modifiers"], modifiers);

    let old_id = id(&sale.body);
    let patched = call(
        &app,
        Method::PATCH,
        &format!("{rewards}/{old_id}"),
        &setup.key,
        Some(json!({"amountInPercentage": 25, "maxDuration": 12})),
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let new_id = id(&patched.body);
    assert_ne!(new_id, old_id, "a changed reward gets a fresh id");
    assert_eq!(patched.body["amountInPercentage"], 25);
    assert_eq!(patched.body["maxDuration"], 12);
    assert_eq!(patched.body["event"], "sale");
    let read = group(&app, &setup, &default).await.body;
    let ids: Vec<&str> = read["rewards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [new_id.as_str(), lead.body["id"].as_str().unwrap()]);
    assert_eq!(read["rewards"][1], lead.body);
    // The old id is gone from the group.
    let stale = call(
        &app,
        Method::PATCH,
        &format!("{rewards}/{old_id}"),
        &setup.key,
        Some(json!({"amountInPercentage": 5})),
    )
    .await;
    assert_eq!(stale.status, StatusCode::NOT_FOUND);
    // A PATCH that changes nothing keeps the reward as it is.
    let same = call(
        &app,
        Method::PATCH,
        &format!("{rewards}/{new_id}"),
        &setup.key,
        Some(json!({"amountInPercentage": 25})),
    )
    .await;
    assert_eq!(same.body, patched.body);
    // `null` clears the duration back to lifetime.
    let lifetime = call(
        &app,
        Method::PATCH,
        &format!("{rewards}/{new_id}"),
        &setup.key,
        Some(json!({"maxDuration": null})),
    )
    .await;
    assert_eq!(lifetime.status, StatusCode::OK);
    assert_eq!(lifetime.body["maxDuration"], Value::Null);
    assert_eq!(lifetime.body["amountInPercentage"], 25);

    let deleted = call(
        &app,
        Method::DELETE,
        &format!("{rewards}/{}", id(&lifetime.body)),
        &setup.key,
        None,
    )
    .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        call(
            &app,
            Method::DELETE,
            &format!("{rewards}/{}", id(&lifetime.body)),
            &setup.key,
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let read = group(&app, &setup, &default).await.body;
    assert_eq!(read["rewards"], json!([lead.body]));
    assert_eq!(read["version"], 6);
    // A sale reward can be created again once the old one is gone.
    assert_eq!(
        call(&app, Method::POST, &rewards, &setup.key, Some(SALE_20()))
            .await
            .status,
        StatusCode::CREATED
    );

    assert_eq!(events(&app, &setup, "reward.created").await, 3);
    assert_eq!(events(&app, &setup, "reward.updated").await, 2);
    assert_eq!(events(&app, &setup, "reward.deleted").await, 1);
}

async fn invalid_rewards_are_refused_and_change_nothing(app: TestApp) {
    let setup = program(&app, "go.acme.com", json!({})).await;
    let default = id(&default_group(&app, &setup).await);
    let rewards = setup.path(&format!("/groups/{default}/rewards"));
    let sale = call(&app, Method::POST, &rewards, &setup.key, Some(SALE_20())).await;
    assert_eq!(sale.status, StatusCode::CREATED);
    let before = group(&app, &setup, &default).await.body;
    let cases = [
        json!({"event": "lead", "type": "percentage", "amountInPercentage": 101}),
        json!({"event": "click", "type": "percentage", "amountInPercentage": 10}),
        json!({"event": "lead", "type": "flat", "amountInCents": -1}),
        json!({"event": "lead", "type": "percentage", "amountInPercentage": -5}),
        json!({"event": "lead", "type": "flat"}),
        json!({"event": "lead", "type": "flat", "amountInPercentage": 10}),
        json!({"event": "click", "type": "flat", "amountInCents": 10, "maxDuration": 3}),
        json!({"event": "lead", "type": "flat", "amountInCents": 100, "amountInPercentage": 10}),
        json!({"event": "lead", "type": "flat", "amountInCents": 0}),
        json!({"event": "lead", "type": "flat", "amountInCents": 0, "description": "  "}),
        json!({"event": "lead", "type": "percentage", "amountInPercentage": 0}),
        json!({"event": "lead", "type": "flat", "amountInCents": 100, "tooltip": "x".repeat(2001)}),
        json!({"event": "lead", "type": "flat", "amountInCents": 100, "modifiers": [{"conditions": [], "type": "flat", "amountInCents": 1}]}),
        json!({"event": "lead", "type": "flat", "amountInCents": 100, "modifiers": [{"conditions": [{"entity": "order", "attribute": "a", "operator": "in", "value": "x"}], "type": "flat", "amountInCents": 1}]}),
        json!({"event": "lead", "type": "flat", "amountInCents": 100, "modifiers": [{"conditions": [{"entity": "sale", "attribute": "a", "operator": "equals_to", "value": 1}], "type": "flat", "amountInCents": -1}]}),
        json!({"event": "lead", "type": "flat", "amountInCents": 100, "modifiers": [{"conditions": [{"entity": "sale", "attribute": "a", "operator": "equals_to", "value": 1}], "type": "percentage", "amountInPercentage": 200}]}),
        json!({"event": "lead", "type": "flat", "amountInCents": 100, "bonus": true}),
        json!({"event": "signup", "type": "flat", "amountInCents": 100}),
    ];
    for body in cases {
        let refused = call(&app, Method::POST, &rewards, &setup.key, Some(body.clone())).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            refused.body
        );
        assert_eq!(refused.error_code(), "unprocessable_entity");
    }
    let sale_path = format!("{rewards}/{}", id(&sale.body));
    for body in [
        json!({"amountInPercentage": 120}),
        json!({"type": "flat"}),
        json!({"amountInCents": 100}),
        json!({"event": "lead"}),
        json!({"amountInPercentage": 0}),
    ] {
        let refused = call(
            &app,
            Method::PATCH,
            &sale_path,
            &setup.key,
            Some(body.clone()),
        )
        .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            refused.body
        );
    }
    let huge = json!({"event": "lead", "type": "flat", "amountInCents": 1, "description": "x".repeat(70_000)});
    assert_eq!(
        call(&app, Method::POST, &rewards, &setup.key, Some(huge))
            .await
            .status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(group(&app, &setup, &default).await.body, before);
    assert_eq!(events(&app, &setup, "reward.created").await, 1);
    assert_eq!(events(&app, &setup, "reward.updated").await, 0);
    // A reward of 0 with a description is a valid non-monetary reward.
    let credits = call(&app, Method::POST, &rewards, &setup.key, Some(json!({"event": "lead", "type": "flat", "amountInCents": 0, "description": "500 free credits"}))).await;
    assert_eq!(credits.status, StatusCode::CREATED, "{}", credits.body);
}

async fn a_group_has_one_discount(app: TestApp) {
    let setup = program(&app, "go.acme.com", json!({})).await;
    let default = id(&default_group(&app, &setup).await);
    let path = setup.path(&format!("/groups/{default}/discount"));
    let set = call(
        &app,
        Method::PUT,
        &path,
        &setup.key,
        Some(json!({"amount": 10, "type": "percentage", "maxDuration": 3, "couponId": "SAVE10"})),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert!(set.body["id"].as_str().unwrap().starts_with("disc_"));
    assert_eq!(
        group(&app, &setup, &default).await.body["discount"],
        set.body
    );
    let replaced = call(
        &app,
        Method::PUT,
        &path,
        &setup.key,
        Some(json!({"amount": 500, "type": "flat"})),
    )
    .await;
    assert_eq!(replaced.status, StatusCode::OK);
    assert_ne!(replaced.body["id"], set.body["id"]);
    assert_eq!(replaced.body["couponId"], Value::Null);
    let before = group(&app, &setup, &default).await.body;
    assert_eq!(before["discount"], replaced.body);
    for body in [
        json!({"amount": 150, "type": "percentage"}),
        json!({"amount": -1, "type": "flat"}),
        json!({"amount": 0, "type": "flat"}),
        json!({"amount": 5, "type": "flat", "code": "x"}),
        json!({"type": "flat"}),
        json!({"amount": 5, "type": "flat", "couponId": ""}),
    ] {
        let refused = call(&app, Method::PUT, &path, &setup.key, Some(body.clone())).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            refused.body
        );
    }
    assert_eq!(group(&app, &setup, &default).await.body, before);
    let deleted = call(&app, Method::DELETE, &path, &setup.key, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        group(&app, &setup, &default).await.body["discount"],
        Value::Null
    );
    assert_eq!(
        call(&app, Method::DELETE, &path, &setup.key, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(events(&app, &setup, "discount.updated").await, 2);
    assert_eq!(events(&app, &setup, "discount.deleted").await, 1);
}

async fn move_rules_are_checked_and_protect_their_targets(app: TestApp) {
    let setup = program(&app, "go.acme.com", json!({})).await;
    let other = program(&app, "other.acme.com", json!({})).await;
    let default = id(&default_group(&app, &setup).await);
    let foreign = id(&default_group(&app, &other).await);
    let referral = id(&create_group(&app, &setup, json!({"name": "Referral"})).await);
    let vip = id(&create_group(&app, &setup, json!({"name": "VIP"})).await);
    let rules_of = |group: &str| setup.path(&format!("/groups/{group}/move-rules"));
    let leads = json!({"metric": "totalLeads", "operator": "gte", "value": 10});
    let sales =
        json!({"metric": "totalSaleAmount", "operator": "between", "min": 100, "max": 5000});

    let set = call(
        &app,
        Method::PUT,
        &rules_of(&referral),
        &setup.key,
        Some(json!({"rules": [{"conditions": [leads, sales], "targetGroupId": vip}]})),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let rules = set.body["moveRules"].as_array().unwrap();
    assert_eq!(rules.len(), 1);
    assert!(rules[0]["id"].as_str().unwrap().starts_with("gmr_"));
    assert_eq!(rules[0]["conditions"], json!([leads, sales]));
    assert_eq!(rules[0]["targetGroupId"], vip.as_str());
    assert_eq!(group(&app, &setup, &referral).await.body, set.body);

    // The same set of conditions, in another order, in another group.
    let duplicate = call(
        &app,
        Method::PUT,
        &rules_of(&default),
        &setup.key,
        Some(json!({"rules": [{"conditions": [sales, leads], "targetGroupId": vip}]})),
    )
    .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT, "{}", duplicate.body);
    // A group that partners graduate to cannot be deleted.
    let delete_vip = call(
        &app,
        Method::DELETE,
        &setup.path(&format!("/groups/{vip}")),
        &setup.key,
        None,
    )
    .await;
    assert_eq!(
        delete_vip.status,
        StatusCode::CONFLICT,
        "{}",
        delete_vip.body
    );

    let before = group(&app, &setup, &default).await.body;
    let bad = |conditions: Value, target: &str| json!({"rules": [{"conditions": conditions, "targetGroupId": target}]});
    for body in [
        bad(json!([]), &vip),
        bad(
            json!([leads, {"metric": "totalLeads", "operator": "gte", "value": 3}]),
            &vip,
        ),
        bad(
            json!([{"metric": "totalLeads", "operator": "gte", "value": -1}]),
            &vip,
        ),
        bad(
            json!([{"metric": "totalSaleAmount", "operator": "between", "min": 9, "max": 1}]),
            &vip,
        ),
        bad(
            json!([{"metric": "totalSaleAmount", "operator": "between", "min": -5, "max": 1}]),
            &vip,
        ),
        bad(
            json!([{"metric": "totalClicks", "operator": "gte", "value": 1}]),
            &vip,
        ),
        bad(
            json!([{"metric": "totalLeads", "operator": "lte", "value": 1}]),
            &vip,
        ),
        bad(json!([{"metric": "totalLeads", "operator": "gte"}]), &vip),
        bad(
            json!([{"metric": "totalCommissions", "operator": "gte", "value": 1}]),
            &default,
        ),
        bad(
            json!([{"metric": "totalCommissions", "operator": "gte", "value": 1}]),
            "grp_missing",
        ),
        bad(
            json!([{"metric": "totalCommissions", "operator": "gte", "value": 1}]),
            &foreign,
        ),
        json!({"rules": [{"conditions": [{"metric": "totalConversions", "operator": "gte", "value": 1}], "targetGroupId": vip}, {"conditions": [{"metric": "totalConversions", "operator": "gte", "value": 1}], "targetGroupId": referral}]}),
        json!({"rules": [], "extra": 1}),
    ] {
        let refused = call(
            &app,
            Method::PUT,
            &rules_of(&default),
            &setup.key,
            Some(body.clone()),
        )
        .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            refused.body
        );
    }
    assert_eq!(group(&app, &setup, &default).await.body, before);
    assert_eq!(events(&app, &setup, "group.move_rules_updated").await, 1);

    // Clearing the rules frees the target.
    let cleared = call(
        &app,
        Method::PUT,
        &rules_of(&referral),
        &setup.key,
        Some(json!({"rules": []})),
    )
    .await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(cleared.body["moveRules"], json!([]));
    let deleted = call(
        &app,
        Method::DELETE,
        &setup.path(&format!("/groups/{vip}")),
        &setup.key,
        None,
    )
    .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert_eq!(events(&app, &setup, "group.move_rules_updated").await, 2);
}

async fn program_settings_change_partially_with_optimistic_locking(app: TestApp) {
    let setup = program(&app, "go.acme.com", json!({})).await;
    let path = setup.path("");
    let changed = call(&app, Method::PATCH, &path, &setup.key, Some(json!({"name": "Acme Partners", "settings": {"holdingPeriodDays": 7, "defaultCommissionRate": 12.5}, "version": 1}))).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["name"], "Acme Partners");
    assert_eq!(changed.body["version"], 2);
    assert_eq!(
        changed.body["settings"],
        json!({"defaultCommissionRate": 12.5, "holdingPeriodDays": 7, "minPayoutAmount": 5000, "payoutRail": "manual", "payoutSchedule": {"frequency": "manual"}, "attributionWindowDays": 30, "clickIdParam": "dub_id"})
    );
    let stale = call(
        &app,
        Method::PATCH,
        &path,
        &setup.admin,
        Some(json!({"name": "Old", "version": 1})),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    for body in [
        json!({"settings": {"holdingPeriodDays": 45}}),
        json!({"settings": {"attributionWindowDays": 0}}),
        json!({"settings": {"attributionWindowDays": 366}}),
        json!({"settings": {"minPayoutAmount": -1}}),
        json!({"settings": {"clickIdParam": "a b"}}),
        json!({"settings": {"clickIdParam": ""}}),
        json!({"settings": {"defaultCommissionRate": 101}}),
        json!({"settings": {"payoutDay": 1}}),
        json!({"name": ""}),
        json!({"domain": "x.acme.com"}),
    ] {
        let refused = call(&app, Method::PATCH, &path, &setup.admin, Some(body.clone())).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            refused.body
        );
    }
    let huge = json!({"name": "x".repeat(70_000)});
    assert_eq!(
        call(&app, Method::PATCH, &path, &setup.admin, Some(huge))
            .await
            .status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let read = call(&app, Method::GET, &path, &setup.admin, None).await;
    assert_eq!(read.body, changed.body);
    let edges = call(&app, Method::PATCH, &path, &setup.admin, Some(json!({"settings": {"attributionWindowDays": 365, "minPayoutAmount": 0, "clickIdParam": "ref_id-2", "holdingPeriodDays": 0}}))).await;
    assert_eq!(edges.status, StatusCode::OK, "{}", edges.body);
    assert_eq!(edges.body["version"], 3);
    assert_eq!(edges.body["settings"]["defaultCommissionRate"], 12.5);
    assert_eq!(events(&app, &setup, "program.updated").await, 2);
}

async fn another_programs_setup_is_not_found(app: TestApp) {
    let a = program(&app, "a.acme.com", json!({})).await;
    let b = program(&app, "b.acme.com", json!({})).await;
    let b_group = id(&default_group(&app, &b).await);
    let reward = call(
        &app,
        Method::POST,
        &b.path(&format!("/groups/{b_group}/rewards")),
        &b.key,
        Some(SALE_20()),
    )
    .await;
    let reward = id(&reward.body);
    let b_before = all_groups(&app, &b).await;
    let paths = [
        (Method::PATCH, b.path(""), Some(json!({"name": "Mine"}))),
        (Method::GET, b.path("/groups"), None),
        (
            Method::POST,
            b.path("/groups"),
            Some(json!({"name": "Mine"})),
        ),
        (Method::GET, b.path(&format!("/groups/{b_group}")), None),
        (
            Method::PATCH,
            b.path(&format!("/groups/{b_group}")),
            Some(json!({"name": "Mine"})),
        ),
        (
            Method::POST,
            b.path(&format!("/groups/{b_group}/rewards")),
            Some(json!({"event": "lead", "type": "flat", "amountInCents": 1})),
        ),
        (
            Method::PATCH,
            b.path(&format!("/groups/{b_group}/rewards/{reward}")),
            Some(json!({"amountInPercentage": 1})),
        ),
        (
            Method::DELETE,
            b.path(&format!("/groups/{b_group}/rewards/{reward}")),
            None,
        ),
        (
            Method::PUT,
            b.path(&format!("/groups/{b_group}/discount")),
            Some(json!({"amount": 5, "type": "flat"})),
        ),
        (
            Method::DELETE,
            b.path(&format!("/groups/{b_group}/discount")),
            None,
        ),
        (
            Method::PUT,
            b.path(&format!("/groups/{b_group}/move-rules")),
            Some(json!({"rules": []})),
        ),
        // B's group under A's program id.
        (Method::GET, a.path(&format!("/groups/{b_group}")), None),
        (
            Method::POST,
            a.path(&format!("/groups/{b_group}/rewards")),
            Some(json!({"event": "lead", "type": "flat", "amountInCents": 1})),
        ),
        (
            Method::DELETE,
            a.path(&format!("/groups/{b_group}/rewards/{reward}")),
            None,
        ),
    ];
    for credential in [&a.key, &a.admin] {
        for (method, path, body) in &paths {
            let refused = call(&app, method.clone(), path, credential, body.clone()).await;
            assert_eq!(
                refused.status,
                StatusCode::NOT_FOUND,
                "{method} {path}: {}",
                refused.body
            );
            assert_eq!(refused.error_code(), "not_found");
        }
    }
    assert_eq!(all_groups(&app, &b).await, b_before);
    assert_eq!(
        call(&app, Method::GET, &b.path(""), &b.admin, None)
            .await
            .body["name"],
        "Acme"
    );
}

async fn writes_need_the_programs_write_scope(app: TestApp) {
    let setup = program(&app, "go.acme.com", json!({})).await;
    let default = id(&default_group(&app, &setup).await);
    let reader = key_with(&app, &setup.program, &setup.admin, json!(["programs.read"])).await;
    let writer = key_with(
        &app,
        &setup.program,
        &setup.admin,
        json!(["programs.write"]),
    )
    .await;
    let partners = key_with(&app, &setup.program, &setup.admin, json!(["partners.read"])).await;
    let listed = call(&app, Method::GET, &setup.path("/groups"), &reader, None).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(
        call(
            &app,
            Method::GET,
            &setup.path(&format!("/groups/{default}")),
            &reader,
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        call(&app, Method::GET, &setup.path("/groups"), &partners, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let writes = [
        (Method::PATCH, setup.path(""), Some(json!({"name": "Mine"}))),
        (
            Method::POST,
            setup.path("/groups"),
            Some(json!({"name": "Mine"})),
        ),
        (
            Method::PATCH,
            setup.path(&format!("/groups/{default}")),
            Some(json!({"name": "Mine"})),
        ),
        (
            Method::POST,
            setup.path(&format!("/groups/{default}/rewards")),
            Some(SALE_20()),
        ),
        (
            Method::PUT,
            setup.path(&format!("/groups/{default}/discount")),
            Some(json!({"amount": 5, "type": "flat"})),
        ),
        (
            Method::PUT,
            setup.path(&format!("/groups/{default}/move-rules")),
            Some(json!({"rules": []})),
        ),
    ];
    for (method, path, body) in &writes {
        let refused = call(&app, method.clone(), path, &reader, body.clone()).await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            refused.body
        );
        assert_eq!(refused.error_code(), "forbidden");
    }
    assert_eq!(all_groups(&app, &setup).await.len(), 1);
    assert_eq!(events(&app, &setup, "group.updated").await, 0);
    // A key with `programs.write` may set a program up.
    for (method, path, body) in &writes {
        let allowed = call(&app, method.clone(), path, &writer, body.clone()).await;
        assert!(
            allowed.status.is_success(),
            "{method} {path}: {}",
            allowed.body
        );
    }
    assert_eq!(all_groups(&app, &setup).await.len(), 2);
}
