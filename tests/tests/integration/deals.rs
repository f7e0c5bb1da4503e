//! StackBE's deal registration over both engines: a registered deal attributes a lead without
//! a click, a click beats the deal, and the first registration of an email wins. Partners
//! register in their own session, only for themselves, with idempotency keys of their own.

use http::StatusCode;
use integration_tests::app::{Reply, TestApp};
use integration_tests::engine_tests;
use integration_tests::tracking_world::{TestPartner, TrackingProgram, track};
use serde_json::{Value, json};
use shared::auth::Scope;
use shared::context::AppContext;
use shared::model::Actor;
use shared::portal::{IssueSession, RevokeSession};
use shared::store::{Consistency, Query, get_s};
use shared::types::Email;
use std::sync::Arc;

const DEALS: &str = "/v1/affiliate/deals";

/// A program whose default group pays $3 per lead, with two partners.
async fn program_with_partners(app: &TestApp) -> (TrackingProgram, TestPartner, TestPartner) {
    let world = TrackingProgram::create(app, "go.deals.test").await;
    world
        .pay_per_lead(&app.ctx, &world.default_group, 300)
        .await;
    let jane = world.partner(&app.ctx, "JANE", &world.default_group).await;
    let bob = world.partner(&app.ctx, "BOB", &world.default_group).await;
    (world, jane, bob)
}

async fn register(
    ctx: &AppContext,
    key: &str,
    body: Value,
    idempotency_key: Option<&str>,
) -> Reply {
    track(ctx, key, DEALS, body, idempotency_key).await
}

fn deal_for(partner: &TestPartner, email: &str) -> Value {
    json!({"leadEmail": email, "leadName": "John Smith", "notes": "Met at conference",
           "partnerId": partner.id})
}

async fn lead_without_click(
    ctx: &AppContext,
    world: &TrackingProgram,
    customer: &str,
    email: &str,
) -> Reply {
    track(
        ctx,
        &world.key,
        "/track/lead",
        json!({"eventName": "Sign up", "customerExternalId": customer, "customerEmail": email}),
        None,
    )
    .await
}

/// A session token for `partner`, as the business's backend gets it.
async fn session_of(app: &TestApp, world: &TrackingProgram, partner: &TestPartner) -> String {
    let input = IssueSession {
        partner_id: Some(partner.id.to_string()),
        ..IssueSession::default()
    };
    shared::portal::issue_session(&app.ctx, &world.admin, input)
        .await
        .expect("issue a session")
        .token
}

/// StackBE's `registerDeal` body: no partner named, the session says who.
fn own_deal(email: &str) -> Value {
    json!({"leadEmail": email, "leadName": "John Smith", "notes": "Met at conference"})
}

/// The partner holding the deal of `email`, if one is registered.
async fn deal_holder(app: &TestApp, world: &TrackingProgram, email: &str) -> Option<String> {
    let email = Email::parse(email).unwrap();
    shared::conversions::find_deal(
        app.ctx.store.as_ref(),
        &world.program.id,
        &email,
        Consistency::Strong,
    )
    .await
    .unwrap()
    .map(|deal| deal.partner_id.to_string())
}

/// The actors of the program's `deal.registered` events, oldest first.
async fn deal_actors(app: &TestApp, world: &TrackingProgram) -> Vec<Value> {
    let query = Query::table(shared::layout::events_pk(&world.program.id)).consistent();
    let page = app.ctx.store.query(query).await.unwrap();
    assert!(page.next.is_none(), "one page of events");
    page.items
        .iter()
        .filter(|item| get_s(item, "event") == Some("deal.registered"))
        .map(|item| {
            serde_json::from_str::<Value>(get_s(item, "body").unwrap()).unwrap()["actor"].clone()
        })
        .collect()
}

fn partner_actor(partner: &TestPartner) -> Value {
    serde_json::to_value(Actor::Partner {
        partner_id: partner.id.to_string(),
    })
    .unwrap()
}

async fn leads_of(app: &TestApp, world: &TrackingProgram, partner: &TestPartner) -> (i64, i64) {
    let totals = world.partner_record(&app.ctx, partner).await.totals;
    (totals.total_leads, totals.total_commissions)
}

engine_tests!(
    a_registered_deal_attributes_a_lead_without_a_click,
    a_click_beats_a_registered_deal,
    the_first_registration_of_an_email_wins,
    a_partner_registers_a_deal_with_their_own_session,
    revoked_unknown_or_unapproved_sessions_register_nothing,
    partners_idempotency_keys_are_their_own
);

