//! The click redirect over both engines: every redirect rule, bots, repeat visitors, cookies,
//! parameters, the caches, and click batches reaching the click queue on size, age and
//! shutdown.

use http::Method;
use integration_tests::app::TestApp;
use integration_tests::engine_tests;
use integration_tests::link_world::{
    ANDROID, CHROME, IPHONE, RedirectWorld, call, click_batches, partner, program, sent_clicks,
    signer, track_services,
};
use serde_json::json;
use shared::clicks::RedirectSettings;
use shared::clicks::redirect::pages;
use time::Duration;
use time::format_description::well_known::Rfc3339;

/// Creates a link through the API; returns its id.
async fn link(app: &TestApp, key: &str, body: serde_json::Value) -> String {
    let track = track_services(app);
    let created = call(app, &track, Method::POST, "/links", Some(key), Some(body)).await;
    assert_eq!(created.status, 200, "{}", created.body);
    created.body["id"].as_str().unwrap().to_owned()
}

fn click_id_in(location: &str, param: &str) -> String {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .find(|(name, _)| name == param)
        .map(|(_, value)| value.into_owned())
        .unwrap_or_else(|| panic!("no {param} in {location}"))
}

engine_tests!(
    every_redirect_rule,
    bots_are_redirected_and_not_counted,
    repeat_visitors_keep_their_click_id_and_count_once,
    click_records_carry_what_attribution_and_reports_need,
    the_caches_serve_recent_state_then_expire,
    cached_links_are_kept_while_the_change_notes_are_quiet_and_dropped_when_they_speak,
    buffered_clicks_reach_the_queue_on_size_age_and_shutdown
);

