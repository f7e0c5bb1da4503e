//! Webhook delivery on both engines, to a real loopback receiver: signing, every outcome,
//! SSRF refusals, and the nothing-lost cases.

use integration_tests::app::TestApp;
use integration_tests::engine_tests;
use integration_tests::receiver::{Received, Receiver};
use integration_tests::webhook_world::WebhookWorld;
use shared::model::EventName;
use shared::model::WebhookEndpoint;
use shared::ports::Clock;
use shared::store::{Query, get_s};
use shared::types::EventId;
use shared::webhooks::endpoints::{self, CreateEndpoint, UpdateEndpoint};
use shared::webhooks::records::{self, delivery_id};
use shared::webhooks::schedule::MAX_ATTEMPTS;
use shared::webhooks::{AddressPolicy, DeliveryState, WebhookDelivery, signing};
use std::collections::HashMap;

const EVENTS: &[&str] = &["lead.created", "sale.created"];

async fn delivery(
    world: &WebhookWorld,
    event: &EventId,
    endpoint: &WebhookEndpoint,
) -> WebhookDelivery {
    records::find_delivery(
        world.services.store.as_ref(),
        &delivery_id(event, &endpoint.id),
    )
    .await
    .unwrap()
    .expect("a delivery")
}

/// Checks a request as a Standard Webhooks receiver would, at the world's time.
fn verify(world: &WebhookWorld, secret: &str, request: &Received) {
    signing::verify(
        secret,
        request.header("webhook-id"),
        request.header("webhook-timestamp"),
        request.header("webhook-signature"),
        &request.body,
        world.clock.now().unix_timestamp(),
    )
    .unwrap_or_else(|e| panic!("signature refused: {e}"));
    signing::verify_dub(secret, request.header("dub-signature"), &request.body).unwrap();
}

/// Names of the events waiting in the outbox (the audit trail keeps them all).
async fn outbox_event_names(world: &WebhookWorld) -> Vec<String> {
    let page = world
        .services
        .store
        .query(Query::table(shared::layout::events_pk(&world.program)))
        .await
        .unwrap();
    page.items
        .iter()
        .filter_map(|item| get_s(item, "event").map(str::to_owned))
        .collect()
}

engine_tests!(
    signed_delivery_succeeds_exactly_once,
    a_redirect_fails_and_is_not_followed,
    gone_disables_the_endpoint_at_once,
    too_many_requests_and_server_errors_retry_after_the_asked_wait,
    an_event_committed_before_a_crash_is_still_delivered,
    a_receiver_down_for_hours_gets_every_event_exactly_once,
    failing_every_attempt_ends_failed_disables_and_can_be_resent,
    rotation_signs_with_both_secrets_during_the_grace_period,
    internal_addresses_are_refused_on_save_and_at_delivery
);

async fn signed_delivery_succeeds_exactly_once(app: TestApp) {
    let world = WebhookWorld::new(&app);
    let receiver = Receiver::start().await;
    let endpoint = world.endpoint(&receiver.url("/hook"), EVENTS).await;
    let other = world
        .endpoint(&receiver.url("/other"), &["sale.created"])
        .await;
    let event = world
        .commit_event(
            EventName::LeadCreated,
            serde_json::json!({"customer": {"id": "cus_1"}}),
        )
        .await;
    world.relay_and_fan_out().await;
    world.deliver_all().await;

    let requests = receiver.requests();
    assert_eq!(requests.len(), 1, "only the subscribed endpoint gets it");
    let request = &requests[0];
    assert_eq!(request.path, "/hook");
    assert_eq!(request.header("webhook-id"), event.as_str());
    verify(&world, &endpoint.secret, request);
    assert!(
        signing::verify(
            &other.secret,
            request.header("webhook-id"),
            request.header("webhook-timestamp"),
            request.header("webhook-signature"),
            &request.body,
            world.clock.now().unix_timestamp()
        )
        .is_err()
    );
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body["id"], event.as_str());
    assert_eq!(body["event"], "lead.created");
    assert_eq!(body["data"]["customer"]["id"], "cus_1");
    assert!(body["createdAt"].is_string());
    assert!(body.get("programId").is_none());
    let stored = delivery(&world, &event, &endpoint).await;
    assert_eq!(stored.state, DeliveryState::Succeeded);
    assert_eq!(stored.log[0].status_code, Some(200));

    // The relay sends the event again (at least once), and the old delivery message comes back.
    let message = serde_json::json!({"deliveryId": stored.id, "attempt": 1}).to_string();
    world.services.deliver_message(&message).await.unwrap();
    world
        .services
        .fan_out_message(
            &serde_json::json!({
                "id": event, "event": "lead.created", "createdAt": body["createdAt"],
                "data": body["data"], "programId": world.program,
            })
            .to_string(),
        )
        .await
        .unwrap();
    world.deliver_all().await;
    assert_eq!(
        receiver.requests().len(),
        1,
        "no second POST for a delivered event"
    );
}