async fn a_registered_deal_attributes_a_lead_without_a_click(app: TestApp) {
    let (world, jane, bob) = program_with_partners(&app).await;
    // By tenant id, as a business backend knows its partners; the email is normalised.
    let registered = register(
        &app.ctx,
        &world.key,
        json!({"leadEmail": "Prospect@Company.com",
        "leadName": "John Smith", "notes": "Met at conference", "tenantId": jane.tenant_id}),
        None,
    )
    .await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{}",
        registered.body
    );
    assert_eq!(registered.body["partnerId"], jane.id.as_str());
    assert_eq!(registered.body["leadEmail"], "prospect@company.com");
    assert_eq!(registered.body["status"], "registered");
    assert!(registered.body["id"].as_str().unwrap().starts_with("deal_"));
    assert_eq!(
        world.events(&app.ctx, "deal.registered").await,
        vec![registered.body.clone()]
    );

    let lead = lead_without_click(&app.ctx, &world, "user_1", "prospect@company.com").await;
    assert_eq!(lead.status, StatusCode::OK, "{}", lead.body);
    assert_eq!(
        lead.body["link"]["id"],
        jane.link.as_str(),
        "the partner's default link"
    );
    assert_eq!(lead.body["click"]["id"], "");
    assert_eq!(leads_of(&app, &world, &jane).await, (1, 300));
    assert_eq!(leads_of(&app, &world, &bob).await, (0, 0));
    let event = world.events(&app.ctx, "lead.created").await;
    assert_eq!(event.len(), 1);
    assert_eq!(event[0]["partner"]["id"], jane.id.as_str());
    assert_eq!(event[0]["link"]["leads"], 1);
    assert_eq!(event[0]["click"], Value::Null, "a deal is no click");
    // The customer is the partner's from now on: its sale goes there too.
    let sale = track(
        &app.ctx,
        &world.key,
        "/track/sale",
        json!({"customerExternalId": "user_1",
        "amount": 1_000, "paymentProcessor": "stripe", "invoiceId": "in_1"}),
        None,
    )
    .await;
    assert_eq!(sale.status, StatusCode::OK, "{}", sale.body);
    assert_eq!(
        world
            .partner_record(&app.ctx, &jane)
            .await
            .totals
            .total_sales,
        1
    );
    // Without a deal (or with a deal of another program's email) a click-less lead is 404.
    let unknown = lead_without_click(&app.ctx, &world, "user_2", "other@company.com").await;
    assert_eq!(
        (unknown.status, unknown.error_code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    assert_eq!(leads_of(&app, &world, &bob).await, (0, 0));
}

async fn a_click_beats_a_registered_deal(app: TestApp) {
    let (world, jane, bob) = program_with_partners(&app).await;
    let registered = register(
        &app.ctx,
        &world.key,
        deal_for(&jane, "lead@company.com"),
        None,
    )
    .await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{}",
        registered.body
    );
    let click = world.click_at(&bob, app.ctx.clock.now());
    let lead = track(&app.ctx, &world.key, "/track/lead", json!({"clickId": click,
        "eventName": "Sign up", "customerExternalId": "user_1", "customerEmail": "lead@company.com"}), None).await;
    assert_eq!(lead.status, StatusCode::OK, "{}", lead.body);
    assert_eq!(lead.body["link"]["id"], bob.link.as_str());
    assert_eq!(leads_of(&app, &world, &bob).await, (1, 300));
    assert_eq!(leads_of(&app, &world, &jane).await, (0, 0));
    // The customer's attribution is set: the deal does not take it later either.
    let again = lead_without_click(&app.ctx, &world, "user_1", "lead@company.com").await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(leads_of(&app, &world, &jane).await, (0, 0));
}