async fn every_redirect_rule(app: TestApp) {
    let acme = program(&app, "r.acme.com").await;
    let key = acme.key.as_str();
    let spring = link(
        &app,
        key,
        json!({"url": "https://acme.com/pricing?plan=pro&utm_source=site",
        "key": "spring", "geo": {"DE": "https://acme.de/"},
        "ios": "https://apps.apple.com/acme", "android": "https://play.google.com/acme"}),
    )
    .await;
    link(
        &app,
        key,
        json!({"url": "https://acme.com/", "key": "_root"}),
    )
    .await;
    link(
        &app,
        key,
        json!({"url": "https://acme.com/off", "key": "off", "disabled": true}),
    )
    .await;
    let past = (time::OffsetDateTime::now_utc() - Duration::hours(1))
        .format(&Rfc3339)
        .unwrap();
    link(
        &app,
        key,
        json!({"url": "https://acme.com/old", "key": "old", "expiresAt": past,
        "expiredUrl": "https://acme.com/sale-over"}),
    )
    .await;
    link(
        &app,
        key,
        json!({"url": "https://acme.com/gone", "key": "gone", "expiresAt": past}),
    )
    .await;
    let (jane, jane_link) = partner(&app, &acme, "JANE20", None, "https://acme.com/").await;
    let world = RedirectWorld::new(&app);

    // 302, incoming parameters override the destination's, the click id is appended.
    let hit = world
        .get("r.acme.com", "/spring?utm_source=tw&x=1", "198.51.100.1")
        .await;
    assert_eq!(hit.status, 302);
    let location = hit.location.unwrap();
    assert!(
        location.starts_with("https://acme.com/pricing?plan=pro&utm_source=tw&x=1&dub_id=clk_"),
        "{location}"
    );
    let claims = signer().verify(&click_id_in(&location, "dub_id")).unwrap();
    assert_eq!(claims.link_id.as_str(), spring);
    assert!(hit.page.is_none());

    // Device, then country, then the default URL; the host's case and port do not matter.
    let ios = world
        .visit("R.ACME.COM:443", "/Spring", |v| shared::clicks::Visit {
            user_agent: IPHONE,
            country: Some("DE"),
            ..v
        })
        .await;
    assert!(
        ios.location
            .unwrap()
            .starts_with("https://apps.apple.com/acme?dub_id=")
    );
    let android = world
        .visit("r.acme.com", "/spring", |v| shared::clicks::Visit {
            user_agent: ANDROID,
            ..v
        })
        .await;
    assert!(
        android
            .location
            .unwrap()
            .starts_with("https://play.google.com/acme?dub_id=")
    );
    let german = world
        .visit("r.acme.com", "/spring", |v| shared::clicks::Visit {
            country: Some("de"),
            client_ip: "198.51.100.2",
            ..v
        })
        .await;
    assert!(
        german
            .location
            .unwrap()
            .starts_with("https://acme.de/?dub_id=")
    );
    let french = world
        .visit("r.acme.com", "/spring", |v| shared::clicks::Visit {
            country: Some("FR"),
            client_ip: "198.51.100.3",
            ..v
        })
        .await;
    assert!(
        french
            .location
            .unwrap()
            .starts_with("https://acme.com/pricing?")
    );

    // The root link is permanent.
    let root = world.get("r.acme.com", "/", "198.51.100.1").await;
    assert_eq!(root.status, 301);
    assert!(
        root.location
            .unwrap()
            .starts_with("https://acme.com/?dub_id=clk_")
    );

    // Unknown and disabled: the not-found page.
    for path in ["/nope", "/off", "/wp-login.php/x"] {
        let missing = world.get("r.acme.com", path, "198.51.100.1").await;
        assert_eq!(
            (missing.status, missing.page),
            (404, Some(pages::NOT_FOUND)),
            "{path}"
        );
        assert!(missing.location.is_none());
    }
    let other_domain = world
        .get("unknown.example.com", "/spring", "198.51.100.1")
        .await;
    assert_eq!(other_domain.status, 404);

    // Expired: to expiredUrl, else the expired page.
    let old = world.get("r.acme.com", "/old", "198.51.100.1").await;
    assert_eq!(
        (old.status, old.location.as_deref()),
        (302, Some("https://acme.com/sale-over"))
    );
    let gone = world.get("r.acme.com", "/gone", "198.51.100.1").await;
    assert_eq!((gone.status, gone.page), (410, Some(pages::EXPIRED)));

    // Partner links carry via=<key>.
    let via = world
        .get("r.acme.com", "/JANE20", "198.51.100.1")
        .await
        .location
        .unwrap();
    assert!(
        via.starts_with("https://acme.com/?via=jane20&dub_id=clk_"),
        "{via}"
    );

    // Only counted clicks were recorded: spring ×5, root, jane.
    let clicks = sent_clicks(&world, app.clicks.as_ref()).await;
    assert_eq!(clicks.len(), 7, "{clicks:?}");
    assert!(
        clicks
            .iter()
            .filter(|c| c.link_id == jane_link.id)
            .all(|c| c.partner_id.as_ref() == Some(&jane.id))
    );

    // The program's click-id parameter.
    let track = track_services(&app);
    let changed = integration_tests::app::reply(
        program_admin::handle(
            &app.ctx,
            integration_tests::app::request(
                Method::PATCH,
                &format!("/programs/{}", acme.id),
                Some(&acme.admin),
                Some(json!({"settings": {"clickIdParam": "ref_id", "attributionWindowDays": 60}})),
            ),
        )
        .await,
    );
    assert_eq!(changed.status, 200, "{}", changed.body);
    drop(track);
    let fresh = RedirectWorld::new(&app);
    let custom = fresh.get("r.acme.com", "/spring", "198.51.100.9").await;
    assert!(custom.location.unwrap().contains("&ref_id=clk_"));
    assert!(
        custom
            .set_cookie
            .unwrap()
            .contains(&format!("Max-Age={}", 60 * 86_400))
    );
}

async fn bots_are_redirected_and_not_counted(app: TestApp) {
    let acme = program(&app, "b.acme.com").await;
    link(
        &app,
        &acme.key,
        json!({"url": "https://acme.com/x?a=1", "key": "promo"}),
    )
    .await;
    let world = RedirectWorld::new(&app);
    let bots: [(bool, &str, &str); 6] = [
        (true, "/promo", CHROME),
        (false, "/promo?bot", CHROME),
        (false, "/promo?bot=1&a=2", CHROME),
        (
            false,
            "/promo",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        ),
        (
            false,
            "/promo",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        ),
        (false, "/promo", ""),
    ];
    for (head, path, agent) in bots {
        let answer = world
            .visit("b.acme.com", path, |v| shared::clicks::Visit {
                head,
                user_agent: agent,
                ..v
            })
            .await;
        assert_eq!(answer.status, 302, "{path} {agent}");
        let location = answer.location.unwrap();
        assert!(location.starts_with("https://acme.com/x?a="), "{location}");
        assert!(
            !location.contains("dub_id"),
            "a bot gets no click id: {location}"
        );
        assert!(answer.set_cookie.is_none());
    }
    assert!(sent_clicks(&world, app.clicks.as_ref()).await.is_empty());
    world.get("b.acme.com", "/promo", "198.51.100.7").await;
    assert_eq!(
        sent_clicks(&world, app.clicks.as_ref()).await.len(),
        1,
        "a person counts"
    );
}