async fn a_redirect_fails_and_is_not_followed(app: TestApp) {
    let world = WebhookWorld::new(&app);
    let receiver = Receiver::start().await;
    let target = receiver.url("/elsewhere");
    receiver.answer(move |r| {
        if r.path == "/hook" {
            (302, vec![("location", target.clone())])
        } else {
            (200, vec![])
        }
    });
    let endpoint = world.endpoint(&receiver.url("/hook"), EVENTS).await;
    let event = world
        .commit_event(EventName::SaleCreated, serde_json::json!({}))
        .await;
    world.relay_and_fan_out().await;
    // One attempt only: take the first message and stop.
    let batch = world
        .deliveries
        .receive(1, std::time::Duration::from_millis(500))
        .await
        .unwrap();
    world
        .services
        .deliver_message(&batch[0].body)
        .await
        .unwrap();
    let requests = receiver.requests();
    assert_eq!(
        requests.iter().filter(|r| r.path == "/elsewhere").count(),
        0
    );
    assert_eq!(requests.len(), 1);
    let stored = delivery(&world, &event, &endpoint).await;
    assert_eq!(
        stored.state,
        DeliveryState::Pending,
        "a 3xx is a failed attempt, retried"
    );
    assert_eq!(stored.log[0].status_code, Some(302));
    assert!(stored.next_attempt_at.is_some());
}

async fn gone_disables_the_endpoint_at_once(app: TestApp) {
    let world = WebhookWorld::new(&app);
    let receiver = Receiver::start().await;
    receiver.answer(|_| (410, vec![]));
    let endpoint = world.endpoint(&receiver.url("/hook"), EVENTS).await;
    let event = world
        .commit_event(EventName::LeadCreated, serde_json::json!({}))
        .await;
    world.relay_and_fan_out().await;
    world.deliver_all().await;
    assert_eq!(receiver.requests().len(), 1);
    assert_eq!(
        delivery(&world, &event, &endpoint).await.state,
        DeliveryState::Failed
    );
    assert!(!world.stored_endpoint(&endpoint.id).await.enabled);
    assert!(
        outbox_event_names(&world)
            .await
            .contains(&"webhook.endpoint_disabled".to_string())
    );
    // Later events are not sent to a disabled endpoint.
    world
        .commit_event(EventName::LeadCreated, serde_json::json!({}))
        .await;
    world.relay_and_fan_out().await;
    world.deliver_all().await;
    assert_eq!(receiver.requests().len(), 1);
}

async fn too_many_requests_and_server_errors_retry_after_the_asked_wait(app: TestApp) {
    let world = WebhookWorld::new(&app);
    let receiver = Receiver::start().await;
    let answers = std::sync::Mutex::new(vec![(200, None), (503, None), (429, Some("1800"))]);
    receiver.answer(move |_| {
        let (status, retry_after) = answers.lock().unwrap().pop().unwrap_or((200, None));
        (
            status,
            retry_after
                .map(|s: &str| ("retry-after", s.to_owned()))
                .into_iter()
                .collect(),
        )
    });
    let endpoint = world.endpoint(&receiver.url("/hook"), EVENTS).await;
    let event = world
        .commit_event(EventName::LeadCreated, serde_json::json!({}))
        .await;
    let start = world.clock.now();
    world.relay_and_fan_out().await;
    world.deliver_all().await;
    let requests = receiver.requests();
    assert_eq!(
        requests.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![429, 503, 200]
    );
    // One webhook-id across attempts, each attempt freshly signed.
    assert!(
        requests
            .iter()
            .all(|r| r.header("webhook-id") == event.as_str())
    );
    let stored = delivery(&world, &event, &endpoint).await;
    assert_eq!(stored.state, DeliveryState::Succeeded);
    let second = stored.log[1].at;
    assert!(
        second - start >= time::Duration::seconds(1800),
        "Retry-After honoured: {}",
        second - start
    );
    let third = stored.log[2].at;
    assert!(
        third - second >= time::Duration::minutes(5),
        "the schedule's second retry"
    );
}

async fn an_event_committed_before_a_crash_is_still_delivered(app: TestApp) {
    let world = WebhookWorld::new(&app);
    let receiver = Receiver::start().await;
    let endpoint = world.endpoint(&receiver.url("/hook"), EVENTS).await;
    // The process commits the change and its event, then dies before anything is queued.
    let event = world
        .commit_event(EventName::SaleCreated, serde_json::json!({"amount": 100}))
        .await;
    assert_eq!(receiver.requests().len(), 0);
    // A new process: the relay finds the event in the outbox.
    world.relay_and_fan_out().await;
    world.deliver_all().await;
    let requests = receiver.requests();
    assert_eq!(requests.len(), 1);
    verify(&world, &endpoint.secret, &requests[0]);
    assert_eq!(requests[0].header("webhook-id"), event.as_str());
}

