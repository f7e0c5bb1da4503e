//! StackBE's deal registration over both engines: a registered deal attributes a lead without
//! a click, a click beats the deal, and the first registration of an email wins.

use http::StatusCode;
use integration_tests::app::{Reply, TestApp};
use integration_tests::engine_tests;
use integration_tests::tracking_world::{TestPartner, TrackingProgram, track};
use serde_json::{Value, json};
use shared::auth::Scope;
use shared::context::AppContext;
use shared::groups::{self, CreateReward};
use shared::model::{RewardEvent, RewardType};
use std::sync::Arc;

const DEALS: &str = "/v1/affiliate/deals";

/// A program whose default group pays $3 per lead, with two partners.
async fn program_with_partners(app: &TestApp) -> (TrackingProgram, TestPartner, TestPartner) {
    let world = TrackingProgram::create(app, "go.deals.test").await;
    groups::create_reward(
        &app.ctx,
        &world.admin,
        world.program.id.as_str(),
        world.default_group.as_str(),
        CreateReward {
            event: RewardEvent::Lead,
            kind: RewardType::Flat,
            amount_in_cents: Some(300),
            amount_in_percentage: None,
            max_duration: None,
            description: None,
            tooltip: None,
            modifiers: Vec::new(),
        },
    )
    .await
    .expect("create a reward");
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

async fn leads_of(app: &TestApp, world: &TrackingProgram, partner: &TestPartner) -> (i64, i64) {
    let totals = world.partner_record(&app.ctx, partner).await.totals;
    (totals.total_leads, totals.total_commissions)
}

engine_tests! {
    async fn a_registered_deal_attributes_a_lead_without_a_click(app: TestApp) {
        let (world, jane, bob) = program_with_partners(&app).await;
        // By tenant id, as a business backend knows its partners; the email is normalised.
        let registered = register(&app.ctx, &world.key, json!({"leadEmail": "Prospect@Company.com",
            "leadName": "John Smith", "notes": "Met at conference", "tenantId": jane.tenant_id}), None).await;
        assert_eq!(registered.status, StatusCode::CREATED, "{}", registered.body);
        assert_eq!(registered.body["partnerId"], jane.id.as_str());
        assert_eq!(registered.body["leadEmail"], "prospect@company.com");
        assert_eq!(registered.body["status"], "registered");
        assert!(registered.body["id"].as_str().unwrap().starts_with("deal_"));
        assert_eq!(world.events(&app.ctx, "deal.registered").await, vec![registered.body.clone()]);

        let lead = lead_without_click(&app.ctx, &world, "user_1", "prospect@company.com").await;
        assert_eq!(lead.status, StatusCode::OK, "{}", lead.body);
        assert_eq!(lead.body["link"]["id"], jane.link.as_str(), "the partner's default link");
        assert_eq!(lead.body["click"]["id"], "");
        assert_eq!(leads_of(&app, &world, &jane).await, (1, 300));
        assert_eq!(leads_of(&app, &world, &bob).await, (0, 0));
        let event = world.events(&app.ctx, "lead.created").await;
        assert_eq!(event.len(), 1);
        assert_eq!(event[0]["partner"]["id"], jane.id.as_str());
        assert_eq!(event[0]["link"]["leads"], 1);
        assert_eq!(event[0]["click"], Value::Null, "a deal is no click");
        // The customer is the partner's from now on: its sale goes there too.
        let sale = track(&app.ctx, &world.key, "/track/sale", json!({"customerExternalId": "user_1",
            "amount": 1_000, "paymentProcessor": "stripe", "invoiceId": "in_1"}), None).await;
        assert_eq!(sale.status, StatusCode::OK, "{}", sale.body);
        assert_eq!(world.partner_record(&app.ctx, &jane).await.totals.total_sales, 1);
        // Without a deal (or with a deal of another program's email) a click-less lead is 404.
        let unknown = lead_without_click(&app.ctx, &world, "user_2", "other@company.com").await;
        assert_eq!((unknown.status, unknown.error_code()), (StatusCode::NOT_FOUND, "not_found"));
        assert_eq!(leads_of(&app, &world, &bob).await, (0, 0));
    }

    async fn a_click_beats_a_registered_deal(app: TestApp) {
        let (world, jane, bob) = program_with_partners(&app).await;
        let registered = register(&app.ctx, &world.key, deal_for(&jane, "lead@company.com"), None).await;
        assert_eq!(registered.status, StatusCode::CREATED, "{}", registered.body);
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
        let first = register(&app.ctx, &world.key, deal_for(&jane, "lead@company.com"), None).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        let taken = register(&app.ctx, &world.key, deal_for(&bob, "LEAD@company.com"), None).await;
        assert_eq!((taken.status, taken.error_code()), (StatusCode::CONFLICT, "conflict"));
        // The same partner again changes nothing and gets its deal back.
        let repeat = register(&app.ctx, &world.key, deal_for(&jane, "lead@company.com"), None).await;
        assert_eq!(repeat.status, StatusCode::OK, "{}", repeat.body);
        assert_eq!(repeat.body, first.body);
        // An Idempotency-Key replays the first answer of a new registration.
        let body = deal_for(&bob, "other@company.com");
        let keyed = register(&app.ctx, &world.key, body.clone(), Some("deal-1")).await;
        assert_eq!(keyed.status, StatusCode::CREATED, "{}", keyed.body);
        let replay = register(&app.ctx, &world.key, body, Some("deal-1")).await;
        assert_eq!((replay.status, &replay.body), (StatusCode::CREATED, &keyed.body));

        // Racing partners: exactly one registration wins, the others are 409.
        let mut racers = Vec::new();
        for n in 0..6 {
            racers.push(world.partner(&app.ctx, &format!("RACE{n}"), &world.default_group).await);
        }
        let ctx = app.ctx.clone();
        let tasks: Vec<_> = racers.iter().map(|partner| {
            let (ctx, key, body) = (Arc::clone(&ctx), world.key.clone(), deal_for(partner, "race@company.com"));
            tokio::spawn(async move { register(&ctx, &key, body, None).await })
        }).collect();
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap().status);
        }
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), racers.len() - 1);
        let events = world.events(&app.ctx, "deal.registered").await;
        assert_eq!(events.len(), 3, "jane's, bob's and the race winner's");
        let winner = events[2]["partnerId"].as_str().unwrap().to_owned();
        let lead = lead_without_click(&app.ctx, &world, "racer_lead", "race@company.com").await;
        assert_eq!(lead.status, StatusCode::OK, "{}", lead.body);
        let event = world.events(&app.ctx, "lead.created").await;
        assert_eq!(event[0]["partner"]["id"], winner.as_str());

        // Bad requests register nothing.
        let no_scope = TrackingProgram::key_with(&app.ctx, &world.admin, &world.program.id, vec![Scope::CustomersRead]).await;
        let cases = [
            (world.key.as_str(), json!({"leadEmail": "x@company.com", "leadName": "X", "partnerId": "pn_unknown"}), StatusCode::NOT_FOUND),
            (world.key.as_str(), json!({"leadEmail": "x@company.com", "leadName": "X", "tenantId": "nobody"}), StatusCode::NOT_FOUND),
            (world.key.as_str(), json!({"leadEmail": "x@company.com", "leadName": "X", "partnerId": jane.id, "tenantId": jane.tenant_id}), StatusCode::UNPROCESSABLE_ENTITY),
            (world.key.as_str(), json!({"leadEmail": "x@company.com", "leadName": "X"}), StatusCode::UNPROCESSABLE_ENTITY),
            (world.key.as_str(), json!({"leadEmail": "x@company.com", "leadName": " ", "partnerId": jane.id}), StatusCode::UNPROCESSABLE_ENTITY),
            (world.key.as_str(), json!({"leadEmail": "not-an-email", "leadName": "X", "partnerId": jane.id}), StatusCode::UNPROCESSABLE_ENTITY),
            (world.key.as_str(), json!({"leadEmail": "x@company.com", "leadName": "X", "partnerId": jane.id, "extra": 1}), StatusCode::UNPROCESSABLE_ENTITY),
            (world.key.as_str(), json!({"leadEmail": "x@company.com", "leadName": "X", "partnerId": jane.id, "notes": "n".repeat(5_001)}), StatusCode::UNPROCESSABLE_ENTITY),
            (no_scope.as_str(), deal_for(&jane, "x@company.com"), StatusCode::FORBIDDEN),
            ("plk_revoked_or_unknown", deal_for(&jane, "x@company.com"), StatusCode::UNAUTHORIZED),
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
}
