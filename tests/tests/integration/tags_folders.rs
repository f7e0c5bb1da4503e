//! Dub's tags, folders and discount codes over both engines: their endpoints, the labels links
//! carry and are filtered by, what deleting a label does to links, limits, the program scope,
//! and bad input changing nothing.

use http::{Method, StatusCode};
use integration_tests::app::{TestApp, reply, request};
use integration_tests::engine_tests;
use integration_tests::link_world::{
    LinkProgram, call, default_group, partner, program, track_services,
};
use serde_json::{Value, json};
use shared::clicks::track::TrackServices;
use shared::store::{Query, RangeCondition};

/// Every item of the program's partition whose sort key starts with `prefix`.
async fn items(app: &TestApp, acme: &LinkProgram, prefix: &str) -> usize {
    let query = Query::table(shared::layout::program_pk(&acme.id))
        .range(RangeCondition::BeginsWith(prefix.into()))
        .consistent();
    app.store.query(query).await.unwrap().items.len()
}

async fn post(
    app: &TestApp,
    track: &TrackServices,
    acme: &LinkProgram,
    path: &str,
    body: Value,
) -> integration_tests::app::Reply {
    call(app, track, Method::POST, path, Some(&acme.key), Some(body)).await
}

async fn get(
    app: &TestApp,
    track: &TrackServices,
    acme: &LinkProgram,
    path: &str,
) -> integration_tests::app::Reply {
    call(app, track, Method::GET, path, Some(&acme.key), None).await
}

fn ids(reply: &integration_tests::app::Reply) -> Vec<String> {
    reply
        .body
        .as_array()
        .unwrap_or_else(|| panic!("a list: {}", reply.body))
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}

engine_tests!(
    tags_are_created_listed_changed_and_deleted,
    links_carry_tags_and_folders,
    folders_are_created_listed_changed_and_deleted,
    labels_are_the_programs_own_and_limited,
    discount_codes_belong_to_a_partners_link
);

async fn tags_are_created_listed_changed_and_deleted(app: TestApp) {
    let track = track_services(&app);
    let acme = program(&app, "go.acme.com").await;

    let spring = post(
        &app,
        &track,
        &acme,
        "/tags",
        json!({"name": "Spring", "color": "green"}),
    )
    .await;
    assert_eq!(spring.status, StatusCode::CREATED, "{}", spring.body);
    assert_eq!(spring.body["name"], "Spring");
    assert_eq!(spring.body["color"], "green");
    let spring_id = spring.body["id"].as_str().unwrap().to_owned();
    assert!(spring_id.starts_with("tag_"));
    // Dub's deprecated `tag`, and a colour picked when none is given.
    let autumn = post(&app, &track, &acme, "/tags", json!({"tag": "autumn"})).await;
    assert_eq!(autumn.status, StatusCode::CREATED, "{}", autumn.body);
    assert!(
        ["red", "yellow", "green", "blue", "purple", "brown", "gray"]
            .contains(&autumn.body["color"].as_str().unwrap())
    );
    let autumn_id = autumn.body["id"].as_str().unwrap().to_owned();

    // Names are unique ignoring case.
    let again = post(&app, &track, &acme, "/tags", json!({"name": "SPRING"})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.error_code(), "conflict");

    let listed = get(&app, &track, &acme, "/tags").await;
    assert_eq!(
        ids(&listed),
        [autumn_id.clone(), spring_id.clone()],
        "by name, ignoring case"
    );
    let desc = get(&app, &track, &acme, "/tags?sortBy=createdAt&sortOrder=desc").await;
    assert_eq!(ids(&desc), [autumn_id.clone(), spring_id.clone()]);
    let search = get(&app, &track, &acme, "/tags?search=SPR").await;
    assert_eq!(ids(&search), [spring_id.as_str()]);
    let by_ids = get(
        &app,
        &track,
        &acme,
        &format!("/tags?ids={spring_id}&ids={autumn_id}"),
    )
    .await;
    assert_eq!(ids(&by_ids).len(), 2, "repeated ids");
    let one = get(&app, &track, &acme, &format!("/tags?ids={autumn_id}")).await;
    assert_eq!(ids(&one), [autumn_id.as_str()]);
    let paged = get(&app, &track, &acme, "/tags?page=2&pageSize=1").await;
    assert_eq!(ids(&paged), [spring_id.as_str()]);

    let renamed = call(
        &app,
        &track,
        Method::PATCH,
        &format!("/tags/{spring_id}"),
        Some(&acme.key),
        Some(json!({"name": "Summer", "color": "blue"})),
    )
    .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    assert_eq!(
        (
            renamed.body["name"].as_str(),
            renamed.body["color"].as_str()
        ),
        (Some("Summer"), Some("blue"))
    );
    let reuse = post(&app, &track, &acme, "/tags", json!({"name": "spring"})).await;
    assert_eq!(
        reuse.status,
        StatusCode::CREATED,
        "the old name is free: {}",
        reuse.body
    );
    let clash = call(
        &app,
        &track,
        Method::PATCH,
        &format!("/tags/{autumn_id}"),
        Some(&acme.key),
        Some(json!({"name": "summer"})),
    )
    .await;
    assert_eq!(clash.status, StatusCode::CONFLICT);

    let deleted = call(
        &app,
        &track,
        Method::DELETE,
        &format!("/tags/{autumn_id}"),
        Some(&acme.key),
        None,
    )
    .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert_eq!(deleted.body, json!({"id": autumn_id}));
    let gone = call(
        &app,
        &track,
        Method::DELETE,
        &format!("/tags/{autumn_id}"),
        Some(&acme.key),
        None,
    )
    .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(items(&app, &acme, "LABEL#TAG#").await, 2);
}