async fn the_first_registration_of_an_email_wins(app: TestApp) {
    let (world, jane, bob) = program_with_partners(&app).await;
    let first = register(
        &app.ctx,
        &world.key,
        deal_for(&jane, "lead@company.com"),
        None,
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let taken = register(
        &app.ctx,
        &world.key,
        deal_for(&bob, "LEAD@company.com"),
        None,
    )
    .await;
    assert_eq!(
        (taken.status, taken.error_code()),
        (StatusCode::CONFLICT, "conflict")
    );
    // The same partner again changes nothing and gets its deal back.
    let repeat = register(
        &app.ctx,
        &world.key,
        deal_for(&jane, "lead@company.com"),
        None,
    )
    .await;
    assert_eq!(repeat.status, StatusCode::OK, "{}", repeat.body);
    assert_eq!(repeat.body, first.body);
    // An Idempotency-Key replays the first answer of a new registration.
    let body = deal_for(&bob, "other@company.com");
    let keyed = register(&app.ctx, &world.key, body.clone(), Some("deal-1")).await;
    assert_eq!(keyed.status, StatusCode::CREATED, "{}", keyed.body);
    let replay = register(&app.ctx, &world.key, body, Some("deal-1")).await;
    assert_eq!(
        (replay.status, &replay.body),
        (StatusCode::CREATED, &keyed.body)
    );

    // Racing partners: exactly one registration wins, the others are 409.
    let mut racers = Vec::new();
    for n in 0..6 {
        racers.push(
            world
                .partner(&app.ctx, &format!("RACE{n}"), &world.default_group)
                .await,
        );
    }
    let ctx = app.ctx.clone();
    let tasks: Vec<_> = racers
        .iter()
        .map(|partner| {
            let (ctx, key, body) = (
                Arc::clone(&ctx),
                world.key.clone(),
                deal_for(partner, "race@company.com"),
            );
            tokio::spawn(async move { register(&ctx, &key, body, None).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap().status);
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count(),
        racers.len() - 1
    );
    let events = world.events(&app.ctx, "deal.registered").await;
    assert_eq!(events.len(), 3, "jane's, bob's and the race winner's");
    let winner = events[2]["partnerId"].as_str().unwrap().to_owned();
    let lead = lead_without_click(&app.ctx, &world, "racer_lead", "race@company.com").await;
    assert_eq!(lead.status, StatusCode::OK, "{}", lead.body);
    let event = world.events(&app.ctx, "lead.created").await;
    assert_eq!(event[0]["partner"]["id"], winner.as_str());

    // Bad requests register nothing.
    let no_scope = TrackingProgram::key_with(
        &app.ctx,
        &world.admin,
        &world.program.id,
        vec![Scope::CustomersRead],
    )
    .await;
    let cases = [
        (
            world.key.as_str(),
            json!({"leadEmail": "x@company.com", "leadName": "X", "partnerId": "pn_unknown"}),
            StatusCode::NOT_FOUND,
        ),
        (
            world.key.as_str(),
            json!({"leadEmail": "x@company.com", "leadName": "X", "tenantId": "nobody"}),
            StatusCode::NOT_FOUND,
        ),
        (
            world.key.as_str(),
            json!({"leadEmail": "x@company.com", "leadName": "X", "partnerId": jane.id, "tenantId": jane.tenant_id}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            world.key.as_str(),
            json!({"leadEmail": "x@company.com", "leadName": "X"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            world.key.as_str(),
            json!({"leadEmail": "x@company.com", "leadName": " ", "partnerId": jane.id}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            world.key.as_str(),
            json!({"leadEmail": "not-an-email", "leadName": "X", "partnerId": jane.id}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            world.key.as_str(),
            json!({"leadEmail": "x@company.com", "leadName": "X", "partnerId": jane.id, "extra": 1}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            world.key.as_str(),
            json!({"leadEmail": "x@company.com", "leadName": "X", "partnerId": jane.id, "notes": "n".repeat(5_001)}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            no_scope.as_str(),
            deal_for(&jane, "x@company.com"),
            StatusCode::FORBIDDEN,
        ),
        (
            "plk_revoked_or_unknown",
            deal_for(&jane, "x@company.com"),
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (key, body, status) in cases {
        let reply = register(&app.ctx, key, body.clone(), None).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        reply.error_code();
    }
    assert_eq!(world.events(&app.ctx, "deal.registered").await.len(), 3);
    let unclaimed = lead_without_click(&app.ctx, &world, "x", "x@company.com").await;
    assert_eq!(unclaimed.status, StatusCode::NOT_FOUND);
}

async fn a_partner_registers_a_deal_with_their_own_session(app: TestApp) {
    let (world, jane, bob) = program_with_partners(&app).await;
    let jane_session = session_of(&app, &world, &jane).await;
    let bob_session = session_of(&app, &world, &bob).await;

    let registered = register(
        &app.ctx,
        &jane_session,
        own_deal("Prospect@Company.com"),
        None,
    )
    .await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{}",
        registered.body
    );
    assert_eq!(registered.body["partnerId"], jane.id.as_str());
    assert_eq!(registered.body["programId"], world.program.id.as_str());
    assert_eq!(registered.body["leadEmail"], "prospect@company.com");
    assert_eq!(registered.body["notes"], "Met at conference");
    assert_eq!(
        world.events(&app.ctx, "deal.registered").await,
        vec![registered.body.clone()]
    );
    assert_eq!(deal_actors(&app, &world).await, vec![partner_actor(&jane)]);

    // The same partner again: 200 with the deal, nothing new. Another partner: 409.
    let repeat = register(
        &app.ctx,
        &jane_session,
        own_deal("prospect@company.com"),
        None,
    )
    .await;
    assert_eq!(
        (repeat.status, &repeat.body),
        (StatusCode::OK, &registered.body)
    );
    let taken = register(
        &app.ctx,
        &bob_session,
        own_deal("prospect@company.com"),
        None,
    )
    .await;
    assert_eq!(
        (taken.status, taken.error_code()),
        (StatusCode::CONFLICT, "conflict"),
        "{}",
        taken.body
    );
    assert_eq!(world.events(&app.ctx, "deal.registered").await.len(), 1);

    // A lead with that email and no click is Jane's.
    let lead = lead_without_click(&app.ctx, &world, "user_1", "prospect@company.com").await;
    assert_eq!(lead.status, StatusCode::OK, "{}", lead.body);
    assert_eq!(lead.body["link"]["id"], jane.link.as_str());
    assert_eq!(leads_of(&app, &world, &jane).await, (1, 300));
    assert_eq!(leads_of(&app, &world, &bob).await, (0, 0));

    // Naming herself in the body is allowed; naming anyone else is 403 and writes nothing.
    let herself = json!({"leadEmail": "self@company.com", "leadName": "S", "partnerId": jane.id,
                         "tenantId": jane.tenant_id});
    let named_self = register(&app.ctx, &jane_session, herself, None).await;
    assert_eq!(
        named_self.status,
        StatusCode::CREATED,
        "{}",
        named_self.body
    );
    assert_eq!(named_self.body["partnerId"], jane.id.as_str());
    let for_others = [
        json!({"leadEmail": "other@company.com", "leadName": "O", "partnerId": bob.id}),
        json!({"leadEmail": "other@company.com", "leadName": "O", "tenantId": bob.tenant_id}),
        json!({"leadEmail": "other@company.com", "leadName": "O", "partnerId": jane.id, "tenantId": bob.tenant_id}),
        json!({"leadEmail": "other@company.com", "leadName": "O", "partnerId": "pn_unknown"}),
    ];
    for body in for_others {
        let refused = register(&app.ctx, &jane_session, body.clone(), Some("other-deal")).await;
        assert_eq!(
            (refused.status, refused.error_code()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{body}: {}",
            refused.body
        );
    }
    assert_eq!(deal_holder(&app, &world, "other@company.com").await, None);
    // Bad input from a partner is the same 422, and registers nothing either.
    let nameless = register(
        &app.ctx,
        &jane_session,
        json!({"leadEmail": "other@company.com", "leadName": " "}),
        None,
    )
    .await;
    assert_eq!(
        nameless.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        nameless.body
    );
    assert_eq!(deal_holder(&app, &world, "other@company.com").await, None);
    assert_eq!(world.events(&app.ctx, "deal.registered").await.len(), 2);

    // The program key path is unchanged: it names the partner, and records the key as actor.
    let by_key = register(
        &app.ctx,
        &world.key,
        deal_for(&bob, "other@company.com"),
        Some("other-deal"),
    )
    .await;
    assert_eq!(by_key.status, StatusCode::CREATED, "{}", by_key.body);
    assert_eq!(
        deal_holder(&app, &world, "other@company.com")
            .await
            .as_deref(),
        Some(bob.id.as_str())
    );
    let actors = deal_actors(&app, &world).await;
    assert_eq!(actors.len(), 3);
    assert_eq!(actors[2]["type"], "apiKey", "{actors:?}");
    // A program key cannot omit the partner: only a session implies one.
    let anonymous = register(&app.ctx, &world.key, own_deal("nobody@company.com"), None).await;
    assert_eq!(
        anonymous.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        anonymous.body
    );
}

async fn revoked_unknown_or_unapproved_sessions_register_nothing(app: TestApp) {
    let (world, jane, bob) = program_with_partners(&app).await;
    let carl = world.partner(&app.ctx, "CARL", &world.default_group).await;
    let revoked = session_of(&app, &world, &jane).await;
    let revoke = RevokeSession {
        token: revoked.clone(),
    };
    shared::portal::revoke_session(&app.ctx, &world.admin, revoke)
        .await
        .unwrap();
    let banned = session_of(&app, &world, &bob).await;
    let ban = serde_json::from_value(json!({"partnerId": bob.id, "reason": "fraud"})).unwrap();
    shared::partner_status::ban_partner(&app.ctx, &world.admin, ban)
        .await
        .unwrap();
    let deactivated = session_of(&app, &world, &carl).await;
    let deactivate = serde_json::from_value(json!({"partnerId": carl.id})).unwrap();
    shared::partner_status::deactivate_partner(&app.ctx, &world.admin, deactivate)
        .await
        .unwrap();

    for token in [
        revoked.as_str(),
        banned.as_str(),
        deactivated.as_str(),
        "pst_unknown-session",
    ] {
        let reply = register(&app.ctx, token, own_deal("lead@company.com"), None).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (StatusCode::UNAUTHORIZED, "unauthorized"),
            "{}",
            reply.body
        );
    }
    assert_eq!(deal_holder(&app, &world, "lead@company.com").await, None);
    assert!(world.events(&app.ctx, "deal.registered").await.is_empty());
}

async fn partners_idempotency_keys_are_their_own(app: TestApp) {
    let (world, jane, bob) = program_with_partners(&app).await;
    let jane_session = session_of(&app, &world, &jane).await;
    let bob_session = session_of(&app, &world, &bob).await;

    // One key value, two partners, two emails: two deals (unscoped, Bob would get a 409).
    let janes = register(
        &app.ctx,
        &jane_session,
        own_deal("a@company.com"),
        Some("deal-1"),
    )
    .await;
    assert_eq!(janes.status, StatusCode::CREATED, "{}", janes.body);
    let bobs = register(
        &app.ctx,
        &bob_session,
        own_deal("b@company.com"),
        Some("deal-1"),
    )
    .await;
    assert_eq!(bobs.status, StatusCode::CREATED, "{}", bobs.body);
    assert_eq!(bobs.body["partnerId"], bob.id.as_str());
    assert_eq!(
        deal_holder(&app, &world, "b@company.com").await.as_deref(),
        Some(bob.id.as_str())
    );

    // One key value, one body: Bob never gets Jane's stored response (unscoped, he would
    // get her 201); the email is hers, so he gets 409.
    let first = register(
        &app.ctx,
        &jane_session,
        own_deal("c@company.com"),
        Some("deal-2"),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let other = register(
        &app.ctx,
        &bob_session,
        own_deal("c@company.com"),
        Some("deal-2"),
    )
    .await;
    assert_eq!(
        (other.status, other.error_code()),
        (StatusCode::CONFLICT, "conflict"),
        "{}",
        other.body
    );
    // Each partner's own repeat replays their own first answer.
    let replay = register(
        &app.ctx,
        &jane_session,
        own_deal("a@company.com"),
        Some("deal-1"),
    )
    .await;
    assert_eq!(
        (replay.status, &replay.body),
        (StatusCode::CREATED, &janes.body)
    );
    let replay = register(
        &app.ctx,
        &bob_session,
        own_deal("b@company.com"),
        Some("deal-1"),
    )
    .await;
    assert_eq!(
        (replay.status, &replay.body),
        (StatusCode::CREATED, &bobs.body)
    );
    // And the same key with another body is still a 409 within one partner's scope.
    let reused = register(
        &app.ctx,
        &jane_session,
        own_deal("d@company.com"),
        Some("deal-1"),
    )
    .await;
    assert_eq!(
        (reused.status, reused.error_code()),
        (StatusCode::CONFLICT, "conflict")
    );
    assert_eq!(deal_holder(&app, &world, "d@company.com").await, None);
    // The program key's keys are the program's: the same value is a fresh key there too.
    let by_key = register(
        &app.ctx,
        &world.key,
        deal_for(&bob, "e@company.com"),
        Some("deal-1"),
    )
    .await;
    assert_eq!(by_key.status, StatusCode::CREATED, "{}", by_key.body);
    assert_eq!(world.events(&app.ctx, "deal.registered").await.len(), 4);
}
