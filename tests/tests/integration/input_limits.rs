//! Inputs the store cannot hold: every route of every HTTP function, walked from its own route
//! table, answers 422 in the envelope to a 20 KB identifier in a path parameter, a query
//! parameter or a body field, on both engines, and writes nothing.

use http::{Method, StatusCode};
use integration_tests::app::{Reply, TestApp, reply, request};
use integration_tests::engine_tests;
use integration_tests::link_world::track_services;
use integration_tests::tracking_world::{TrackingProgram, signer};
use integration_tests::webhook_world::WebhookWorld;
use serde_json::json;
use shared::partner_listing::PartnerDirectory;
use shared::portal::PortalLinkSigner;
use shared::store::{Query, schema};
use shared::web::Route;
use std::time::Duration;

/// Every route of every HTTP function: (function, method, pattern).
fn every_route() -> Vec<(&'static str, Method, &'static str)> {
    fn of<E>(
        function: &'static str,
        routes: &[Route<E>],
    ) -> Vec<(&'static str, Method, &'static str)> {
        routes
            .iter()
            .map(|r| (function, r.method.clone(), r.pattern))
            .collect()
    }
    [
        of("program-admin", program_admin::ROUTES),
        of("partner-applications", partner_applications::ROUTES),
        of("link-admin", link_admin::ROUTES),
        of("partner-admin", partner_admin::ROUTES),
        of("webhook-admin", webhook_admin::ROUTES),
        of("conversion-tracking", conversion_tracking::ROUTES),
        of("commission-admin", commission_admin::ROUTES),
        of("partner-portal", partner_portal::ROUTES),
        of("stripe-webhook", stripe_webhook::ROUTES),
    ]
    .concat()
}

async fn call(app: &TestApp, function: &str, request: http::Request<Vec<u8>>) -> Reply {
    let ctx = &app.ctx;
    reply(match function {
        "program-admin" => program_admin::handle(ctx, request).await,
        "partner-applications" => partner_applications::handle(ctx, request).await,
        "link-admin" => link_admin::handle(ctx, &track_services(app), request).await,
        "partner-admin" => {
            partner_admin::handle(ctx, &PartnerDirectory::new(Duration::ZERO), request).await
        }
        "webhook-admin" => {
            webhook_admin::handle(ctx, &WebhookWorld::new(app).services, request).await
        }
        "conversion-tracking" => conversion_tracking::handle(ctx, &signer(), request).await,
        "commission-admin" => commission_admin::handle(ctx, request).await,
        "partner-portal" => {
            let links = PortalLinkSigner::new(
                b"portal-link-secret-of-the-tests-32b!",
                "https://partners.example.com/portal".parse().unwrap(),
            );
            partner_portal::handle(ctx, &links, request).await
        }
        "stripe-webhook" => {
            let endpoints = integration_tests::stripe_world::endpoints(
                &shared::types::ProgramId::parse("prog_limits").unwrap(),
            );
            stripe_webhook::handle(ctx, &signer(), &endpoints, request).await
        }
        other => panic!("unknown function {other}"),
    })
}

/// The pattern with every `{param}` replaced by `value`.
fn filled(pattern: &str, value: &str) -> String {
    pattern
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                value
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// How many items the program's table holds (nothing may be written by a refused request).
async fn items(app: &TestApp, world: &TrackingProgram) -> usize {
    let events = app
        .store
        .query(Query::table(shared::layout::events_pk(&world.program.id)).consistent())
        .await
        .unwrap();
    let commissions = app
        .store
        .query(Query::index(
            schema::GSI1.name,
            shared::layout::commissions_index_pk(&world.program.id),
        ))
        .await
        .unwrap();
    events.items.len() + commissions.items.len()
}

fn assert_refused(reply: &Reply, what: &str) {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{what}: {}",
        reply.body
    );
    assert_eq!(reply.error_code(), "unprocessable_entity", "{what}");
}

engine_tests!(
    every_route_refuses_identifiers_the_store_cannot_hold,
    the_reported_routes_answer_422_and_an_id_at_the_limit_is_served
);

async fn every_route_refuses_identifiers_the_store_cannot_hold(app: TestApp) {
    let world = TrackingProgram::create(&app, "go.acme.test").await;
    let huge = "t".repeat(20 * 1024);
    let before = items(&app, &world).await;
    let routes = every_route();
    assert!(routes.len() > 40, "{} routes", routes.len());
    for (function, method, pattern) in routes {
        let what = format!("{function} {method} {pattern}");
        // A query parameter, with real ids in the path.
        let path = filled(pattern, "pn_1");
        let query = format!("{path}?tenantId={huge}");
        let with_query = call(
            &app,
            function,
            request(method.clone(), &query, Some(&world.key), None),
        )
        .await;
        assert_refused(&with_query, &format!("{what} (query)"));
        // A body field.
        let body = json!({"tenantId": huge, "partnerId": "pn_1"});
        let with_body = call(
            &app,
            function,
            request(method.clone(), &path, Some(&world.key), Some(body)),
        )
        .await;
        assert_refused(&with_body, &format!("{what} (body)"));
        // A path parameter, where the route has one.
        if pattern.contains('{') {
            let long_path = filled(pattern, &huge);
            let with_path = call(
                &app,
                function,
                request(method.clone(), &long_path, Some(&world.key), None),
            )
            .await;
            assert_refused(&with_path, &format!("{what} (path)"));
        }
    }
    assert_eq!(items(&app, &world).await, before, "a refused request wrote");
}

async fn the_reported_routes_answer_422_and_an_id_at_the_limit_is_served(app: TestApp) {
    let world = TrackingProgram::create(&app, "go.acme.test").await;
    let huge = "t".repeat(20 * 1024);
    for (function, method, path, body) in [
        (
            "partner-admin",
            Method::GET,
            format!("/partners?tenantId={huge}"),
            None,
        ),
        (
            "commission-admin",
            Method::GET,
            format!("/commissions?tenantId={huge}"),
            None,
        ),
        (
            "link-admin",
            Method::GET,
            format!("/partners/links?tenantId={huge}"),
            None,
        ),
        (
            "partner-admin",
            Method::POST,
            "/partners/ban".into(),
            Some(json!({"tenantId": huge, "reason": "fraud"})),
        ),
        (
            "partner-portal",
            Method::POST,
            "/partners/sessions".into(),
            Some(json!({"tenantId": huge})),
        ),
    ] {
        let reply = call(
            &app,
            function,
            request(method.clone(), &path, Some(&world.key), body),
        )
        .await;
        assert_refused(&reply, &format!("{method} {}", &path[..path.len().min(40)]));
    }
    let at_limit = "t".repeat(shared::web::limits::MAX_ID_CHARS);
    let served = call(
        &app,
        "partner-admin",
        request(
            Method::GET,
            &format!("/partners?tenantId={at_limit}"),
            Some(&world.key),
            None,
        ),
    )
    .await;
    assert_eq!(served.status, StatusCode::OK, "{}", served.body);
    let served = call(
        &app,
        "commission-admin",
        request(
            Method::GET,
            &format!("/commissions?tenantId={at_limit}"),
            Some(&world.key),
            None,
        ),
    )
    .await;
    assert_eq!(served.status, StatusCode::OK, "{}", served.body);
}