async fn repeat_visitors_keep_their_click_id_and_count_once(app: TestApp) {
    let acme = program(&app, "d.acme.com").await;
    link(
        &app,
        &acme.key,
        json!({"url": "https://acme.com/", "key": "a"}),
    )
    .await;
    link(
        &app,
        &acme.key,
        json!({"url": "https://acme.com/", "key": "b"}),
    )
    .await;
    let world = RedirectWorld::new(&app);

    // Without cookies: the same IP and agent within the hour is the same visitor.
    let first = world.get("d.acme.com", "/a", "198.51.100.1").await;
    let id = click_id_in(first.location.as_deref().unwrap(), "dub_id");
    let cookie = first.set_cookie.clone().unwrap();
    assert!(cookie.starts_with("pl_click_link_"), "{cookie}");
    assert!(
        cookie.contains(&format!(
            "={id}; Max-Age={}; Path=/; HttpOnly; SameSite=Lax; Secure",
            30 * 86_400
        )),
        "{cookie}"
    );
    for _ in 0..3 {
        let repeat = world.get("d.acme.com", "/a", "198.51.100.1").await;
        assert_eq!(
            click_id_in(repeat.location.as_deref().unwrap(), "dub_id"),
            id
        );
    }
    let other_agent = world
        .visit("d.acme.com", "/a", |v| shared::clicks::Visit {
            client_ip: "198.51.100.1",
            user_agent: IPHONE,
            ..v
        })
        .await;
    assert_ne!(
        click_id_in(other_agent.location.as_deref().unwrap(), "dub_id"),
        id
    );
    let other_link = world.get("d.acme.com", "/b", "198.51.100.1").await;
    assert_ne!(
        click_id_in(other_link.location.as_deref().unwrap(), "dub_id"),
        id
    );
    assert_eq!(sent_clicks(&world, app.clicks.as_ref()).await.len(), 3);

    // With the cookie, from anywhere: the same click id, not counted, no new cookie.
    let pair = cookie.split(';').next().unwrap().to_owned();
    let jar = format!("theme=dark; {pair}");
    let returning = world
        .visit("d.acme.com", "/a", |v| shared::clicks::Visit {
            client_ip: "192.0.2.99",
            cookies: Some(&jar),
            ..v
        })
        .await;
    assert_eq!(
        click_id_in(returning.location.as_deref().unwrap(), "dub_id"),
        id
    );
    assert!(returning.set_cookie.is_none());
    // The cookie of link a means nothing on link b, and a forged one is ignored.
    let wrong_link = world
        .visit("d.acme.com", "/b", |v| shared::clicks::Visit {
            client_ip: "192.0.2.98",
            cookies: Some(&jar),
            ..v
        })
        .await;
    assert_ne!(
        click_id_in(wrong_link.location.as_deref().unwrap(), "dub_id"),
        id
    );
    let forged = pair.replace(&id[..20], "clk_AAAAAAAAAAAAAAAA");
    let tampered = world
        .visit("d.acme.com", "/a", |v| shared::clicks::Visit {
            client_ip: "192.0.2.97",
            cookies: Some(&forged),
            ..v
        })
        .await;
    assert_ne!(
        click_id_in(tampered.location.as_deref().unwrap(), "dub_id"),
        id
    );
    assert_eq!(
        sent_clicks(&world, app.clicks.as_ref()).await.len(),
        2,
        "link b and the forged cookie count"
    );

    // After the hour, the same visitor (and cookie) counts again with a new click id.
    world.clock.advance(Duration::minutes(61));
    let later = world
        .visit("d.acme.com", "/a", |v| shared::clicks::Visit {
            client_ip: "198.51.100.1",
            cookies: Some(&jar),
            ..v
        })
        .await;
    assert_ne!(
        click_id_in(later.location.as_deref().unwrap(), "dub_id"),
        id
    );
    assert!(later.set_cookie.is_some());
    assert_eq!(sent_clicks(&world, app.clicks.as_ref()).await.len(), 1);
}