async fn links_carry_tags_and_folders(app: TestApp) {
    let track = track_services(&app);
    let acme = program(&app, "go.acme.com").await;
    let spring = post(
        &app,
        &track,
        &acme,
        "/tags",
        json!({"name": "Spring", "color": "green"}),
    )
    .await
    .body;
    let promo = post(
        &app,
        &track,
        &acme,
        "/tags",
        json!({"name": "Promo", "color": "red"}),
    )
    .await
    .body;
    let folder = post(
        &app,
        &track,
        &acme,
        "/folders",
        json!({"name": "Campaigns", "description": "Q2"}),
    )
    .await;
    assert_eq!(folder.status, StatusCode::CREATED, "{}", folder.body);
    let folder_id = folder.body["id"].as_str().unwrap().to_owned();

    let tagged = post(
        &app,
        &track,
        &acme,
        "/links",
        json!({"url": "https://acme.com/a", "key": "a",
        "tagIds": [spring["id"]], "tagNames": ["PROMO"], "folderId": folder_id}),
    )
    .await;
    assert_eq!(tagged.status, StatusCode::OK, "{}", tagged.body);
    assert_eq!(
        tagged.body["tags"],
        json!([
            {"id": spring["id"], "name": "Spring", "color": "green"},
            {"id": promo["id"], "name": "Promo", "color": "red"},
        ])
    );
    assert_eq!(tagged.body["folderId"], folder_id.as_str());
    let link_id = tagged.body["id"].as_str().unwrap().to_owned();
    let plain = post(
        &app,
        &track,
        &acme,
        "/links",
        json!({"url": "https://acme.com/b", "key": "b"}),
    )
    .await;
    assert_eq!(plain.body["tags"], json!([]));

    // Filters: ids (comma-separated or the deprecated `tagId`), names, folder; counts.
    for query in [
        format!("tagIds={},tag_unknown", spring["id"].as_str().unwrap()),
        format!("tagId={}", promo["id"].as_str().unwrap()),
        "tagNames=spring".to_owned(),
        format!("folderId={folder_id}"),
    ] {
        let found = get(&app, &track, &acme, &format!("/links?{query}")).await;
        assert_eq!(ids(&found), [link_id.as_str()], "{query}");
    }
    assert_eq!(
        ids(&get(&app, &track, &acme, "/links?tagNames=nothing").await),
        Vec::<String>::new()
    );
    let count = get(&app, &track, &acme, "/links/count?tagNames=Promo").await;
    assert_eq!(count.body, 1);
    let by_tag = get(&app, &track, &acme, "/links/count?groupBy=tagId").await;
    assert_eq!(by_tag.status, StatusCode::OK, "{}", by_tag.body);
    assert_eq!(by_tag.body.as_array().unwrap().len(), 2);
    assert!(
        by_tag
            .body
            .as_array()
            .unwrap()
            .iter()
            .all(|group| group["_count"] == 1)
    );

    // A renamed tag shows its new name on the link; an update replaces the tags.
    let spring_path = format!("/tags/{}", spring["id"].as_str().unwrap());
    call(
        &app,
        &track,
        Method::PATCH,
        &spring_path,
        Some(&acme.key),
        Some(json!({"name": "Summer"})),
    )
    .await;
    let info = get(
        &app,
        &track,
        &acme,
        &format!("/links/info?linkId={link_id}"),
    )
    .await;
    assert_eq!(info.body["tags"][0]["name"], "Summer");
    let retagged = call(
        &app,
        &track,
        Method::PATCH,
        &format!("/links/{link_id}"),
        Some(&acme.key),
        Some(json!({"tagIds": [promo["id"]]})),
    )
    .await;
    assert_eq!(retagged.status, StatusCode::OK, "{}", retagged.body);
    assert_eq!(retagged.body["tags"].as_array().unwrap().len(), 1);
    call(
        &app,
        &track,
        Method::PATCH,
        &format!("/links/{link_id}"),
        Some(&acme.key),
        Some(json!({"tagIds": [promo["id"], spring["id"]]})),
    )
    .await;

    // Deleting a tag takes it off every link at once; deleting a folder leaves its links in none.
    call(
        &app,
        &track,
        Method::DELETE,
        &spring_path,
        Some(&acme.key),
        None,
    )
    .await;
    let info = get(
        &app,
        &track,
        &acme,
        &format!("/links/info?linkId={link_id}"),
    )
    .await;
    assert_eq!(
        info.body["tags"],
        json!([{"id": promo["id"], "name": "Promo", "color": "red"}])
    );
    assert_eq!(
        ids(&get(
            &app,
            &track,
            &acme,
            &format!("/links?tagIds={}", spring["id"].as_str().unwrap())
        )
        .await),
        Vec::<String>::new()
    );
    let folder_gone = call(
        &app,
        &track,
        Method::DELETE,
        &format!("/folders/{folder_id}"),
        Some(&acme.key),
        None,
    )
    .await;
    assert_eq!(folder_gone.body, json!({"id": folder_id}));
    let info = get(
        &app,
        &track,
        &acme,
        &format!("/links/info?linkId={link_id}"),
    )
    .await;
    assert_eq!(
        info.body["folderId"],
        Value::Null,
        "the link still works, in no folder"
    );
    assert_eq!(
        ids(&get(&app, &track, &acme, &format!("/links?folderId={folder_id}")).await),
        Vec::<String>::new()
    );

    // Unknown tags and folders are refused and change nothing.
    for body in [
        json!({"tagIds": ["tag_unknown"]}),
        json!({"tagNames": ["nope"]}),
        json!({"folderId": folder_id}),
        json!({"folderId": "fold_other"}),
    ] {
        let refused = call(
            &app,
            &track,
            Method::PATCH,
            &format!("/links/{link_id}"),
            Some(&acme.key),
            Some(body.clone()),
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(refused.error_code(), "unprocessable_entity");
    }
    let created = post(
        &app,
        &track,
        &acme,
        "/links",
        json!({"url": "https://acme.com/c", "key": "c", "tagNames": ["nope"]}),
    )
    .await;
    assert_eq!(created.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(get(&app, &track, &acme, "/links/count").await.body, 2);
}

async fn folders_are_created_listed_changed_and_deleted(app: TestApp) {
    let track = track_services(&app);
    let acme = program(&app, "go.acme.com").await;
    let created = post(
        &app,
        &track,
        &acme,
        "/folders",
        json!({"name": "Blog", "accessLevel": "write"}),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["type"], "default");
    assert_eq!(created.body["accessLevel"], "write");
    assert_eq!(created.body["description"], Value::Null);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("fold_"));
    post(&app, &track, &acme, "/folders", json!({"name": "Ads"})).await;
    let listed = get(&app, &track, &acme, "/folders").await;
    let names: Vec<_> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].clone())
        .collect();
    assert_eq!(names, ["Ads", "Blog"]);
    assert_eq!(
        ids(&get(&app, &track, &acme, "/folders?search=bl").await),
        [id.as_str()]
    );

    let changed = call(
        &app,
        &track,
        Method::PATCH,
        &format!("/folders/{id}"),
        Some(&acme.key),
        Some(json!({"name": "Articles", "description": "Posts"})),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(
        (
            changed.body["name"].as_str(),
            changed.body["description"].as_str()
        ),
        (Some("Articles"), Some("Posts"))
    );
    let cleared = call(
        &app,
        &track,
        Method::PATCH,
        &format!("/folders/{id}"),
        Some(&acme.key),
        Some(json!({"description": null})),
    )
    .await;
    assert_eq!(cleared.body["description"], Value::Null);
    let taken = call(
        &app,
        &track,
        Method::PATCH,
        &format!("/folders/{id}"),
        Some(&acme.key),
        Some(json!({"name": "ADS"})),
    )
    .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);

    for body in [
        json!({"name": ""}),
        json!({"name": "x".repeat(101)}),
        json!({"name": "A", "accessLevel": "read"}),
        json!({"name": "A", "color": "red"}),
        json!({"name": "A", "description": "d".repeat(501)}),
    ] {
        let refused = post(&app, &track, &acme, "/folders", body.clone()).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            refused.body
        );
    }
    assert_eq!(
        items(&app, &acme, "LABEL#FOLDER#").await,
        2,
        "nothing was written"
    );

    let deleted = call(
        &app,
        &track,
        Method::DELETE,
        &format!("/folders/{id}"),
        Some(&acme.key),
        None,
    )
    .await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(ids(&get(&app, &track, &acme, "/folders").await).len(), 1);
    let reuse = post(&app, &track, &acme, "/folders", json!({"name": "Articles"})).await;
    assert_eq!(
        reuse.status,
        StatusCode::CREATED,
        "the deleted folder's name is free"
    );
}

