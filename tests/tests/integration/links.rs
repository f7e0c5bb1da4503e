//! Link management over both engines: Dub's `/links` and `/partners/links` endpoints, their
//! validation and key rules, and the `link.*` events.

use http::{Method, StatusCode};
use integration_tests::app::TestApp;
use integration_tests::engine_tests;
use integration_tests::link_world::{api_key, call, partner, program, track_services};
use serde_json::{Value, json};
use shared::links::repo;
use shared::store::{Query, get_s};

async fn events(app: &TestApp, program: &shared::types::ProgramId) -> Vec<String> {
    let page = app
        .store
        .query(Query::table(shared::layout::events_pk(program)))
        .await
        .unwrap();
    page.items
        .iter()
        .map(|item| {
            let body: Value = serde_json::from_str(get_s(item, "body").unwrap()).unwrap();
            body["event"].as_str().unwrap().to_owned()
        })
        .filter(|name| name.starts_with("link."))
        .collect()
}

engine_tests!(
    links_are_created_read_changed_and_deleted,
    bad_links_are_refused_and_change_nothing,
    dubs_link_fields_are_kept_and_every_field_of_its_schema_is_shown,
    links_are_listed_newest_first_filtered_paged_and_counted,
    a_partner_link_is_upserted_by_its_destination,
    qr_codes_are_public_pngs_of_bounded_size,
    partner_links_are_made_and_listed_by_partner_or_tenant,
    a_link_is_upserted_by_its_destination,
    links_are_created_in_bulk_all_or_none,
    a_bulk_create_cut_short_is_finished_by_sending_it_again,
    links_are_updated_and_deleted_in_bulk
);

async fn links_are_created_read_changed_and_deleted(app: TestApp) {
    let track = track_services(&app);
    let acme = program(&app, "go.acme.com").await;
    let key = Some(acme.key.as_str());

    let created = call(
        &app,
        &track,
        Method::POST,
        "/links",
        key,
        Some(json!({"url": "https://acme.com/pricing", "key": "Spring",
                    "geo": {"de": "https://acme.de/"}, "ios": "https://apps.apple.com/acme"})),
    )
    .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(created.body["key"], "spring", "keys are stored lower-cased");
    assert_eq!(created.body["domain"], "go.acme.com");
    assert_eq!(created.body["shortLink"], "https://go.acme.com/spring");
    assert_eq!(created.body["geo"]["DE"], "https://acme.de/");
    assert_eq!(created.body["clicks"], 0);
    let id = created.body["id"].as_str().unwrap().to_owned();

    // The same key in another case is taken.
    let again = call(
        &app,
        &track,
        Method::POST,
        "/links",
        key,
        Some(json!({"url": "https://acme.com/", "key": "SPRING"})),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.error_code(), "conflict");

    // A random key, and the root link.
    let random = call(
        &app,
        &track,
        Method::POST,
        "/links",
        key,
        Some(json!({"url": "https://acme.com/r"})),
    )
    .await;
    assert_eq!(random.status, StatusCode::OK, "{}", random.body);
    assert_eq!(random.body["key"].as_str().unwrap().len(), 7);
    let root = call(
        &app,
        &track,
        Method::POST,
        "/links",
        key,
        Some(json!({"url": "https://acme.com/", "key": ""})),
    )
    .await;
    assert_eq!(root.status, StatusCode::OK, "{}", root.body);
    assert_eq!(root.body["key"], "_root");
    assert_eq!(root.body["shortLink"], "https://go.acme.com");

    let info = call(
        &app,
        &track,
        Method::GET,
        "/links/info?domain=go.acme.com&key=SPRING",
        key,
        None,
    )
    .await;
    assert_eq!(info.status, StatusCode::OK, "{}", info.body);
    assert_eq!(info.body["id"], id.as_str());
    let root_info = call(
        &app,
        &track,
        Method::GET,
        "/links/info?domain=go.acme.com&key=_root",
        key,
        None,
    )
    .await;
    assert_eq!(root_info.body["id"], root.body["id"]);

    // A new key releases the old one; nulls clear fields.
    let changed = call(&app, &track, Method::PATCH, &format!("/links/{id}"), key,
        Some(json!({"key": "Summer", "url": "https://acme.com/summer", "ios": null, "disabled": true}))).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["key"], "summer");
    assert_eq!(changed.body["ios"], Value::Null);
    assert_eq!(changed.body["disabled"], true);
    assert_eq!(
        changed.body["geo"]["DE"], "https://acme.de/",
        "untouched fields stay"
    );
    let old = call(
        &app,
        &track,
        Method::GET,
        "/links/info?domain=go.acme.com&key=spring",
        key,
        None,
    )
    .await;
    assert_eq!(old.status, StatusCode::NOT_FOUND);
    let target = repo::find_target(app.store.as_ref(), "go.acme.com", "summer")
        .await
        .unwrap()
        .unwrap();
    assert!(
        target.disabled && target.url.as_str() == "https://acme.com/summer",
        "the claim carries the redirect's target"
    );
    let reuse = call(
        &app,
        &track,
        Method::POST,
        "/links",
        key,
        Some(json!({"url": "https://acme.com/", "key": "spring"})),
    )
    .await;
    assert_eq!(
        reuse.status,
        StatusCode::OK,
        "the released key is free: {}",
        reuse.body
    );
    let clash = call(
        &app,
        &track,
        Method::PATCH,
        &format!("/links/{id}"),
        key,
        Some(json!({"key": "spring"})),
    )
    .await;
    assert_eq!(clash.status, StatusCode::CONFLICT);

    let deleted = call(
        &app,
        &track,
        Method::DELETE,
        &format!("/links/{id}"),
        key,
        None,
    )
    .await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(deleted.body["id"], id.as_str());
    assert!(
        repo::find_target(app.store.as_ref(), "go.acme.com", "summer")
            .await
            .unwrap()
            .is_none()
    );
    let gone = call(
        &app,
        &track,
        Method::DELETE,
        &format!("/links/{id}"),
        key,
        None,
    )
    .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    // Ids made in one millisecond are not ordered: compare the multiset.
    let mut recorded = events(&app, &acme.id).await;
    recorded.sort();
    assert_eq!(
        recorded,
        [
            "link.created",
            "link.created",
            "link.created",
            "link.created",
            "link.deleted",
            "link.updated"
        ]
    );
}