async fn click_records_carry_what_attribution_and_reports_need(app: TestApp) {
    let acme = program(&app, "c.acme.com").await;
    let (jane, jane_link) = partner(&app, &acme, "JANE", None, "https://acme.com/").await;
    let world = RedirectWorld::new(&app);
    let answer = world
        .visit("c.acme.com", "/jane?qr=1", |v| shared::clicks::Visit {
            user_agent: IPHONE,
            country: Some("de"),
            referer: Some("https://www.twitter.com/acme/status/1"),
            ..v
        })
        .await;
    let location = answer.location.unwrap();
    assert!(
        !location.contains("qr="),
        "control parameters stay behind: {location}"
    );
    let clicks = sent_clicks(&world, app.clicks.as_ref()).await;
    assert_eq!(clicks.len(), 1);
    let click = &clicks[0];
    assert_eq!(click.id.as_str(), click_id_in(&location, "dub_id"));
    assert_eq!(click.timestamp, world.now());
    assert_eq!(click.link_id, jane_link.id);
    assert_eq!(click.partner_id.as_ref(), Some(&jane.id));
    assert_eq!(click.program_id, acme.id);
    assert_eq!(click.country.as_deref(), Some("DE"));
    assert_eq!(
        (
            click.device.as_str(),
            click.browser.as_str(),
            click.os.as_str()
        ),
        ("Mobile", "Safari", "iOS")
    );
    assert_eq!(click.referer.as_deref(), Some("twitter.com"));
    assert!(click.qr);
    let claims = signer().verify(click.id.as_str()).unwrap();
    assert_eq!(claims.country.as_deref(), Some("DE"));
}

async fn the_caches_serve_recent_state_then_expire(app: TestApp) {
    let acme = program(&app, "k.acme.com").await;
    let world = RedirectWorld::new(&app);
    assert_eq!(
        world
            .get("k.acme.com", "/later", "198.51.100.1")
            .await
            .status,
        404
    );
    let id = link(
        &app,
        &acme.key,
        json!({"url": "https://acme.com/", "key": "later"}),
    )
    .await;
    assert_eq!(
        world
            .get("k.acme.com", "/later", "198.51.100.1")
            .await
            .status,
        404,
        "not found is cached"
    );
    world.clock.advance(Duration::seconds(6));
    assert_eq!(
        world
            .get("k.acme.com", "/later", "198.51.100.1")
            .await
            .status,
        302
    );
    let track = track_services(&app);
    let disabled = call(
        &app,
        &track,
        Method::PATCH,
        &format!("/links/{id}"),
        Some(&acme.key),
        Some(json!({"disabled": true})),
    )
    .await;
    assert_eq!(disabled.status, 200);
    assert_eq!(
        world
            .get("k.acme.com", "/later", "198.51.100.1")
            .await
            .status,
        302,
        "found is cached"
    );
    world.clock.advance(Duration::seconds(6));
    assert_eq!(
        world
            .get("k.acme.com", "/later", "198.51.100.1")
            .await
            .status,
        404
    );
}