async fn labels_are_the_programs_own_and_limited(app: TestApp) {
    let track = track_services(&app);
    let acme = program(&app, "go.acme.com").await;
    let other = program(&app, "go.other.com").await;
    let tag = post(&app, &track, &acme, "/tags", json!({"name": "Mine"}))
        .await
        .body;
    let folder = post(&app, &track, &acme, "/folders", json!({"name": "Mine"}))
        .await
        .body;
    let tag_path = format!("/tags/{}", tag["id"].as_str().unwrap());
    let folder_path = format!("/folders/{}", folder["id"].as_str().unwrap());
    for (method, path) in [
        (Method::PATCH, &tag_path),
        (Method::DELETE, &tag_path),
        (Method::PATCH, &folder_path),
        (Method::DELETE, &folder_path),
    ] {
        let reply = call(
            &app,
            &track,
            method.clone(),
            path,
            Some(&other.key),
            Some(json!({"name": "Theirs"})),
        )
        .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(reply.error_code(), "not_found");
    }
    assert_eq!(get(&app, &track, &other, "/tags").await.body, json!([]));
    assert_eq!(get(&app, &track, &other, "/folders").await.body, json!([]));
    let foreign = post(
        &app,
        &track,
        &other,
        "/links",
        json!({"url": "https://other.com", "key": "x",
        "tagIds": [tag["id"]]}),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    let foreign = post(
        &app,
        &track,
        &other,
        "/links",
        json!({"url": "https://other.com", "key": "x",
        "folderId": folder["id"]}),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);

    for body in [
        json!({}),
        json!({"name": "  "}),
        json!({"name": "x".repeat(51)}),
        json!({"name": "a", "color": "teal"}),
        json!({"name": "a", "extra": 1}),
    ] {
        let refused = post(&app, &track, &acme, "/tags", body.clone()).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            refused.body
        );
    }
    assert_eq!(
        items(&app, &acme, "LABEL#TAG#").await,
        1,
        "nothing was written"
    );

    // 100 tags a program: the 101st is refused, and a deleted one makes room.
    for n in 1..100 {
        let made = post(
            &app,
            &track,
            &acme,
            "/tags",
            json!({"name": format!("t{n}")}),
        )
        .await;
        assert_eq!(made.status, StatusCode::CREATED, "{n}: {}", made.body);
    }
    let over = post(
        &app,
        &track,
        &acme,
        "/tags",
        json!({"name": "one too many"}),
    )
    .await;
    assert_eq!(over.status, StatusCode::FORBIDDEN, "{}", over.body);
    assert_eq!(items(&app, &acme, "LABEL#TAG#").await, 100);
    call(
        &app,
        &track,
        Method::DELETE,
        &tag_path,
        Some(&acme.key),
        None,
    )
    .await;
    let room = post(
        &app,
        &track,
        &acme,
        "/tags",
        json!({"name": "one too many"}),
    )
    .await;
    assert_eq!(room.status, StatusCode::CREATED, "{}", room.body);
    let listed = get(&app, &track, &acme, "/tags?pageSize=100").await;
    assert_eq!(ids(&listed).len(), 100);
}