async fn a_receiver_down_for_hours_gets_every_event_exactly_once(app: TestApp) {
    let world = WebhookWorld::new(&app);
    let receiver = Receiver::start().await;
    let back_at = world.clock.now() + time::Duration::hours(3);
    let clock = world.clock.clone();
    receiver.answer(move |_| {
        if clock.now() < back_at {
            (503, vec![])
        } else {
            (200, vec![])
        }
    });
    let endpoint = world.endpoint(&receiver.url("/hook"), EVENTS).await;
    let mut sent = Vec::new();
    for n in 0..5 {
        sent.push(
            world
                .commit_event(EventName::LeadCreated, serde_json::json!({"n": n}))
                .await,
        );
    }
    world.relay_and_fan_out().await;
    // The relay runs again and an event message is redelivered: still one delivery each.
    world.relay_and_fan_out().await;
    world.deliver_all().await;
    assert!(world.clock.now() >= back_at);

    let mut accepted: HashMap<String, usize> = HashMap::new();
    for request in receiver.requests().iter().filter(|r| r.status == 200) {
        verify_at(&endpoint, request);
        *accepted
            .entry(request.header("webhook-id").to_owned())
            .or_default() += 1;
    }
    for event in &sent {
        assert_eq!(
            accepted.get(event.as_str()),
            Some(&1),
            "{event} arrives exactly once"
        );
        assert_eq!(
            delivery(&world, event, &endpoint).await.state,
            DeliveryState::Succeeded
        );
    }
    assert_eq!(accepted.len(), sent.len());
    assert_eq!(
        world
            .stored_endpoint(&endpoint.id)
            .await
            .consecutive_failures,
        0
    );
}