async fn cached_links_are_kept_while_the_change_notes_are_quiet_and_dropped_when_they_speak(
    app: TestApp,
) {
    let acme = program(&app, "n.acme.com").await;
    let edit = link(
        &app,
        &acme.key,
        json!({"url": "https://acme.com/a", "key": "edit"}),
    )
    .await;
    link(
        &app,
        &acme.key,
        json!({"url": "https://acme.com/b", "key": "quiet"}),
    )
    .await;
    let (jane, jane_link) = partner(&app, &acme, "JANE20", None, "https://acme.com/").await;
    let jane_path = format!("/{}", jane_link.key);
    let world = RedirectWorld::new(&app);
    // The API writes its notes at the system clock's time: the redirect's clock starts
    // 5 minutes behind it, so that its steps below never pass it (as in production, where
    // both read the same time).
    world.clock.advance(-Duration::minutes(5));
    for path in ["/edit", "/quiet", jane_path.as_str()] {
        assert_eq!(
            world.get("n.acme.com", path, "198.51.100.1").await.status,
            302,
            "{path}"
        );
    }
    // The claim of "quiet" disappears behind the API's back (no note): the instance keeps
    // serving its cached copy past link_ttl, because the notes say nothing changed...
    app.store
        .delete(shared::store::Delete {
            key: shared::layout::link_key_claim("n.acme.com", "quiet"),
            condition: None,
        })
        .await
        .unwrap();
    for _ in 0..12 {
        world.clock.advance(Duration::seconds(5));
        assert_eq!(
            world
                .get("n.acme.com", "/quiet", "198.51.100.2")
                .await
                .status,
            302
        );
    }
    // A change through the API is seen at the next read of the notes.
    assert_eq!(
        world
            .get("n.acme.com", "/edit", "198.51.100.3")
            .await
            .status,
        302
    );
    world.clock.advance(Duration::minutes(2));
    assert_eq!(
        world
            .get("n.acme.com", "/edit", "198.51.100.3")
            .await
            .status,
        302
    );
    let track = track_services(&app);
    let moved = call(
        &app,
        &track,
        Method::PATCH,
        &format!("/links/{edit}"),
        Some(&acme.key),
        Some(json!({"url": "https://acme.com/moved"})),
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    world.clock.advance(Duration::seconds(5));
    let location = world
        .get("n.acme.com", "/edit", "198.51.100.3")
        .await
        .location
        .unwrap();
    assert!(location.starts_with("https://acme.com/moved"), "{location}");

    // A ban: one note for the partner's links of the domain.
    assert_eq!(
        world
            .get("n.acme.com", &jane_path, "198.51.100.4")
            .await
            .status,
        302
    );
    let directory = shared::partner_listing::PartnerDirectory::new(std::time::Duration::ZERO);
    let banned = integration_tests::app::reply(
        partner_admin::handle(
            &app.ctx,
            &directory,
            integration_tests::app::request(
                Method::POST,
                "/partners/ban",
                Some(&acme.key),
                Some(json!({"partnerId": jane.id, "reason": "fraud"})),
            ),
        )
        .await,
    );
    assert_eq!(banned.status, 200, "{}", banned.body);
    world.clock.advance(Duration::seconds(5));
    assert_eq!(
        world
            .get("n.acme.com", &jane_path, "198.51.100.4")
            .await
            .status,
        404
    );
    assert_eq!(
        world
            .get("n.acme.com", "/edit", "198.51.100.5")
            .await
            .status,
        302
    );
    // The quiet link's copy is kept until link_max_age: then it reads the claim again.
    world
        .clock
        .advance(RedirectSettings::default().link_max_age);
    assert_eq!(
        world
            .get("n.acme.com", "/quiet", "198.51.100.2")
            .await
            .status,
        404
    );
}

async fn buffered_clicks_reach_the_queue_on_size_age_and_shutdown(app: TestApp) {
    let acme = program(&app, "q.acme.com").await;
    link(
        &app,
        &acme.key,
        json!({"url": "https://acme.com/", "key": "q"}),
    )
    .await;
    let world = RedirectWorld::with_buffer(&app, Some(2_000));

    // Size: batches close when the next click would not fit, and are sent at once.
    let mut counted = 0;
    while click_batches(app.clicks.as_ref()).await.is_empty() {
        counted += 1;
        assert!(counted < 50, "no batch was sent on size");
        world
            .get("q.acme.com", "/q", &format!("10.0.0.{counted}"))
            .await;
    }
    assert!(counted > 2, "a batch holds several clicks");
    assert_eq!(
        world.redirector.pending_clicks(),
        1,
        "the last click opened the next batch"
    );

    // Age: a request after the bound sends the open batch, whatever the request is.
    world
        .clock
        .advance(RedirectSettings::default().batch_max_age + Duration::seconds(1));
    world.get("q.acme.com", "/unknown", "10.0.1.1").await;
    let aged = click_batches(app.clicks.as_ref()).await;
    assert_eq!(aged.iter().map(|b| b.clicks.len()).sum::<usize>(), 1);
    assert_eq!(world.redirector.pending_clicks(), 0);

    // Shutdown: everything goes.
    for n in 0..3 {
        world.get("q.acme.com", "/q", &format!("10.0.2.{n}")).await;
    }
    assert!(
        click_batches(app.clicks.as_ref()).await.is_empty(),
        "not due yet"
    );
    assert_eq!(world.redirector.flush(true).await.unwrap(), 3);
    let at_shutdown = click_batches(app.clicks.as_ref()).await;
    assert_eq!(at_shutdown.len(), 1);
    assert_eq!(at_shutdown[0].clicks.len(), 3);
    assert_ne!(at_shutdown[0].batch_id, aged[0].batch_id);
    assert!(at_shutdown[0].to_body().len() <= 2_000);
}