async fn discount_codes_belong_to_a_partners_link(app: TestApp) {
    let track = track_services(&app);
    let acme = program(&app, "go.acme.com").await;
    let group = default_group(&app, &acme.id).await;
    let discount = reply(
        program_admin::handle(
            &app.ctx,
            request(
                Method::PUT,
                &format!("/programs/{}/groups/{group}/discount", acme.id),
                Some(&acme.key),
                Some(json!({"amount": 10, "type": "percentage"})),
            ),
        )
        .await,
    );
    assert_eq!(discount.status, StatusCode::OK, "{}", discount.body);
    let (jane, jane_link) = partner(&app, &acme, "JANE", None, "https://acme.com/").await;
    let (bob, bob_link) = partner(&app, &acme, "BOB", None, "https://acme.com/").await;

    let created = post(
        &app,
        &track,
        &acme,
        "/discount-codes",
        json!({"partnerId": jane.id,
        "linkId": jane_link.id, "code": "Jane10"}),
    )
    .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(created.body["code"], "Jane10");
    assert_eq!(created.body["partnerId"], jane.id.as_str());
    assert_eq!(created.body["linkId"], jane_link.id.as_str());
    assert_eq!(created.body["discountId"], discount.body["id"]);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("dcode_"));

    // A sale's code finds its partner with one read.
    let found = shared::discount_codes::find_by_code(app.store.as_ref(), &acme.id, "jane10")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.partner_id, jane.id);

    // The code is the program's (any case); a link has one code; the link must be the partner's.
    for (body, status) in [
        (
            json!({"partnerId": bob.id, "linkId": bob_link.id, "code": "JANE10"}),
            StatusCode::CONFLICT,
        ),
        (
            json!({"partnerId": jane.id, "linkId": jane_link.id, "code": "Other"}),
            StatusCode::CONFLICT,
        ),
        (
            json!({"partnerId": bob.id, "linkId": jane_link.id, "code": "Bob10"}),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({"partnerId": "pn_unknown", "linkId": bob_link.id}),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({"partnerId": bob.id, "linkId": bob_link.id, "code": "BOB 10"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"partnerId": bob.id, "linkId": bob_link.id, "code": "B".repeat(51)}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"partnerId": bob.id}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let refused = post(&app, &track, &acme, "/discount-codes", body.clone()).await;
        assert_eq!(refused.status, status, "{body}: {}", refused.body);
        refused.error_code();
    }
    assert_eq!(
        items(&app, &acme, "DISCOUNTCODE#").await,
        1,
        "nothing was written"
    );

    // Without a code, one is made from the partner's name.
    let generated = post(
        &app,
        &track,
        &acme,
        "/discount-codes",
        json!({"partnerId": bob.id, "linkId": bob_link.id}),
    )
    .await;
    assert_eq!(generated.status, StatusCode::OK, "{}", generated.body);
    assert!(
        generated.body["code"]
            .as_str()
            .unwrap()
            .starts_with("PARTNERBOB"),
        "{}",
        generated.body
    );

    let all = get(&app, &track, &acme, "/discount-codes").await;
    assert_eq!(ids(&all).len(), 2);
    assert_eq!(
        ids(&get(
            &app,
            &track,
            &acme,
            &format!("/discount-codes?partnerId={}", bob.id)
        )
        .await),
        [generated.body["id"].as_str().unwrap().to_owned()]
    );
    assert_eq!(
        ids(&get(&app, &track, &acme, "/discount-codes?code=JANE10").await),
        [id.as_str()]
    );
    let by_discount = format!(
        "/discount-codes?discountId={}",
        discount.body["id"].as_str().unwrap()
    );
    assert_eq!(ids(&get(&app, &track, &acme, &by_discount).await).len(), 2);

    // Another program sees none of it.
    let other = program(&app, "go.other.com").await;
    assert_eq!(
        get(&app, &track, &other, "/discount-codes").await.body,
        json!([])
    );
    let foreign = call(
        &app,
        &track,
        Method::DELETE,
        &format!("/discount-codes/{id}"),
        Some(&other.key),
        None,
    )
    .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    // A link with a code is not deleted until its code is; a deleted link takes no code.
    let extra = post(
        &app,
        &track,
        &acme,
        "/partners/links",
        json!({"partnerId": bob.id, "url": "https://acme.com/extra"}),
    )
    .await;
    let extra_id = extra.body["id"].as_str().unwrap().to_owned();
    let extra_code = post(
        &app,
        &track,
        &acme,
        "/discount-codes",
        json!({"partnerId": bob.id, "linkId": extra_id, "code": "EXTRA"}),
    )
    .await;
    assert_eq!(extra_code.status, StatusCode::OK, "{}", extra_code.body);
    let link_with_code = call(
        &app,
        &track,
        Method::DELETE,
        &format!("/links/{extra_id}"),
        Some(&acme.key),
        None,
    )
    .await;
    assert_eq!(
        link_with_code.status,
        StatusCode::CONFLICT,
        "{}",
        link_with_code.body
    );
    assert!(
        link_with_code.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("discount code")
    );
    let code_gone = call(
        &app,
        &track,
        Method::DELETE,
        "/discount-codes/EXTRA",
        Some(&acme.key),
        None,
    )
    .await;
    assert_eq!(code_gone.status, StatusCode::OK, "{}", code_gone.body);
    let link_gone = call(
        &app,
        &track,
        Method::DELETE,
        &format!("/links/{extra_id}"),
        Some(&acme.key),
        None,
    )
    .await;
    assert_eq!(link_gone.status, StatusCode::OK, "{}", link_gone.body);
    let on_deleted = post(
        &app,
        &track,
        &acme,
        "/discount-codes",
        json!({"partnerId": bob.id, "linkId": extra_id}),
    )
    .await;
    assert_eq!(on_deleted.status, StatusCode::NOT_FOUND);

    // Deleted by code (any case): the code and the link are free again.
    let deleted = call(
        &app,
        &track,
        Method::DELETE,
        "/discount-codes/jane10",
        Some(&acme.key),
        None,
    )
    .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert_eq!(deleted.body, json!({"id": id}));
    assert!(
        shared::discount_codes::find_by_code(app.store.as_ref(), &acme.id, "JANE10")
            .await
            .unwrap()
            .is_none()
    );
    let again = post(
        &app,
        &track,
        &acme,
        "/discount-codes",
        json!({"partnerId": jane.id,
        "linkId": jane_link.id, "code": "JANE10"}),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let gone = call(
        &app,
        &track,
        Method::DELETE,
        &format!("/discount-codes/{id}"),
        Some(&acme.key),
        None,
    )
    .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}