async fn bad_links_are_refused_and_change_nothing(app: TestApp) {
    let track = track_services(&app);
    let acme = program(&app, "bad.acme.com").await;
    let key = Some(acme.key.as_str());
    for url in [
        "javascript:alert(1)",
        "data:text/html,hi",
        "//evil.com/x",
        "ftp://acme.com",
        "/relative",
    ] {
        let reply = call(
            &app,
            &track,
            Method::POST,
            "/links",
            key,
            Some(json!({"url": url, "key": "x"})),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert_eq!(reply.error_code(), "unprocessable_entity");
    }
    for body in [
        json!({"url": "https://acme.com", "expiredUrl": "javascript:x", "key": "x"}),
        json!({"url": "https://acme.com", "geo": {"DEU": "https://acme.de"}, "key": "x"}),
        json!({"url": "https://acme.com", "android": "data:,x", "key": "x"}),
        json!({"url": "https://acme.com", "key": "a/b"}),
        json!({"url": "https://acme.com", "domain": "other.com", "key": "x"}),
        json!({"url": "https://acme.com", "key": "x", "unknown": 1}),
    ] {
        let reply = call(
            &app,
            &track,
            Method::POST,
            "/links",
            key,
            Some(body.clone()),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    let foreign_partner = call(
        &app,
        &track,
        Method::POST,
        "/links",
        key,
        Some(json!({"url": "https://acme.com", "key": "x", "partnerId": "pn_nobody"})),
    )
    .await;
    assert_eq!(foreign_partner.status, StatusCode::NOT_FOUND);
    assert!(
        repo::find_target(app.store.as_ref(), "bad.acme.com", "x")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        events(&app, &acme.id).await.is_empty(),
        "nothing was recorded"
    );

    // Scopes and programs.
    let reader = api_key(&app, &acme.id, json!(["links.read"])).await;
    let refused = call(
        &app,
        &track,
        Method::POST,
        "/links",
        Some(&reader),
        Some(json!({"url": "https://acme.com"})),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let created = call(
        &app,
        &track,
        Method::POST,
        "/links",
        key,
        Some(json!({"url": "https://acme.com", "key": "mine"})),
    )
    .await;
    let id = created.body["id"].as_str().unwrap();
    let other = program(&app, "other.example.com").await;
    let foreign = call(
        &app,
        &track,
        Method::PATCH,
        &format!("/links/{id}"),
        Some(&other.key),
        Some(json!({"url": "https://evil.com"})),
    )
    .await;
    assert_eq!(
        foreign.status,
        StatusCode::NOT_FOUND,
        "another program's link is not found"
    );
    let bad_patch = call(
        &app,
        &track,
        Method::PATCH,
        &format!("/links/{id}"),
        key,
        Some(json!({"url": "javascript:alert(1)"})),
    )
    .await;
    assert_eq!(bad_patch.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unchanged = call(
        &app,
        &track,
        Method::GET,
        &format!("/links/info?linkId={id}"),
        key,
        None,
    )
    .await;
    assert_eq!(unchanged.body["url"], "https://acme.com/");
    let no_auth = call(
        &app,
        &track,
        Method::GET,
        "/links/info?domain=bad.acme.com&key=mine",
        None,
        None,
    )
    .await;
    assert_eq!(no_auth.status, StatusCode::UNAUTHORIZED);
}

async fn dubs_link_fields_are_kept_and_every_field_of_its_schema_is_shown(app: TestApp) {
    let track = track_services(&app);
    let acme = program(&app, "d.acme.com").await;
    let key = Some(acme.key.as_str());
    let folder = call(
        &app,
        &track,
        Method::POST,
        "/folders",
        key,
        Some(json!({"name": "Campaigns"})),
    )
    .await;
    let folder_id = folder.body["id"].as_str().unwrap().to_owned();
    let created = call(&app, &track, Method::POST, "/links", key, Some(json!({
        "url": "https://acme.com/pricing?plan=pro&utm_source=old", "key": "dub-fields",
        "externalId": "campaign-42", "title": "Spring", "description": "Sale", "comments": "note",
        "utm_source": "newsletter", "utm_medium": "email", "folderId": folder_id,
        "trackConversion": true, "archived": false, "tagIds": [], "webhookIds": [], "keyLength": 7,
    }))).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let link = &created.body;
    assert_eq!(
        link["url"],
        "https://acme.com/pricing?plan=pro&utm_source=newsletter&utm_medium=email"
    );
    assert_eq!(
        (
            link["externalId"].as_str(),
            link["title"].as_str(),
            link["folderId"].as_str()
        ),
        (
            Some("campaign-42"),
            Some("Spring"),
            Some(folder_id.as_str())
        )
    );
    assert_eq!(link["utm_source"], "newsletter");
    assert_eq!(link["trackConversion"], true);
    // Every field of Dub's LinkSchema is present, with Dub's type where we hold no value.
    for field in [
        "password",
        "image",
        "video",
        "disabledAt",
        "userId",
        "lastClicked",
        "tagId",
        "utm_term",
        "testVariants",
    ] {
        assert_eq!(link[field], Value::Null, "{field}");
    }
    assert_eq!(
        (link["tags"].clone(), link["webhookIds"].clone()),
        (json!([]), json!([]))
    );
    assert_eq!(link["workspaceId"], acme.id.as_str());
    assert!(link["qrCode"].as_str().unwrap().starts_with("/qr?url="));
    assert_eq!(link["createdAt"], link["updatedAt"]);
    // The external id names the link, and is unique in the program.
    let by_external = call(
        &app,
        &track,
        Method::GET,
        "/links/info?externalId=campaign-42",
        key,
        None,
    )
    .await;
    assert_eq!(by_external.body["id"], link["id"], "{}", by_external.body);
    let twin = call(
        &app,
        &track,
        Method::POST,
        "/links",
        key,
        Some(json!({"url": "https://acme.com/y", "externalId": "campaign-42"})),
    )
    .await;
    assert_eq!(twin.status, StatusCode::CONFLICT, "{}", twin.body);
    let changed = call(
        &app,
        &track,
        Method::PATCH,
        "/links/ext_campaign-42",
        key,
        Some(json!({"title": null, "archived": true})),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(
        (
            changed.body["title"].clone(),
            changed.body["archived"].clone()
        ),
        (Value::Null, json!(true))
    );
    assert_eq!(changed.body["comments"], "note", "untouched fields stay");
    let renamed = call(
        &app,
        &track,
        Method::PATCH,
        "/links/ext_campaign-42",
        key,
        Some(json!({"externalId": "campaign-43"})),
    )
    .await;
    assert_eq!(
        renamed.body["externalId"], "campaign-43",
        "{}",
        renamed.body
    );
    let freed = call(
        &app,
        &track,
        Method::POST,
        "/links",
        key,
        Some(json!({"url": "https://acme.com/z", "externalId": "campaign-42"})),
    )
    .await;
    assert_eq!(
        freed.status,
        StatusCode::OK,
        "the old external id is free again: {}",
        freed.body
    );
    let taken = call(
        &app,
        &track,
        Method::PATCH,
        "/links/ext_campaign-43",
        key,
        Some(json!({"externalId": "campaign-42"})),
    )
    .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
    let deleted = call(
        &app,
        &track,
        Method::DELETE,
        "/links/ext_campaign-43",
        key,
        None,
    )
    .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    let gone = call(
        &app,
        &track,
        Method::GET,
        "/links/info?externalId=campaign-43",
        key,
        None,
    )
    .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    // What asks for behaviour we do not offer is refused, as are an unknown tag and field.
    for (field, value) in [
        ("password", json!("secret")),
        ("tagIds", json!(["tag_1"])),
        ("webhookIds", json!(["wh_1"])),
        (
            "testVariants",
            json!([{"url": "https://a.com", "percentage": 50}]),
        ),
        ("bogus", json!(1)),
    ] {
        let mut body = json!({"url": "https://acme.com/x"});
        body[field] = value;
        let refused = call(&app, &track, Method::POST, "/links", key, Some(body)).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            refused.body
        );
        assert!(
            refused.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(field),
            "{field}: {}",
            refused.body
        );
    }
}

async fn links_are_listed_newest_first_filtered_paged_and_counted(app: TestApp) {
    let track = track_services(&app);
    let acme = program(&app, "l.acme.com").await;
    let key = Some(acme.key.as_str());
    let folder = call(
        &app,
        &track,
        Method::POST,
        "/folders",
        key,
        Some(json!({"name": "F1"})),
    )
    .await;
    let f1 = folder.body["id"].as_str().unwrap().to_owned();
    let mut made = Vec::new();
    for (n, extra) in [
        json!({}),
        json!({"folderId": f1}),
        json!({"archived": true}),
        json!({"folderId": f1}),
        json!({"tenantId": "t9"}),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body =
            json!({"url": format!("https://acme.com/page-{n}"), "key": format!("list-{n}")});
        for (field, value) in extra.as_object().unwrap() {
            body[field] = value.clone();
        }
        let reply = call(&app, &track, Method::POST, "/links", key, Some(body)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        made.push(reply.body["id"].as_str().unwrap().to_owned());
    }
    let ids = |reply: &integration_tests::app::Reply| -> Vec<String> {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (app_ref, track_ref) = (&app, &track);
    let get =
        |path: String| async move { call(app_ref, track_ref, Method::GET, &path, key, None).await };
    let visible = [
        made[4].clone(),
        made[3].clone(),
        made[1].clone(),
        made[0].clone(),
    ];
    assert_eq!(
        ids(&get("/links".into()).await),
        visible,
        "newest first, archived hidden"
    );
    assert_eq!(ids(&get("/links?showArchived=true".into()).await).len(), 5);
    assert_eq!(
        ids(&get("/links?page=1&pageSize=2".into()).await),
        visible[..2]
    );
    assert_eq!(
        ids(&get("/links?page=2&pageSize=2".into()).await),
        visible[2..]
    );
    assert!(ids(&get("/links?page=3&pageSize=2".into()).await).is_empty());
    assert_eq!(
        ids(&get(format!("/links?startingAfter={}&pageSize=2", made[3])).await),
        visible[2..]
    );
    assert_eq!(
        ids(&get(format!("/links?endingBefore={}&pageSize=2", made[1])).await),
        visible[..2]
    );
    assert_eq!(
        ids(&get(format!("/links?folderId={f1}")).await),
        [made[3].clone(), made[1].clone()]
    );
    assert_eq!(
        ids(&get("/links?tenantId=t9".into()).await),
        [made[4].clone()]
    );
    assert_eq!(
        ids(&get("/links?search=page-0".into()).await),
        [made[0].clone()]
    );
    assert!(
        ids(&get("/links?tagId=tag_1".into()).await).is_empty(),
        "an unknown tag matches nothing"
    );
    let count = get("/links/count".into()).await;
    assert_eq!(count.body, json!(4));
    let grouped = get("/links/count?groupBy=folderId&showArchived=true".into()).await;
    assert_eq!(
        grouped.body,
        json!([{"folderId": null, "_count": 3}, {"folderId": f1, "_count": 2}])
    );
    for bad in [
        "/links?pageSize=101",
        "/links?page=0",
        "/links?page=2&startingAfter=x",
        "/links/count?groupBy=userId",
        "/links?showArchived=maybe",
    ] {
        assert_eq!(
            get(bad.into()).await.status,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    // Another program sees none of them.
    let other = program(&app, "other.acme.com").await;
    let theirs = call(
        &app,
        &track,
        Method::GET,
        "/links",
        Some(other.key.as_str()),
        None,
    )
    .await;
    assert_eq!(theirs.body, json!([]));
}

async fn a_partner_link_is_upserted_by_its_destination(app: TestApp) {
    let track = track_services(&app);
    let acme = program(&app, "u.acme.com").await;
    let key = Some(acme.key.as_str());
    let (jane, _) = partner(&app, &acme, "JANE21", Some("user_7"), "https://acme.com/").await;
    let upsert = |body: Value| {
        call(
            &app,
            &track,
            Method::PUT,
            "/partners/links/upsert",
            key,
            Some(body),
        )
    };
    let made =
        upsert(json!({"tenantId": "user_7", "url": "https://acme.com/blog", "comments": "first"}))
            .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    assert_eq!(
        (
            made.body["partnerId"].as_str(),
            made.body["comments"].as_str()
        ),
        (Some(jane.id.as_str()), Some("first"))
    );
    let again = upsert(
        json!({"partnerId": jane.id, "url": "https://acme.com/blog", "key": "jane-blog",
                              "linkProps": {"title": "Blog"}}),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["id"], made.body["id"], "the same link, changed");
    assert_eq!(
        (
            again.body["key"].as_str(),
            again.body["title"].as_str(),
            again.body["comments"].as_str()
        ),
        (Some("jane-blog"), Some("Blog"), Some("first"))
    );
    let other = upsert(json!({"partnerId": jane.id, "url": "https://acme.com/docs"})).await;
    assert_ne!(other.body["id"], made.body["id"]);
    let unknown =
        upsert(json!({"partnerId": "pn_00000000000000000000000000", "url": "https://acme.com/x"}))
            .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let bad = upsert(json!({"partnerId": jane.id, "url": "ftp://acme.com/x"})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn qr_codes_are_public_pngs_of_bounded_size(app: TestApp) {
    let track = track_services(&app);
    let qr = call(
        &app,
        &track,
        Method::GET,
        "/qr?url=https%3A%2F%2Fgo.acme.com%2Fspring&size=200&fgColor=%23112233",
        None,
        None,
    )
    .await;
    assert_eq!(qr.status, StatusCode::OK);
    assert_eq!(qr.headers["content-type"], "image/png");
    assert!(
        qr.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    for bad in [
        "/qr",
        "/qr?url=javascript%3Aalert(1)",
        "/qr?url=https%3A%2F%2Fa.com&size=100000",
        "/qr?url=https%3A%2F%2Fa.com&logo=https%3A%2F%2Fevil.com%2Fx.png",
    ] {
        let refused = call(&app, &track, Method::GET, bad, None, None).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            refused.body
        );
    }
}

async fn partner_links_are_made_and_listed_by_partner_or_tenant(app: TestApp) {
    let track = track_services(&app);
    let acme = program(&app, "p.acme.com").await;
    let key = Some(acme.key.as_str());
    let (jane, default_link) =
        partner(&app, &acme, "JANE20", Some("user_42"), "https://acme.com/").await;

    let by_id = call(
        &app,
        &track,
        Method::POST,
        "/partners/links",
        key,
        Some(json!({"partnerId": jane.id, "url": "https://acme.com/blog", "key": "jane-blog"})),
    )
    .await;
    assert_eq!(by_id.status, StatusCode::CREATED, "{}", by_id.body);
    assert_eq!(by_id.body["partnerId"], jane.id.as_str());
    assert_eq!(by_id.body["tenantId"], "user_42");
    let by_tenant = call(
        &app,
        &track,
        Method::POST,
        "/partners/links",
        key,
        Some(json!({"tenantId": "user_42", "linkProps": {"geo": {"FR": "https://acme.fr/"}}})),
    )
    .await;
    assert_eq!(by_tenant.status, StatusCode::CREATED, "{}", by_tenant.body);
    assert_eq!(
        by_tenant.body["url"], "https://acme.com/",
        "the default link's destination"
    );

    let listed = call(
        &app,
        &track,
        Method::GET,
        &format!("/partners/links?partnerId={}", jane.id),
        key,
        None,
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let mut ids: Vec<&str> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut expected = vec![
        default_link.id.as_str(),
        by_id.body["id"].as_str().unwrap(),
        by_tenant.body["id"].as_str().unwrap(),
    ];
    expected.sort();
    assert_eq!(ids, expected);
    let by_tenant_list = call(
        &app,
        &track,
        Method::GET,
        "/partners/links?tenantId=user_42",
        key,
        None,
    )
    .await;
    assert_eq!(by_tenant_list.body.as_array().unwrap().len(), 3);

    let unknown = call(
        &app,
        &track,
        Method::POST,
        "/partners/links",
        key,
        Some(json!({"tenantId": "nobody", "url": "https://acme.com"})),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let neither = call(
        &app,
        &track,
        Method::POST,
        "/partners/links",
        key,
        Some(json!({"url": "https://acme.com"})),
    )
    .await;
    assert_eq!(neither.status, StatusCode::UNPROCESSABLE_ENTITY);
    let other = program(&app, "p.other.com").await;
    let foreign = call(
        &app,
        &track,
        Method::GET,
        &format!("/partners/links?partnerId={}", jane.id),
        Some(&other.key),
        None,
    )
    .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    // A partner's default link stays: disable it instead.
    let keep = call(
        &app,
        &track,
        Method::DELETE,
        &format!("/links/{}", default_link.id),
        key,
        None,
    )
    .await;
    assert_eq!(keep.status, StatusCode::CONFLICT);
}

async fn a_link_is_upserted_by_its_destination(app: TestApp) {
    let track = track_services(&app);
    let acme = program(&app, "up.acme.com").await;
    let key = Some(acme.key.as_str());
    let upsert = |body: Value| call(&app, &track, Method::PUT, "/links/upsert", key, Some(body));
    let made = upsert(json!({"url": "https://acme.com/spring", "key": "spring"})).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let id = made.body["id"].as_str().unwrap().to_owned();
    let again =
        upsert(json!({"url": "https://acme.com/spring", "title": "Spring", "key": "Spring-Sale"}))
            .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(
        again.body["id"],
        id.as_str(),
        "the link to that destination, changed"
    );
    assert_eq!(
        (again.body["title"].as_str(), again.body["key"].as_str()),
        (Some("Spring"), Some("spring-sale"))
    );
    let old_key = call(
        &app,
        &track,
        Method::GET,
        "/links/info?domain=up.acme.com&key=spring",
        key,
        None,
    )
    .await;
    assert_eq!(
        old_key.status,
        StatusCode::NOT_FOUND,
        "the old key was released"
    );
    let same = upsert(json!({"url": "https://acme.com/spring", "title": "Spring"})).await;
    assert_eq!(
        (same.body["id"].as_str(), same.body["updatedAt"].clone()),
        (Some(id.as_str()), again.body["updatedAt"].clone()),
        "nothing to change: as it was"
    );
    // UTM tags are part of the destination the link stores, so the same request finds it.
    let tagged = json!({"url": "https://acme.com/blog", "utm_source": "news"});
    let first = upsert(tagged.clone()).await;
    let second = upsert(tagged).await;
    assert_eq!(first.body["url"], "https://acme.com/blog?utm_source=news");
    assert_eq!(second.body["id"], first.body["id"], "{}", second.body);
    let other_url = upsert(json!({"url": "https://acme.com/summer"})).await;
    assert_ne!(other_url.body["id"], id.as_str());
    // Refusals change nothing: a bad destination, another's key, another program's domain.
    let taken = upsert(json!({"url": "https://acme.com/summer", "key": "spring-sale"})).await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
    let bad = upsert(json!({"url": "javascript:alert(1)"})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let foreign_domain =
        upsert(json!({"url": "https://acme.com/spring", "domain": "other.com"})).await;
    assert_eq!(foreign_domain.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unchanged = call(
        &app,
        &track,
        Method::GET,
        &format!("/links/info?linkId={id}"),
        key,
        None,
    )
    .await;
    assert_eq!(unchanged.body["key"], "spring-sale");
    // Another program's link to the same destination is not found: its own is made.
    let other = program(&app, "up.other.com").await;
    let theirs = call(
        &app,
        &track,
        Method::PUT,
        "/links/upsert",
        Some(&other.key),
        Some(json!({"url": "https://acme.com/spring"})),
    )
    .await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
    assert_ne!(theirs.body["id"], id.as_str());
    assert_eq!(theirs.body["domain"], "up.other.com");
}

async fn links_are_created_in_bulk_all_or_none(app: TestApp) {
    let track = track_services(&app);
    let acme = program(&app, "bulk.acme.com").await;
    let key = Some(acme.key.as_str());
    let (app_ref, track_ref) = (&app, &track);
    let bulk = |body: Value| async move {
        call(
            app_ref,
            track_ref,
            Method::POST,
            "/links/bulk",
            key,
            Some(body),
        )
        .await
    };
    let body = json!([
        {"url": "https://acme.com/a", "key": "bulk-a", "externalId": "ext-a"},
        {"url": "https://acme.com/b", "key": "bulk-b", "title": "B"},
        {"url": "https://acme.com/c"},
    ]);
    let created = bulk(body.clone()).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let links = created.body.as_array().unwrap();
    assert_eq!(links.len(), 3);
    assert_eq!(
        (links[0]["key"].as_str(), links[0]["externalId"].as_str()),
        (Some("bulk-a"), Some("ext-a"))
    );
    assert_eq!(
        (links[1]["title"].as_str(), links[2]["url"].as_str()),
        (Some("B"), Some("https://acme.com/c"))
    );
    assert_eq!(links[2]["key"].as_str().unwrap().len(), 7, "a random key");
    let by_external = call(
        &app,
        &track,
        Method::GET,
        "/links/info?externalId=ext-a",
        key,
        None,
    )
    .await;
    assert_eq!(by_external.body["id"], links[0]["id"]);
    assert_eq!(events(&app, &acme.id).await.len(), 3);

    // The same request again is a retry: the same links, nothing written twice.
    let retried = bulk(body.clone()).await;
    assert_eq!(retried.status, StatusCode::OK, "{}", retried.body);
    assert_eq!(
        retried.body, created.body,
        "the links written the first time"
    );
    assert_eq!(
        events(&app, &acme.id).await.len(),
        3,
        "no link written twice"
    );

    // One refused item: nothing is written, each item says why.
    let mixed = bulk(json!([
        {"url": "https://acme.com/d", "key": "bulk-d"},
        {"url": "javascript:alert(1)", "key": "bulk-e"},
        {"url": "https://acme.com/f", "key": "bulk-a"},
        {"url": "https://acme.com/g", "key": "bulk-g", "externalId": "ext-a"},
        {"url": "https://acme.com/h", "key": "bulk-d"},
        {"url": "https://acme.com/i", "bogus": 1},
    ]))
    .await;
    assert_eq!(mixed.status, StatusCode::OK, "{}", mixed.body);
    let items = mixed.body.as_array().unwrap();
    let codes: Vec<&str> = items
        .iter()
        .map(|item| item["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "unprocessable_entity",
            "unprocessable_entity",
            "conflict",
            "conflict",
            "conflict",
            "unprocessable_entity"
        ]
    );
    assert!(
        items[0]["error"].as_str().unwrap().contains("Not created"),
        "{}",
        items[0]
    );
    assert_eq!(
        items[1]["link"]["url"], "javascript:alert(1)",
        "the item as sent"
    );
    assert!(
        items[5]["error"].as_str().unwrap().contains("bogus"),
        "{}",
        items[5]
    );
    let d = call(
        &app,
        &track,
        Method::GET,
        "/links/info?domain=bulk.acme.com&key=bulk-d",
        key,
        None,
    )
    .await;
    assert_eq!(d.status, StatusCode::NOT_FOUND, "nothing was written");
    assert_eq!(events(&app, &acme.id).await.len(), 3);

    // Another program's id or partner is not found, and nothing is written.
    let other = program(&app, "bulk.other.com").await;
    let (theirs, _) = partner(&app, &other, "THEIRS1", None, "https://other.com/").await;
    let foreign = bulk(json!([
        {"url": "https://acme.com/j", "programId": other.id.as_str()},
        {"url": "https://acme.com/k", "partnerId": theirs.id.as_str()},
    ]))
    .await;
    let codes: Vec<&str> = foreign
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["not_found", "not_found"], "{}", foreign.body);
    assert_eq!(
        repo::list_for_partner(app.store.as_ref(), &other.id, &theirs.id, 10)
            .await
            .unwrap()
            .len(),
        1,
        "only its default link"
    );
    assert_eq!(events(&app, &acme.id).await.len(), 3);

    // Limits, and the scope.
    let many: Vec<Value> = (0..101)
        .map(|n| json!({"url": format!("https://acme.com/{n}")}))
        .collect();
    let too_many = bulk(Value::Array(many)).await;
    assert_eq!(
        too_many.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        too_many.body
    );
    let not_a_list = bulk(json!({"url": "https://acme.com/"})).await;
    assert_eq!(
        not_a_list.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        not_a_list.body
    );
    let reader = api_key(&app, &acme.id, json!(["links.read"])).await;
    let refused = call(
        &app,
        &track,
        Method::POST,
        "/links/bulk",
        Some(&reader),
        Some(body),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

async fn a_bulk_create_cut_short_is_finished_by_sending_it_again(app: TestApp) {
    let track = track_services(&app);
    let acme = program(&app, "cut.acme.com").await;
    let key = Some(acme.key.as_str());
    // 40 links with external ids: 5 actions each, so transactions of 19, 19 and 2 links.
    let body: Vec<Value> = (0..40)
        .map(|n| json!({"url": format!("https://acme.com/{n}"), "externalId": format!("cut-{n}")}))
        .collect();
    let first = call(
        &app,
        &track,
        Method::POST,
        "/links/bulk",
        key,
        Some(Value::Array(body.clone())),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let ids: Vec<String> = first
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 40);
    // As if only the first transaction had committed: the others' links and marks gone.
    let record = shared::links::bulk_record(&acme.id, &body);
    let stored = app
        .store
        .get(&record, shared::store::Consistency::Strong)
        .await
        .unwrap()
        .unwrap();
    let marked: Vec<usize> = stored
        .keys()
        .filter_map(|name| name.strip_prefix("item")?.parse().ok())
        .collect();
    assert_eq!(marked.len(), 40, "every item is marked written");
    let lost: Vec<usize> = (19..40).collect();
    let mut unmark = shared::store::Update::new();
    for n in &lost {
        unmark = unmark.remove(format!("item{n}"));
        let stored = repo::find(
            app.store.as_ref(),
            &acme.id,
            &shared::types::LinkId::parse(&ids[*n]).unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
        let mut ops = repo::remove(&stored).to_vec();
        ops.extend(repo::external_id_claims(Some(&stored.link), None));
        ops.extend(repo::destination_entries(Some(&stored.link), None));
        app.store.transact(ops).await.unwrap();
    }
    app.store
        .transact(vec![shared::store::TxOp::Update(
            shared::store::UpdateItem {
                key: record.clone(),
                update: unmark,
                condition: None,
            },
        )])
        .await
        .unwrap();

    let again = call(
        &app,
        &track,
        Method::POST,
        "/links/bulk",
        key,
        Some(Value::Array(body.clone())),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let links = again.body.as_array().unwrap();
    for n in 0..40 {
        assert_eq!(links[n]["externalId"], format!("cut-{n}"), "{}", links[n]);
        if n < 19 {
            assert_eq!(
                links[n]["id"],
                ids[n].as_str(),
                "written before: answered as it is"
            );
        } else {
            assert_ne!(links[n]["id"], ids[n].as_str(), "written now");
        }
    }
    let listed = call(&app, &track, Method::GET, "/links/count", key, None).await;
    assert_eq!(listed.body, json!(40), "no duplicates");

    // A link of the request deleted since is not made again under its id.
    let deleted = call(
        &app,
        &track,
        Method::DELETE,
        &format!("/links/{}", ids[0]),
        key,
        None,
    )
    .await;
    assert_eq!(deleted.status, StatusCode::OK);
    let third = call(
        &app,
        &track,
        Method::POST,
        "/links/bulk",
        key,
        Some(Value::Array(body)),
    )
    .await;
    assert_eq!(third.body[0]["code"], "not_found", "{}", third.body[0]);
    assert_eq!(third.body[1]["id"], ids[1].as_str());
    assert_eq!(
        call(&app, &track, Method::GET, "/links/count", key, None)
            .await
            .body,
        json!(39)
    );
}

async fn links_are_updated_and_deleted_in_bulk(app: TestApp) {
    let track = track_services(&app);
    let acme = program(&app, "many.acme.com").await;
    let key = Some(acme.key.as_str());
    let (jane, default_link) = partner(&app, &acme, "JANE30", None, "https://acme.com/").await;
    let created = call(
        &app,
        &track,
        Method::POST,
        "/links/bulk",
        key,
        Some(json!([
            {"url": "https://acme.com/1", "externalId": "m-1"},
            {"url": "https://acme.com/2", "externalId": "m-2"},
            {"url": "https://acme.com/3"},
        ])),
    )
    .await;
    let ids: Vec<String> = created
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect();
    let other = program(&app, "many.other.com").await;
    let foreign = call(
        &app,
        &track,
        Method::POST,
        "/links",
        Some(&other.key),
        Some(json!({"url": "https://other.com/x", "key": "theirs"})),
    )
    .await;
    let foreign_id = foreign.body["id"].as_str().unwrap().to_owned();
    let patch = |body: Value| call(&app, &track, Method::PATCH, "/links/bulk", key, Some(body));
    let (app_ref, track_ref) = (&app, &track);

    let updated =
        patch(json!({"linkIds": [ids[0], ids[2]], "data": {"title": "Sale", "disabled": true}}))
            .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    let links = updated.body.as_array().unwrap();
    assert_eq!(
        links
            .iter()
            .map(|l| l["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [ids[0].as_str(), ids[2].as_str()]
    );
    assert!(
        links
            .iter()
            .all(|l| l["title"] == "Sale" && l["disabled"] == true)
    );
    assert!(
        repo::find_target(
            app.store.as_ref(),
            "many.acme.com",
            links[0]["key"].as_str().unwrap()
        )
        .await
        .unwrap()
        .unwrap()
        .disabled,
        "the redirect's target follows"
    );
    let by_external =
        patch(json!({"externalIds": ["m-1", "m-2"], "data": {"comments": "bulk"}})).await;
    assert_eq!(by_external.status, StatusCode::OK, "{}", by_external.body);
    assert_eq!(by_external.body[1]["id"], ids[1].as_str());
    assert_eq!(by_external.body[1]["comments"], "bulk");
    let events_before = events(&app, &acme.id).await.len();
    let retried = patch(json!({"externalIds": ["m-1", "m-2"], "data": {"comments": "bulk"}})).await;
    assert_eq!(
        retried.body, by_external.body,
        "the same data again changes nothing"
    );
    assert_eq!(events(&app, &acme.id).await.len(), events_before);

    // Another program's link: 404, and nothing changes on either side.
    let cross = patch(json!({"linkIds": [ids[1], foreign_id], "data": {"title": "Hijack"}})).await;
    assert_eq!(cross.status, StatusCode::NOT_FOUND, "{}", cross.body);
    let theirs = call(
        &app,
        &track,
        Method::GET,
        &format!("/links/info?linkId={foreign_id}"),
        Some(&other.key),
        None,
    )
    .await;
    assert_eq!(theirs.body["title"], Value::Null);
    let mine = call(
        &app,
        &track,
        Method::GET,
        &format!("/links/info?linkId={}", ids[1]),
        key,
        None,
    )
    .await;
    assert_eq!(mine.body["title"], Value::Null);
    for bad in [
        json!({"linkIds": [ids[0]], "data": {"key": "same-for-all"}}),
        json!({"linkIds": [ids[0]], "data": {"url": "javascript:alert(1)"}}),
        json!({"data": {"title": "x"}}),
        json!({"linkIds": (0..101).map(|n| format!("link_{n}")).collect::<Vec<_>>(), "data": {}}),
    ] {
        let refused = patch(bad.clone()).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            refused.body
        );
    }

    // Deletes: another program's ids are ignored; a partner's default link is 409.
    let delete = |ids: String| async move {
        call(
            app_ref,
            track_ref,
            Method::DELETE,
            &format!("/links/bulk?linkIds={ids}"),
            key,
            None,
        )
        .await
    };
    let keep = delete(format!("{},{}", ids[0], default_link.id)).await;
    assert_eq!(keep.status, StatusCode::CONFLICT, "{}", keep.body);
    assert_eq!(
        call(
            &app,
            &track,
            Method::GET,
            &format!("/links/info?linkId={}", ids[0]),
            key,
            None
        )
        .await
        .status,
        StatusCode::OK,
        "nothing deleted"
    );
    let deleted = delete(format!("{},{},{foreign_id}", ids[0], ids[1])).await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert_eq!(deleted.body, json!({"deletedCount": 2}));
    assert_eq!(
        call(
            &app,
            &track,
            Method::GET,
            &format!("/links/info?linkId={foreign_id}"),
            Some(&other.key),
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    assert!(
        repo::find_by_external_id(app.store.as_ref(), &acme.id, "m-1")
            .await
            .unwrap()
            .is_none(),
        "claims released"
    );
    let again = delete(format!("{},{}", ids[0], ids[1])).await;
    assert_eq!(
        again.body,
        json!({"deletedCount": 0}),
        "a retry finds them gone"
    );
    let too_many = delete(
        (0..101)
            .map(|n| format!("link_{n}"))
            .collect::<Vec<_>>()
            .join(","),
    )
    .await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
    let none = call(&app, &track, Method::DELETE, "/links/bulk", key, None).await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    let _ = jane;
}