async fn failing_every_attempt_ends_failed_disables_and_can_be_resent(app: TestApp) {
    let world = WebhookWorld::new(&app);
    let receiver = Receiver::start().await;
    receiver.answer(|_| (500, vec![]));
    let endpoint = world.endpoint(&receiver.url("/hook"), EVENTS).await;
    let mut sent = Vec::new();
    for n in 0..20 {
        sent.push(
            world
                .commit_event(EventName::SaleCreated, serde_json::json!({"n": n}))
                .await,
        );
    }
    world.relay_and_fan_out().await;
    world.deliver_all().await;
    assert_eq!(receiver.requests().len(), 20 * MAX_ATTEMPTS as usize);
    for event in &sent {
        let stored = delivery(&world, event, &endpoint).await;
        assert_eq!(stored.state, DeliveryState::Failed);
        assert_eq!(stored.attempts, MAX_ATTEMPTS);
    }
    let disabled = world.stored_endpoint(&endpoint.id).await;
    assert!(!disabled.enabled, "disabled after 20 failed deliveries");
    assert_eq!(disabled.consecutive_failures, 20);
    assert!(
        outbox_event_names(&world)
            .await
            .contains(&"webhook.endpoint_disabled".to_string())
    );

    // A failed delivery cannot be re-sent to a disabled endpoint; enabled again, it can.
    let failed = delivery_id(&sent[0], &endpoint.id);
    let admin = world.admin();
    let refused = endpoints::resend_delivery(
        &world.services,
        &admin,
        endpoint.id.as_str(),
        failed.as_str(),
    )
    .await;
    assert!(refused.is_err());
    endpoints::update_endpoint(
        &world.services,
        &admin,
        endpoint.id.as_str(),
        UpdateEndpoint {
            enabled: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    receiver.answer(|_| (200, vec![]));
    endpoints::resend_delivery(
        &world.services,
        &admin,
        endpoint.id.as_str(),
        failed.as_str(),
    )
    .await
    .unwrap();
    world.deliver_all().await;
    let resent = delivery(&world, &sent[0], &endpoint).await;
    assert_eq!(resent.state, DeliveryState::Succeeded);
    let last = receiver.requests().pop().unwrap();
    assert_eq!(last.header("webhook-id"), sent[0].as_str());
    assert_eq!(last.status, 200);
    let (listed, _) =
        endpoints::list_deliveries(&world.services, &admin, endpoint.id.as_str(), None, 50)
            .await
            .unwrap();
    assert_eq!(listed.len(), 20);
}

async fn rotation_signs_with_both_secrets_during_the_grace_period(app: TestApp) {
    let world = WebhookWorld::new(&app);
    let receiver = Receiver::start().await;
    let endpoint = world.endpoint(&receiver.url("/hook"), EVENTS).await;
    let rotated = endpoints::rotate_secret(&world.services, &world.admin(), endpoint.id.as_str())
        .await
        .unwrap();
    let new_secret = rotated
        .secret
        .clone()
        .expect("the new secret is shown once");
    assert_ne!(new_secret, endpoint.secret);
    world
        .commit_event(EventName::LeadCreated, serde_json::json!({}))
        .await;
    world.relay_and_fan_out().await;
    world.deliver_all().await;
    let request = receiver.requests().pop().unwrap();
    assert_eq!(request.header("webhook-signature").split(' ').count(), 2);
    verify(&world, &new_secret, &request);
    signing::verify(
        &endpoint.secret,
        request.header("webhook-id"),
        request.header("webhook-timestamp"),
        request.header("webhook-signature"),
        &request.body,
        world.clock.now().unix_timestamp(),
    )
    .unwrap();

    // After the grace period only the new secret signs.
    world.clock.advance(time::Duration::hours(25));
    world
        .commit_event(EventName::LeadCreated, serde_json::json!({}))
        .await;
    world.relay_and_fan_out().await;
    world.deliver_all().await;
    let request = receiver.requests().pop().unwrap();
    assert_eq!(request.header("webhook-signature").split(' ').count(), 1);
    verify(&world, &new_secret, &request);
}

async fn internal_addresses_are_refused_on_save_and_at_delivery(app: TestApp) {
    let world = WebhookWorld::with_policy(&app, AddressPolicy::default());
    let admin = world.admin();
    for url in [
        "http://example.com/hook",
        "https://127.0.0.1/hook",
        "https://2130706433/hook",
        "https://0x7f.0.0.1/hook",
        "https://0177.0.0.1/hook",
        "https://10.0.0.5/hook",
        "https://169.254.169.254/latest",
        "https://100.64.1.1/",
        "https://0.0.0.0/",
        "https://[::1]/",
        "https://[fd00::1]/",
        "https://[fe80::1]/",
        "https://[::ffff:127.0.0.1]/",
        "https://[::ffff:a9fe:a9fe]/",
        "https://[2002:7f00:1::]/",
        "https://[64:ff9b::a00:1]/",
        "https://localhost/",
        "javascript:alert(1)",
    ] {
        let refused = endpoints::create_endpoint(
            &world.services,
            &admin,
            CreateEndpoint {
                url: url.into(),
                events: vec!["lead.created".into()],
                enabled: None,
            },
        )
        .await;
        assert!(
            matches!(refused, Err(shared::error::DomainError::Unprocessable(_))),
            "{url}: {refused:?}"
        );
    }
    let unknown = endpoints::create_endpoint(
        &world.services,
        &admin,
        CreateEndpoint {
            url: "https://93.184.215.14/".into(),
            events: vec!["link.exploded".into()],
            enabled: None,
        },
    )
    .await;
    assert!(matches!(
        unknown,
        Err(shared::error::DomainError::Unprocessable(_))
    ));

    // An endpoint whose address turned internal after it was saved (e.g. DNS rebinding)
    // is refused when connecting: stored directly, bypassing the API's check.
    let receiver = Receiver::start().await;
    let endpoint = WebhookEndpoint {
        id: shared::types::WebhookId::parse("wh_rebound").unwrap(),
        program_id: world.program.clone(),
        url: shared::types::WebUrl::parse(&format!("https://{}/hook", receiver.address)).unwrap(),
        events: vec!["lead.created".into()],
        enabled: true,
        secret: signing::generate_secret(world.services.random.as_ref()),
        previous_secret: None,
        previous_secret_expires_at: None,
        consecutive_failures: 0,
        created_at: world.clock.now(),
    };
    world
        .services
        .store
        .put(records::endpoint_put(&endpoint, None).unwrap())
        .await
        .unwrap();
    let event = world
        .commit_event(EventName::LeadCreated, serde_json::json!({}))
        .await;
    world.relay_and_fan_out().await;
    let batch = world
        .deliveries
        .receive(1, std::time::Duration::from_millis(500))
        .await
        .unwrap();
    world
        .services
        .deliver_message(&batch[0].body)
        .await
        .unwrap();
    assert_eq!(receiver.requests().len(), 0);
    let stored = delivery(&world, &event, &endpoint).await;
    assert!(
        stored.log[0]
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("may not reach"),
        "{:?}",
        stored.log
    );
}

fn verify_at(endpoint: &WebhookEndpoint, request: &Received) {
    let timestamp: i64 = request.header("webhook-timestamp").parse().unwrap();
    signing::verify(
        &endpoint.secret,
        request.header("webhook-id"),
        request.header("webhook-timestamp"),
        request.header("webhook-signature"),
        &request.body,
        timestamp,
    )
    .unwrap();
}
