//! Client-side click tracking over both engines: Dub's `POST /track/click` with a publishable
//! key or from an allowed hostname, and StackBE's `POST /v1/affiliate/track` by referral code.

use http::{Method, StatusCode};
use integration_tests::app::{Reply, TestApp, reply};
use integration_tests::engine_tests;
use integration_tests::link_world::{
    CHROME, api_key, call, click_batches, default_group, partner, program, signer, track_services,
};
use serde_json::{Value, json};
use shared::clicks::track::TrackServices;

/// A tracking request with the headers a browser sends.
async fn track(
    app: &TestApp,
    services: &TrackServices,
    path: &str,
    headers: &[(&str, &str)],
    body: Value,
) -> Reply {
    let mut builder = http::Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("content-type", "application/json")
        .header("user-agent", CHROME);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder.body(serde_json::to_vec(&body).unwrap()).unwrap();
    reply(link_admin::handle(&app.ctx, services, request).await)
}

engine_tests!(
    track_click_with_a_publishable_key,
    track_click_from_an_allowed_hostname,
    stackbe_tracks_a_referral_by_code
);

async fn track_click_with_a_publishable_key(app: TestApp) {
    let services = track_services(&app);
    let acme = program(&app, "t.acme.com").await;
    let (jane, jane_link) =
        partner(&app, &acme, "JANE20", Some("user_7"), "https://acme.com/").await;
    let group = default_group(&app, &acme.id).await;
    let discount = integration_tests::app::reply(
        program_admin::handle(
            &app.ctx,
            integration_tests::app::request(
                Method::PUT,
                &format!("/programs/{}/groups/{group}/discount", acme.id),
                Some(&acme.admin),
                Some(json!({"amount": 10, "type": "percentage", "maxDuration": 3})),
            ),
        )
        .await,
    );
    assert_eq!(discount.status, StatusCode::OK, "{}", discount.body);
    let publishable = api_key(&app, &acme.id, json!(["clicks.track"])).await;
    let bearer = format!("Bearer {publishable}");
    let body = json!({"domain": "t.acme.com", "key": "jane20", "url": "https://acme.com/?via=jane20",
                      "referrer": "https://news.ycombinator.com/item?id=1"});
    let headers = [
        ("authorization", bearer.as_str()),
        ("x-forwarded-for", "198.51.100.4"),
        ("cloudfront-viewer-country", "NL"),
    ];

    let tracked = track(&app, &services, "/track/click", &headers, body.clone()).await;
    assert_eq!(tracked.status, StatusCode::OK, "{}", tracked.body);
    let click_id = tracked.body["clickId"].as_str().unwrap().to_owned();
    let claims = signer().verify(&click_id).unwrap();
    assert_eq!(claims.link_id, jane_link.id);
    assert_eq!(claims.country.as_deref(), Some("NL"));
    assert_eq!(
        tracked.body["partner"],
        json!({"id": jane.id, "name": "Partner JANE20", "image": null,
        "groupId": group, "tenantId": "user_7"})
    );
    assert_eq!(tracked.body["discount"]["amount"], 10);
    assert_eq!(tracked.body["discount"]["type"], "percentage");
    assert_eq!(tracked.body["discount"]["maxDuration"], 3);

    let batches = click_batches(app.clicks.as_ref()).await;
    assert_eq!(batches.len(), 1);
    let click = &batches[0].clicks[0];
    assert_eq!(
        (click.id.as_str(), click.referer.as_deref()),
        (click_id.as_str(), Some("news.ycombinator.com"))
    );
    assert_eq!(click.partner_id.as_ref(), Some(&jane.id));
    assert_eq!(click.device, "Desktop");

    // The same visitor within the hour: the same click id, not counted again.
    let again = track(&app, &services, "/track/click", &headers, body.clone()).await;
    assert_eq!(again.body["clickId"], click_id.as_str());
    assert!(click_batches(app.clicks.as_ref()).await.is_empty());

    // Refusals change nothing.
    let reader = format!(
        "Bearer {}",
        api_key(&app, &acme.id, json!(["links.read"])).await
    );
    let other = program(&app, "t.other.com").await;
    let foreign = format!("Bearer {}", other.key);
    for (credential, status) in [
        (reader.as_str(), StatusCode::FORBIDDEN),
        (foreign.as_str(), StatusCode::NOT_FOUND),
        ("Bearer plk_unknown", StatusCode::UNAUTHORIZED),
    ] {
        let refused = track(
            &app,
            &services,
            "/track/click",
            &[("authorization", credential)],
            body.clone(),
        )
        .await;
        assert_eq!(refused.status, status, "{}", refused.body);
        refused.error_code();
    }
    let unknown = track(
        &app,
        &services,
        "/track/click",
        &headers,
        json!({"domain": "t.acme.com", "key": "nobody"}),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let malformed = track(
        &app,
        &services,
        "/track/click",
        &headers,
        json!({"domain": "t.acme.com"}),
    )
    .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    let disabled = call(
        &app,
        &services,
        Method::PATCH,
        &format!("/links/{}", jane_link.id),
        Some(&acme.key),
        Some(json!({"disabled": true})),
    )
    .await;
    assert_eq!(disabled.status, StatusCode::OK);
    let off = track(
        &app,
        &services,
        "/track/click",
        &[
            ("authorization", bearer.as_str()),
            ("x-forwarded-for", "198.51.100.5"),
        ],
        body,
    )
    .await;
    assert_eq!(off.status, StatusCode::NOT_FOUND);
    assert!(click_batches(app.clicks.as_ref()).await.is_empty());
}

async fn track_click_from_an_allowed_hostname(app: TestApp) {
    let services = track_services(&app);
    let acme = program(&app, "h.acme.com").await;
    let track_track = call(
        &app,
        &services,
        Method::POST,
        "/links",
        Some(&acme.key),
        Some(json!({"url": "https://acme.com/", "key": "spring"})),
    )
    .await;
    assert_eq!(track_track.status, StatusCode::OK);
    let body = json!({"domain": "h.acme.com", "key": "spring"});
    let from_shop = [("origin", "https://shop.acme.com")];
    let refused = track(&app, &services, "/track/click", &from_shop, body.clone()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    let settings = |hostnames: Value| {
        integration_tests::app::request(
            Method::PATCH,
            &format!("/programs/{}", acme.id),
            Some(&acme.admin),
            Some(json!({"settings": {"allowedHostnames": hostnames}})),
        )
    };
    let bad = reply(program_admin::handle(&app.ctx, settings(json!(["https://acme.com"]))).await);
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = reply(program_admin::handle(&app.ctx, settings(json!(["*.acme.com"]))).await);
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(
        set.body["settings"]["allowedHostnames"],
        json!(["*.acme.com"])
    );

    let allowed = track(&app, &services, "/track/click", &from_shop, body.clone()).await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.body);
    assert_eq!(allowed.body["partner"], Value::Null);
    let by_referer = track(
        &app,
        &services,
        "/track/click",
        &[
            ("referer", "https://acme.com/pricing"),
            ("x-forwarded-for", "198.51.100.8"),
        ],
        body.clone(),
    )
    .await;
    assert_eq!(by_referer.status, StatusCode::OK);
    let evil = track(
        &app,
        &services,
        "/track/click",
        &[("origin", "https://acme.com.evil.io")],
        body,
    )
    .await;
    assert_eq!(evil.status, StatusCode::FORBIDDEN);
    let clicks: usize = click_batches(app.clicks.as_ref())
        .await
        .iter()
        .map(|b| b.clicks.len())
        .sum();
    assert_eq!(clicks, 2);
}

async fn stackbe_tracks_a_referral_by_code(app: TestApp) {
    let services = track_services(&app);
    let acme = program(&app, "s.acme.com").await;
    let (jane, jane_link) = partner(&app, &acme, "JANE20", None, "https://acme.com/").await;
    let website = api_key(
        &app,
        &acme.id,
        json!(["applications.submit", "clicks.track"]),
    )
    .await;
    let headers = [("x-api-key", website.as_str())];
    let tracked = track(
        &app,
        &services,
        "/v1/affiliate/track",
        &headers,
        json!({"code": "jane20", "url": "https://acme.com/?ref=JANE20"}),
    )
    .await;
    assert_eq!(tracked.status, StatusCode::OK, "{}", tracked.body);
    assert_eq!(tracked.body["tracked"], true);
    assert_eq!(tracked.body["partnerId"], jane.id.as_str());
    assert_eq!(tracked.body["code"], "JANE20");
    let claims = signer()
        .verify(tracked.body["clickId"].as_str().unwrap())
        .unwrap();
    assert_eq!(claims.link_id, jane_link.id);
    assert_eq!(click_batches(app.clicks.as_ref()).await.len(), 1);

    let unknown = track(
        &app,
        &services,
        "/v1/affiliate/track",
        &headers,
        json!({"code": "NOBODY"}),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let anonymous = track(
        &app,
        &services,
        "/v1/affiliate/track",
        &[],
        json!({"code": "JANE20"}),
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let submit_only = api_key(&app, &acme.id, json!(["applications.submit"])).await;
    let no_scope = track(
        &app,
        &services,
        "/v1/affiliate/track",
        &[("x-api-key", submit_only.as_str())],
        json!({"code": "JANE20"}),
    )
    .await;
    assert_eq!(no_scope.status, StatusCode::FORBIDDEN);
    assert!(click_batches(app.clicks.as_ref()).await.is_empty());
}
