//! Partner applications over both engines: the public apply and its rules, the admin review
//! with its races and codes, Dub's routes, the partner check and the events in the outbox.

use http::{Method, StatusCode};
use integration_tests::app::{Reply, TestApp, reply, request, token_config};
use integration_tests::engine_tests;
use serde_json::{Value, json};
use shared::context::AppContext;
use shared::store::{Query, get_s, records::from_json_item};
use shared::types::ProgramId;
use std::sync::Arc;

/// A program with its admin token, its public website key and a server-side key.
struct Program {
    id: String,
    domain: String,
    admin: String,
    public_key: String,
    server_key: String,
}

async fn admin_call(
    app: &TestApp,
    method: Method,
    path: &str,
    credential: &str,
    body: Option<Value>,
) -> Reply {
    reply(program_admin::handle(&app.ctx, request(method, path, Some(credential), body)).await)
}

async fn call_with(
    ctx: &AppContext,
    method: Method,
    path: &str,
    credential: &str,
    body: Option<Value>,
) -> Reply {
    reply(partner_applications::handle(ctx, request(method, path, Some(credential), body)).await)
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    credential: &str,
    body: Option<Value>,
) -> Reply {
    call_with(&app.ctx, method, path, credential, body).await
}

async fn key(app: &TestApp, program: &str, admin: &str, scopes: Value) -> String {
    let key = admin_call(
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

async fn program(app: &TestApp, domain: &str) -> Program {
    let created = admin_call(
        app,
        Method::POST,
        "/programs",
        &app.platform_token(),
        Some(json!({"name": "Acme", "domain": domain})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let admin = app.admin_token(&ProgramId::parse(&id).unwrap());
    Program {
        public_key: key(app, &id, &admin, json!(["applications.submit"])).await,
        server_key: key(app, &id, &admin, json!(["partners.write"])).await,
        domain: domain.into(),
        id,
        admin,
    }
}

impl Program {
    fn applications(&self) -> String {
        format!("/v1/apps/{}/affiliates/applications", self.id)
    }

    fn review(&self, application: &str) -> String {
        format!("{}/{application}/review", self.applications())
    }

    fn program_id(&self) -> ProgramId {
        ProgramId::parse(&self.id).unwrap()
    }
}

async fn apply(app: &TestApp, program: &Program, email: &str, name: &str) -> Reply {
    call(
        app,
        Method::POST,
        "/v1/affiliate/apply",
        &program.public_key,
        Some(json!({"email": email, "name": name, "company": "Acme Inc",
                    "website": "https://acme.com", "reason": "A large SaaS audience"})),
    )
    .await
}

/// Applies and returns the new application's id.
async fn applied(app: &TestApp, program: &Program, email: &str, name: &str) -> String {
    let reply = apply(app, program, email, name).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["status"], "pending");
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn review(app: &TestApp, program: &Program, application: &str, body: Value) -> Reply {
    call(
        app,
        Method::POST,
        &program.review(application),
        &program.admin,
        Some(body),
    )
    .await
}

async fn status_of(app: &TestApp, program: &Program, email: &str) -> Reply {
    let email = email.replace('@', "%40").replace('+', "%2B");
    call(
        app,
        Method::GET,
        &format!("/v1/affiliate/apply/status?email={email}"),
        &program.public_key,
        None,
    )
    .await
}

/// The program's events of this name, oldest first, as `data` payloads.
async fn events(app: &TestApp, program: &Program, name: &str) -> Vec<Value> {
    let page = app
        .store
        .query(Query::table(shared::layout::events_pk(&program.program_id())).consistent())
        .await
        .unwrap();
    assert!(page.next.is_none(), "more events than one page");
    page.items
        .iter()
        .filter(|item| get_s(item, "event") == Some(name))
        .map(|item| {
            let event: Value = serde_json::from_str(get_s(item, "body").unwrap()).unwrap();
            assert!(
                item.contains_key("gsi1pk"),
                "{name} waits in the outbox index"
            );
            event["data"].clone()
        })
        .collect()
}

async fn partners(app: &TestApp, program: &Program) -> Vec<shared::model::Partner> {
    let page = app
        .store
        .query(Query::index(
            "gsi1",
            shared::layout::partners_index_pk(&program.program_id()),
        ))
        .await
        .unwrap();
    page.items
        .iter()
        .map(|item| from_json_item(item).unwrap())
        .collect()
}

/// A context over the same store whose clock reads `now + days`.
fn later_context(app: &TestApp, days: i64) -> AppContext {
    let clock = shared::ports::ManualClock::new(
        time::OffsetDateTime::now_utc() + time::Duration::days(days),
    );
    AppContext::new(
        app.store.clone(),
        Arc::new(clock),
        Arc::new(shared::ports::OsRandom),
        Some(shared::auth::AdminTokenVerifier::new(&token_config()).unwrap()),
    )
}

fn jwt_with(header: Value, claims: Value, secret: &[u8], sign: bool) -> String {
    use base64::Engine;
    let encode = |value: &Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
    };
    let signing_input = format!("{}.{}", encode(&header), encode(&claims));
    if !sign {
        return format!("{signing_input}.");
    }
    let key = jsonwebtoken::EncodingKey::from_secret(secret);
    let algorithm = serde_json::from_value(header["alg"].clone()).unwrap();
    let signature = jsonwebtoken::crypto::sign(signing_input.as_bytes(), &key, algorithm).unwrap();
    format!("{signing_input}.{signature}")
}

fn claims(program: &Program, audience: &str, exp_offset: i64) -> Value {
    json!({
        "sub": "admin@test", "iss": integration_tests::app::ISSUER, "aud": audience,
        "exp": time::OffsetDateTime::now_utc().unix_timestamp() + exp_offset,
        "program_id": program.id,
    })
}

engine_tests!(
    apply_duplicate_and_status_without_side_effects,
    one_person_cannot_apply_again_under_an_equivalent_or_disguised_email,
    approve_with_a_custom_code_enrolls_the_partner,
    generated_codes_are_readable_and_unique_and_taken_codes_conflict,
    reject_then_reapply_instant_standard_and_never,
    racing_reviews_have_one_winner,
    admin_tokens_are_checked,
    wrong_actions_and_extra_fields_are_422,
    public_apply_is_rate_limited_per_ip,
    auto_approve_groups_enroll_at_once,
    lists_newest_first_by_status_with_pages,
    dub_routes_share_the_use_cases,
    dubs_list_shows_its_schema_and_pages_by_number_and_partner_ids_review,
    dubs_list_filters_by_search_country_group_and_sorts,
    program_form_fields_are_validated,
    partners_move_between_groups_and_opt_out_of_automatic_moves
);

async fn apply_duplicate_and_status_without_side_effects(app: TestApp) {
    let program = program(&app, "go.acme.com").await;
    let first = apply(&app, &program, "Partner@Example.com", "Jane Smith").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let id = first.body["id"].as_str().unwrap();
    assert!(id.starts_with("pga_"), "{id}");
    assert_eq!(first.body["status"], "pending");
    assert!(
        first.body["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    assert_eq!(first.body.as_object().unwrap().len(), 3, "{}", first.body);

    let duplicate = apply(&app, &program, "  partner@EXAMPLE.com ", "Jane Again").await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT, "{}", duplicate.body);
    assert_eq!(duplicate.error_code(), "conflict");

    let submitted = events(&app, &program, "partner.application_submitted").await;
    assert_eq!(submitted.len(), 1);
    assert_eq!(submitted[0]["id"], id);
    assert_eq!(submitted[0]["email"], "partner@example.com");

    let before = events(&app, &program, "partner.application_submitted")
        .await
        .len();
    let status = status_of(&app, &program, "PARTNER@example.com").await;
    assert_eq!(status.status, StatusCode::OK);
    assert_eq!(status.body, json!({"applied": true, "status": "pending"}));
    let unknown = status_of(&app, &program, "nobody@example.com").await;
    assert_eq!(unknown.body, json!({"applied": false}));
    // Reading changes nothing: no event, and the application can still be reviewed at version 1.
    assert_eq!(
        events(&app, &program, "partner.application_submitted")
            .await
            .len(),
        before
    );
    let stored: shared::model::Application = shared::store::records::read_json(
        app.store.as_ref(),
        &shared::layout::application(&shared::types::ApplicationId::parse(id).unwrap()),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(stored.version, 1);

    let missing = call(
        &app,
        Method::GET,
        "/v1/affiliate/apply/status",
        &program.public_key,
        None,
    )
    .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
}

async fn one_person_cannot_apply_again_under_an_equivalent_or_disguised_email(app: TestApp) {
    let program = program(&app, "go.acme.com").await;
    let first = apply(&app, &program, "jane@example.com", "Jane Smith").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    // Full-width letters and an ideographic full stop are the same address.
    for equivalent in ["jane@ｅｘａｍｐｌｅ.com", "ＪＡＮＥ＠example。com"] {
        let again = apply(&app, &program, equivalent, "Jane Again").await;
        assert_eq!(
            again.status,
            StatusCode::CONFLICT,
            "{equivalent}: {}",
            again.body
        );
    }
    // Invisible and bidirectional characters are refused, and write nothing.
    for disguised in [
        "ja\u{200B}ne@example.com",
        "jane@\u{202E}example.com",
        "jane\u{2060}@example.com",
    ] {
        let refused = apply(&app, &program, disguised, "Jane Hidden").await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{disguised:?}: {}",
            refused.body
        );
    }
    // An international domain is kept in its ASCII form, and its Unicode form is the same.
    let idn = apply(&app, &program, "hans@bücher.de", "Hans").await;
    assert_eq!(idn.status, StatusCode::CREATED, "{}", idn.body);
    let same = apply(&app, &program, "hans@xn--bcher-kva.de", "Hans").await;
    assert_eq!(same.status, StatusCode::CONFLICT, "{}", same.body);
    let submitted = events(&app, &program, "partner.application_submitted").await;
    let emails: Vec<&str> = submitted
        .iter()
        .map(|e| e["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["jane@example.com", "hans@xn--bcher-kva.de"]);
}

async fn approve_with_a_custom_code_enrolls_the_partner(app: TestApp) {
    let program = program(&app, "go.acme.com").await;
    let id = applied(&app, &program, "partner@example.com", "Jane Smith").await;
    let approved = review(
        &app,
        &program,
        &id,
        json!({"action": "approve", "code": "JANE20"}),
    )
    .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let affiliate = &approved.body["affiliate"];
    let partner_id = affiliate["id"].as_str().unwrap();
    let customer_id = affiliate["customer_id"].as_str().unwrap();
    assert!(
        partner_id.starts_with("pn_") && customer_id.starts_with("cus_"),
        "{}",
        approved.body
    );
    assert_eq!(
        approved.body,
        json!({"id": id, "status": "approved",
        "affiliate": {"id": partner_id, "code": "JANE20", "customer_id": customer_id}})
    );

    // The exact StackBE payload, and Dub's enrollment event.
    assert_eq!(
        events(&app, &program, "partner_application_approved").await,
        vec![json!({
            "application": {"id": id, "email": "partner@example.com", "name": "Jane Smith"},
            "affiliate": {"id": partner_id, "code": "JANE20", "customer_id": customer_id},
        })]
    );
    let enrolled = events(&app, &program, "partner.enrolled").await;
    assert_eq!(enrolled.len(), 1);
    assert_eq!(enrolled[0]["id"], partner_id);
    assert_eq!(enrolled[0]["status"], "approved");
    assert_eq!(enrolled[0]["links"][0]["key"], "jane20");
    assert_eq!(enrolled[0]["links"][0]["domain"], "go.acme.com");

    let status = status_of(&app, &program, "partner@example.com").await;
    assert_eq!(status.body, json!({"applied": true, "status": "approved"}));

    // Lookups: by code (any case), email, customer; the link's domain+key is claimed.
    let store = app.store.as_ref();
    let pid = program.program_id();
    let by_code = shared::partners::find_by_referral_code(
        store,
        &pid,
        &shared::types::ReferralCode::parse("jane20").unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(by_code.id.as_str(), partner_id);
    assert_eq!(
        by_code.group_id,
        shared::groups::find_group_by_slug(store, &pid, "default")
            .await
            .unwrap()
            .unwrap()
            .id
    );
    let email = shared::types::Email::parse("partner@example.com").unwrap();
    assert_eq!(
        shared::partners::find_by_email(store, &pid, &email)
            .await
            .unwrap()
            .unwrap()
            .id
            .as_str(),
        partner_id
    );
    let claim = store
        .get(
            &shared::layout::link_key_claim(&program.domain, "jane20"),
            shared::store::Consistency::Strong,
        )
        .await
        .unwrap();
    assert!(claim.is_some(), "the referral link's key is claimed");

    let check = call(
        &app,
        Method::GET,
        &format!("/v1/affiliate/by-customer/{customer_id}"),
        &program.server_key,
        None,
    )
    .await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.body);
    assert_eq!(check.body["enrolled"], true);
    assert_eq!(check.body["id"], partner_id);
    assert_eq!(check.body["code"], "JANE20");
    assert_eq!(check.body["status"], "active");
    assert_eq!(check.body["type"], "affiliate");
    assert_eq!(check.body["totalEarned"], 0.0);
    let other = call(
        &app,
        Method::GET,
        "/v1/affiliate/by-customer/cus_unknown",
        &program.server_key,
        None,
    )
    .await;
    assert_eq!(other.body, json!({"enrolled": false}));
    let public = call(
        &app,
        Method::GET,
        &format!("/v1/affiliate/by-customer/{customer_id}"),
        &program.public_key,
        None,
    )
    .await;
    assert_eq!(
        public.status,
        StatusCode::FORBIDDEN,
        "the website key cannot read partners"
    );

    // A second review of the same application is a conflict.
    let again = review(
        &app,
        &program,
        &id,
        json!({"action": "reject", "rejectionReason": "late"}),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    // And the same email cannot apply while approved.
    assert_eq!(
        apply(&app, &program, "partner@example.com", "Jane")
            .await
            .status,
        StatusCode::CONFLICT
    );
}

async fn generated_codes_are_readable_and_unique_and_taken_codes_conflict(app: TestApp) {
    let program = program(&app, "go.acme.com").await;
    let first = applied(&app, &program, "jane@example.com", "Jane Smith").await;
    let second = applied(&app, &program, "jane.doe@example.com", "Jane Doe").await;
    let third = applied(&app, &program, "jim@example.com", "Jim").await;
    let a = review(&app, &program, &first, json!({"action": "approve"})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let code = a.body["affiliate"]["code"].as_str().unwrap();
    assert!(
        code.starts_with("JANE")
            && code.len() == 6
            && code[4..].chars().all(|c| c.is_ascii_digit()),
        "{code}"
    );

    // The first partner's code, in another case, is taken: 409 and nothing changes.
    let taken = review(
        &app,
        &program,
        &second,
        json!({"action": "approve", "code": code.to_lowercase()}),
    )
    .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
    assert!(
        taken.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("taken")
    );
    assert_eq!(
        status_of(&app, &program, "jane.doe@example.com").await.body["status"],
        "pending"
    );
    assert_eq!(partners(&app, &program).await.len(), 1);
    assert_eq!(
        events(&app, &program, "partner_application_approved")
            .await
            .len(),
        1
    );

    let b = review(&app, &program, &second, json!({"action": "approve"})).await;
    assert_eq!(b.status, StatusCode::OK, "{}", b.body);
    assert_ne!(
        b.body["affiliate"]["code"].as_str().unwrap().to_lowercase(),
        code.to_lowercase()
    );
    // A name too short for a stem still gets a readable code.
    let c = review(&app, &program, &third, json!({"action": "approve"})).await;
    assert!(
        c.body["affiliate"]["code"]
            .as_str()
            .unwrap()
            .starts_with("JIM"),
        "{}",
        c.body
    );
    assert_eq!(partners(&app, &program).await.len(), 3);

    let bad = review(
        &app,
        &program,
        &first,
        json!({"action": "approve", "code": "no spaces"}),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn reject_then_reapply_instant_standard_and_never(app: TestApp) {
    let program = program(&app, "go.acme.com").await;
    let instant = applied(&app, &program, "instant@example.com", "Ina").await;
    let rejected = review(
        &app,
        &program,
        &instant,
        json!({"action": "reject",
        "rejectionReason": "Not a good fit at this time", "reapplicationTimeframe": "instant"}),
    )
    .await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.body);
    assert_eq!(rejected.body["status"], "rejected");
    assert_eq!(
        events(&app, &program, "partner_application_rejected").await,
        vec![json!({
            "application": {"id": instant, "email": "instant@example.com", "name": "Ina",
                            "reason": "Not a good fit at this time"}
        })]
    );
    assert_eq!(
        status_of(&app, &program, "instant@example.com").await.body,
        json!({"applied": true, "status": "rejected", "rejectionReason": "Not a good fit at this time"})
    );
    let again = apply(&app, &program, "instant@example.com", "Ina").await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_eq!(
        status_of(&app, &program, "instant@example.com").await.body,
        json!({"applied": true, "status": "pending"})
    );

    // Standard (the default): 30 days, with the date in the message.
    let standard = applied(&app, &program, "standard@example.com", "Stan").await;
    let r = review(
        &app,
        &program,
        &standard,
        json!({"action": "reject", "rejectionReason": "Too early"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let early = apply(&app, &program, "standard@example.com", "Stan").await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    let year = (time::OffsetDateTime::now_utc() + time::Duration::days(30))
        .year()
        .to_string();
    assert!(
        early.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&year),
        "{}",
        early.body
    );
    let in_29_days = later_context(&app, 29);
    let still = call_with(
        &in_29_days,
        Method::POST,
        "/v1/affiliate/apply",
        &program.public_key,
        Some(json!({"email": "standard@example.com", "name": "Stan"})),
    )
    .await;
    assert_eq!(still.status, StatusCode::CONFLICT);
    let in_31_days = later_context(&app, 31);
    let later = call_with(
        &in_31_days,
        Method::POST,
        "/v1/affiliate/apply",
        &program.public_key,
        Some(json!({"email": "standard@example.com", "name": "Stan"})),
    )
    .await;
    assert_eq!(later.status, StatusCode::CREATED, "{}", later.body);

    let never = applied(&app, &program, "never@example.com", "Nev").await;
    review(
        &app,
        &program,
        &never,
        json!({"action": "reject", "rejectionReason": "No", "reapplicationTimeframe": "never"}),
    )
    .await;
    assert_eq!(
        apply(&app, &program, "never@example.com", "Nev")
            .await
            .status,
        StatusCode::CONFLICT
    );
    let much_later = call_with(
        &later_context(&app, 400),
        Method::POST,
        "/v1/affiliate/apply",
        &program.public_key,
        Some(json!({"email": "never@example.com", "name": "Nev"})),
    )
    .await;
    assert_eq!(much_later.status, StatusCode::CONFLICT);

    // A rejected application may still be approved.
    let approved = review(&app, &program, &never, json!({"action": "approve"})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
}

async fn racing_reviews_have_one_winner(app: TestApp) {
    // Approvals race with approvals and rejections with rejections: a rejection followed by
    // an approval is a legitimate sequence (approve from rejected), not a lost race.
    let program = Arc::new(program(&app, "go.acme.com").await);
    let approved = applied(&app, &program, "race@example.com", "Racer").await;
    let rejected = applied(&app, &program, "race2@example.com", "Racer Two").await;
    let app = Arc::new(app);
    let mut tasks = Vec::new();
    for n in 0..8 {
        let (app, program) = (app.clone(), program.clone());
        let (id, body) = if n % 2 == 0 {
            (
                approved.clone(),
                json!({"action": "approve", "code": format!("RACE{n}")}),
            )
        } else {
            (
                rejected.clone(),
                json!({"action": "reject", "rejectionReason": "race"}),
            )
        };
        tasks.push(tokio::spawn(async move {
            (n % 2, review(&app, &program, &id, body).await.status)
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    for kind in [0, 1] {
        let of_kind: Vec<StatusCode> = statuses
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, s)| *s)
            .collect();
        assert_eq!(
            of_kind.iter().filter(|s| **s == StatusCode::OK).count(),
            1,
            "{statuses:?}"
        );
        assert_eq!(
            of_kind
                .iter()
                .filter(|s| **s == StatusCode::CONFLICT)
                .count(),
            3,
            "{statuses:?}"
        );
    }
    assert_eq!(
        events(&app, &program, "partner_application_approved")
            .await
            .len(),
        1
    );
    assert_eq!(events(&app, &program, "partner.enrolled").await.len(), 1);
    assert_eq!(
        events(&app, &program, "partner_application_rejected")
            .await
            .len(),
        1
    );
    assert_eq!(partners(&app, &program).await.len(), 1);
    assert_eq!(
        status_of(&app, &program, "race2@example.com").await.body["status"],
        "rejected"
    );
}

async fn admin_tokens_are_checked(app: TestApp) {
    let program = program(&app, "go.acme.com").await;
    let other = self::program(&app, "go.other.com").await;
    let id = applied(&app, &program, "jwt@example.com", "Jay").await;
    let header = json!({"alg": "HS256", "typ": "JWT"});
    let secret = integration_tests::app::SECRET;
    let bad_tokens = [
        (
            "expired",
            jwt_with(
                header.clone(),
                claims(&program, integration_tests::app::AUDIENCE, -3600),
                secret,
                true,
            ),
        ),
        (
            "wrong audience",
            jwt_with(
                header.clone(),
                claims(&program, "someone-else", 3600),
                secret,
                true,
            ),
        ),
        (
            "wrong algorithm",
            jwt_with(
                json!({"alg": "HS384", "typ": "JWT"}),
                claims(&program, integration_tests::app::AUDIENCE, 3600),
                secret,
                true,
            ),
        ),
        (
            "alg none",
            jwt_with(
                json!({"alg": "none", "typ": "JWT"}),
                claims(&program, integration_tests::app::AUDIENCE, 3600),
                secret,
                false,
            ),
        ),
        (
            "wrong secret",
            jwt_with(
                header.clone(),
                claims(&program, integration_tests::app::AUDIENCE, 3600),
                b"another-secret-of-at-least-32-bytes!",
                true,
            ),
        ),
    ];
    for (what, token) in bad_tokens {
        let listed = call(&app, Method::GET, &program.applications(), &token, None).await;
        assert_eq!(
            listed.status,
            StatusCode::UNAUTHORIZED,
            "{what}: {}",
            listed.body
        );
        let reviewed = call(
            &app,
            Method::POST,
            &program.review(&id),
            &token,
            Some(json!({"action": "approve"})),
        )
        .await;
        assert_eq!(reviewed.status, StatusCode::UNAUTHORIZED, "{what}");
    }
    // The good token, built the same way, works: the failures above are the claims'.
    let good = jwt_with(
        header,
        claims(&program, integration_tests::app::AUDIENCE, 3600),
        secret,
        true,
    );
    assert_eq!(
        call(&app, Method::GET, &program.applications(), &good, None)
            .await
            .status,
        StatusCode::OK
    );

    // Another program's token: 404, and the application stays pending.
    let foreign = call(
        &app,
        Method::POST,
        &program.review(&id),
        &other.admin,
        Some(json!({"action": "approve"})),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{}", foreign.body);
    let foreign_list = call(
        &app,
        Method::GET,
        &program.applications(),
        &other.admin,
        None,
    )
    .await;
    assert_eq!(foreign_list.status, StatusCode::NOT_FOUND);
    // The application id under the other program's path is not found either.
    let crossed = call(
        &app,
        Method::POST,
        &other.review(&id),
        &other.admin,
        Some(json!({"action": "approve"})),
    )
    .await;
    assert_eq!(crossed.status, StatusCode::NOT_FOUND);
    assert_eq!(
        status_of(&app, &program, "jwt@example.com").await.body["status"],
        "pending"
    );
}

async fn wrong_actions_and_extra_fields_are_422(app: TestApp) {
    let program = program(&app, "go.acme.com").await;
    let id = applied(&app, &program, "fields@example.com", "Fay").await;
    for body in [
        json!({"action": "promote"}),
        json!({"action": "approve", "extra": true}),
        json!({"action": "reject"}),
        json!({"action": "reject", "rejectionReason": "x", "code": "ABC"}),
        json!({"action": "reject", "rejectionReason": "x", "reapplicationTimeframe": "soon"}),
        json!({"action": "reject", "rejectionReason": "   "}),
        json!({"code": "JANE20"}),
    ] {
        let reply = review(&app, &program, &id, body.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            reply.body
        );
    }
    let extra = call(
        &app,
        Method::POST,
        "/v1/affiliate/apply",
        &program.public_key,
        Some(json!({"email": "x@example.com", "name": "X", "admin": true})),
    )
    .await;
    assert_eq!(extra.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad_email = call(
        &app,
        Method::POST,
        "/v1/affiliate/apply",
        &program.public_key,
        Some(json!({"email": "not-an-email", "name": "X"})),
    )
    .await;
    assert_eq!(bad_email.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown_group = review(
        &app,
        &program,
        &id,
        json!({"action": "approve", "groupId": "grp_unknown"}),
    )
    .await;
    assert_eq!(unknown_group.status, StatusCode::NOT_FOUND);
    assert_eq!(
        status_of(&app, &program, "fields@example.com").await.body["status"],
        "pending"
    );
    assert!(
        events(&app, &program, "partner_application_approved")
            .await
            .is_empty()
    );
}

async fn public_apply_is_rate_limited_per_ip(app: TestApp) {
    let program = program(&app, "go.acme.com").await;
    let from = |ip: &str, n: usize| {
        let mut request = request(
            Method::POST,
            "/v1/affiliate/apply",
            Some(&program.public_key),
            Some(json!({"email": format!("p{n}@example.com"), "name": "P"})),
        );
        request.headers_mut().insert(
            "x-forwarded-for",
            format!("{ip}, 10.0.0.1").parse().unwrap(),
        );
        request
    };
    let limit = shared::applications::PER_IP_LIMIT.limit as usize;
    for n in 0..limit {
        let reply = reply(partner_applications::handle(&app.ctx, from("198.51.100.1", n)).await);
        assert_eq!(reply.status, StatusCode::CREATED, "{n}: {}", reply.body);
    }
    let limited = reply(partner_applications::handle(&app.ctx, from("198.51.100.1", limit)).await);
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.error_code(), "rate_limit_exceeded");
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=600).contains(&retry), "{retry}");
    assert_eq!(
        status_of(&app, &program, &format!("p{limit}@example.com"))
            .await
            .body,
        json!({"applied": false})
    );
    // Another address is counted apart.
    let other = reply(partner_applications::handle(&app.ctx, from("198.51.100.2", limit)).await);
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
}

async fn auto_approve_groups_enroll_at_once(app: TestApp) {
    let program = program(&app, "go.acme.com").await;
    let groups = admin_call(
        &app,
        Method::GET,
        &format!("/programs/{}/groups", program.id),
        &program.admin,
        None,
    )
    .await;
    let default = groups.body["data"][0]["id"].as_str().unwrap().to_owned();
    let patched = admin_call(
        &app,
        Method::PATCH,
        &format!("/programs/{}/groups/{default}", program.id),
        &program.admin,
        Some(json!({"autoApprove": true})),
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let reply = apply(&app, &program, "auto@example.com", "Auto Matic").await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["status"], "approved");
    let partners = partners(&app, &program).await;
    assert_eq!(partners.len(), 1);
    assert_eq!(partners[0].group_id.as_str(), default);
    assert!(
        partners[0]
            .referral_code
            .as_ref()
            .unwrap()
            .as_str()
            .starts_with("AUTO")
    );
    let approved = events(&app, &program, "partner_application_approved").await;
    assert_eq!(approved.len(), 1);
    assert_eq!(approved[0]["application"]["id"], reply.body["id"]);
    assert_eq!(
        status_of(&app, &program, "auto@example.com").await.body["status"],
        "approved"
    );
}

async fn lists_newest_first_by_status_with_pages(app: TestApp) {
    let program = program(&app, "go.acme.com").await;
    let first = applied(&app, &program, "a@example.com", "A").await;
    let second = applied(&app, &program, "b@example.com", "B").await;
    let third = applied(&app, &program, "c@example.com", "C").await;
    review(
        &app,
        &program,
        &second,
        json!({"action": "reject", "rejectionReason": "no"}),
    )
    .await;
    let all = call(
        &app,
        Method::GET,
        &format!("{}?limit=2", program.applications()),
        &program.admin,
        None,
    )
    .await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let ids: Vec<&str> = all.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [third.as_str(), second.as_str()]);
    let cursor = all.body["nextCursor"].as_str().unwrap();
    let rest = call(
        &app,
        Method::GET,
        &format!("{}?limit=2&cursor={cursor}", program.applications()),
        &program.admin,
        None,
    )
    .await;
    assert_eq!(rest.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(rest.body["data"][0]["id"], first.as_str());
    let pending = call(
        &app,
        Method::GET,
        &format!("{}?status=pending", program.applications()),
        &program.admin,
        None,
    )
    .await;
    let ids: Vec<&str> = pending.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [third.as_str(), first.as_str()]);
    let bad = call(
        &app,
        Method::GET,
        &format!("{}?status=maybe", program.applications()),
        &program.admin,
        None,
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

async fn dub_routes_share_the_use_cases(app: TestApp) {
    let program = program(&app, "go.acme.com").await;
    let one = applied(&app, &program, "one@example.com", "One Partner").await;
    let two = applied(&app, &program, "two@example.com", "Two").await;
    let listed = call(
        &app,
        Method::GET,
        "/program-applications?status=pending",
        &program.server_key,
        None,
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body.as_array().unwrap().len(), 2);
    let denied = call(
        &app,
        Method::GET,
        "/program-applications",
        &program.public_key,
        None,
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);

    let approved = call(
        &app,
        Method::POST,
        "/program-applications/approve",
        &program.server_key,
        Some(json!({"applicationId": one})),
    )
    .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["status"], "approved");
    assert!(approved.body["id"].as_str().unwrap().starts_with("pn_"));
    assert_eq!(events(&app, &program, "partner.enrolled").await.len(), 1);

    let bad_reason = call(
        &app,
        Method::POST,
        "/program-applications/reject",
        &program.server_key,
        Some(json!({"applicationId": two, "rejectionReason": "Not a good fit"})),
    )
    .await;
    assert_eq!(bad_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let rejected = call(
        &app,
        Method::POST,
        "/program-applications/reject",
        &program.server_key,
        Some(
            json!({"applicationId": two, "rejectionReason": "notTheRightFit",
                    "rejectionNote": "Come back later", "reapplicationTimeframe": "never"}),
        ),
    )
    .await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.body);
    assert_eq!(rejected.body["rejectionReason"], "notTheRightFit");
    assert_eq!(rejected.body["rejectionNote"], "Come back later");
    assert_eq!(
        events(&app, &program, "partner_application_rejected").await[0]["application"]["reason"],
        "notTheRightFit"
    );
    let unknown = call(
        &app,
        Method::POST,
        "/program-applications/approve",
        &program.server_key,
        Some(json!({"applicationId": "pga_nope"})),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

async fn dubs_list_shows_its_schema_and_pages_by_number_and_partner_ids_review(app: TestApp) {
    let program = program(&app, "go.acme.com").await;
    let ids: Vec<String> = {
        let mut ids = Vec::new();
        for n in 0..5 {
            ids.push(
                applied(
                    &app,
                    &program,
                    &format!("p{n}@example.com"),
                    &format!("Partner {n}"),
                )
                .await,
            );
        }
        ids
    };
    let list = |query: &'static str| call(&app, Method::GET, query, &program.server_key, None);
    let first = list("/program-applications?status=pending&page=1&pageSize=2").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let item = &first.body[0];
    assert_eq!(item["id"], ids[4].as_str(), "newest first");
    assert_eq!(item["partner"]["id"], ids[4].as_str());
    assert_eq!(item["partner"]["email"], "p4@example.com");
    assert_eq!(item["partner"]["status"], "pending");
    assert_eq!(item["partner"]["networkStatus"], "submitted");
    assert!(item["partner"]["image"].is_null() && item["partner"]["payoutsEnabledAt"].is_null());
    assert_eq!(
        item["applicationFormData"][0],
        json!({"label": "Company", "value": "Acme Inc"})
    );
    assert!(item["createdAt"].is_string());
    let page_ids = |body: &Value| {
        body.as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let second = list("/program-applications?status=pending&page=2&pageSize=2").await;
    assert_eq!(page_ids(&second.body), [ids[2].clone(), ids[1].clone()]);
    let third = list("/program-applications?status=pending&page=3&pageSize=2").await;
    assert_eq!(page_ids(&third.body), [ids[0].clone()]);
    assert_eq!(
        list("/program-applications?page=0").await.status,
        StatusCode::BAD_REQUEST
    );

    // Dub's approve and reject name the applicant by `partnerId` and answer `{partnerId}`.
    let approved = call(
        &app,
        Method::POST,
        "/program-applications/approve",
        &program.server_key,
        Some(json!({"partnerId": ids[4], "groupId": null})),
    )
    .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert!(
        approved.body["partnerId"]
            .as_str()
            .unwrap()
            .starts_with("pn_"),
        "{}",
        approved.body
    );
    let rejected = call(&app, Method::POST, "/program-applications/reject", &program.server_key,
        Some(json!({"partnerId": ids[3], "flagForFraud": true, "flagForFraudReason": "fake traffic"}))).await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.body);
    assert_eq!(rejected.body["partnerId"], ids[3].as_str());
    assert_eq!(rejected.body["rejectionReason"], "other");
    let both = call(
        &app,
        Method::POST,
        "/program-applications/reject",
        &program.server_key,
        Some(
            json!({"partnerId": ids[2], "flagForFraud": true, "reapplicationTimeframe": "instant"}),
        ),
    )
    .await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    let nobody = call(
        &app,
        Method::POST,
        "/program-applications/approve",
        &program.server_key,
        Some(json!({})),
    )
    .await;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY);
    let listed = list("/program-applications?status=approved").await;
    assert_eq!(listed.body[0]["partner"]["status"], "approved");
}

async fn dubs_list_filters_by_search_country_group_and_sorts(app: TestApp) {
    let program = program(&app, "go.acme.com").await;
    let fields = json!([{"key": "country", "label": "Country", "type": "short-text"}]);
    let set = admin_call(
        &app,
        Method::PATCH,
        &format!("/programs/{}", program.id),
        &program.admin,
        Some(json!({"settings": {"applicationFormFields": fields}})),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let mut ids = Vec::new();
    for (email, name, country) in [
        ("ana@example.com", "Ana Silva", "BR"),
        ("jo@example.com", "Jo Smith", "US"),
        ("sam@blog.example", "Sam Smithers", "us"),
        ("lee@example.com", "Lee", "DE"),
    ] {
        let reply = call(
            &app,
            Method::POST,
            "/v1/affiliate/apply",
            &program.public_key,
            Some(json!({"email": email, "name": name, "formData": {"country": country}})),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        ids.push(reply.body["id"].as_str().unwrap().to_owned());
    }
    let list = |query: String| {
        let (app, key) = (&app, program.server_key.clone());
        async move {
            call(
                app,
                Method::GET,
                &format!("/program-applications?{query}"),
                &key,
                None,
            )
            .await
        }
    };
    let ids_of = |body: &Value| {
        body.as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };

    let smiths = list("search=SMITH".into()).await;
    assert_eq!(
        ids_of(&smiths.body),
        [ids[2].clone(), ids[1].clone()],
        "name, any case, newest first"
    );
    assert_eq!(
        ids_of(&list("search=blog.example".into()).await.body),
        [ids[2].clone()],
        "email"
    );
    let americans = list("country=US&pageSize=1".into()).await;
    assert_eq!(
        ids_of(&americans.body),
        [ids[2].clone()],
        "a filtered page is full"
    );
    assert_eq!(americans.body[0]["partner"]["country"], "us");
    let second = list("country=US&pageSize=1&page=2".into()).await;
    assert_eq!(ids_of(&second.body), [ids[1].clone()]);
    let oldest = list("sortOrder=asc".into()).await;
    assert_eq!(ids_of(&oldest.body), ids);
    assert_eq!(
        list("sortOrder=sideways".into()).await.status,
        StatusCode::BAD_REQUEST
    );

    let groups = admin_call(
        &app,
        Method::GET,
        &format!("/programs/{}/groups", program.id),
        &program.admin,
        None,
    )
    .await;
    let default_group = groups.body["data"][0]["id"].as_str().unwrap().to_owned();
    let approved = call(
        &app,
        Method::POST,
        "/program-applications/approve",
        &program.server_key,
        Some(json!({"partnerId": ids[3], "groupId": default_group})),
    )
    .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(
        ids_of(&list(format!("groupId={default_group}")).await.body),
        [ids[3].clone()]
    );
    assert!(ids_of(&list("groupId=grp_other".into()).await.body).is_empty());
}

async fn program_form_fields_are_validated(app: TestApp) {
    let program = program(&app, "go.acme.com").await;
    let fields = json!([
        {"key": "audience", "label": "Audience size", "type": "short-text", "required": true, "maxLength": 7, "pattern": "[0-9]+"},
        {"key": "channel", "label": "Main channel", "type": "select", "options": ["blog", "youtube"]}
    ]);
    let set = admin_call(
        &app,
        Method::PATCH,
        &format!("/programs/{}", program.id),
        &program.admin,
        Some(json!({"settings": {"applicationFormFields": fields}})),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let bad_definition = admin_call(&app, Method::PATCH, &format!("/programs/{}", program.id), &program.admin,
        Some(json!({"settings": {"applicationFormFields": [{"key": "x", "label": "X", "type": "short-text", "pattern": "("}]}}))).await;
    assert_eq!(bad_definition.status, StatusCode::UNPROCESSABLE_ENTITY);
    for form in [
        json!({}),
        json!({"audience": "12k"}),
        json!({"audience": "12345678"}),
        json!({"audience": "12", "channel": "tv"}),
        json!({"audience": "12", "other": "x"}),
    ] {
        let reply = call(
            &app,
            Method::POST,
            "/v1/affiliate/apply",
            &program.public_key,
            Some(json!({"email": "form@example.com", "name": "F", "formData": form})),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{form}: {}",
            reply.body
        );
    }
    let ok = call(&app, Method::POST, "/v1/affiliate/apply", &program.public_key,
        Some(json!({"email": "form@example.com", "name": "F", "formData": {"audience": "12000", "channel": "blog"}}))).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    let submitted = events(&app, &program, "partner.application_submitted").await;
    assert_eq!(
        submitted[0]["formData"],
        json!({"audience": "12000", "channel": "blog"})
    );
}

async fn partners_move_between_groups_and_opt_out_of_automatic_moves(app: TestApp) {
    let program = program(&app, "go.acme.com").await;
    let other = self::program(&app, "go.other.com").await;
    let id = applied(&app, &program, "mover@example.com", "Mover").await;
    let approved = review(&app, &program, &id, json!({"action": "approve"})).await;
    let partner = approved.body["affiliate"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let vip = admin_call(
        &app,
        Method::POST,
        &format!("/programs/{}/groups", program.id),
        &program.admin,
        Some(json!({"name": "VIP", "slug": "vip"})),
    )
    .await;
    assert_eq!(vip.status, StatusCode::CREATED, "{}", vip.body);
    let vip = vip.body["id"].as_str().unwrap().to_owned();
    let foreign_group = admin_call(
        &app,
        Method::GET,
        &format!("/programs/{}/groups", other.id),
        &other.admin,
        None,
    )
    .await
    .body["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let move_path = format!("/programs/{}/partners/{partner}/group", program.id);

    let reader = key(&app, &program.id, &program.admin, json!(["partners.read"])).await;
    let denied = admin_call(
        &app,
        Method::POST,
        &move_path,
        &reader,
        Some(json!({"groupId": vip})),
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let foreign = admin_call(
        &app,
        Method::POST,
        &move_path,
        &program.admin,
        Some(json!({"groupId": foreign_group})),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let by_other = admin_call(
        &app,
        Method::POST,
        &format!("/programs/{}/partners/{partner}/group", other.id),
        &other.admin,
        Some(json!({"groupId": foreign_group})),
    )
    .await;
    assert_eq!(
        by_other.status,
        StatusCode::NOT_FOUND,
        "another program's partner is not found"
    );
    let extra = admin_call(
        &app,
        Method::POST,
        &move_path,
        &program.admin,
        Some(json!({"groupId": vip, "x": 1})),
    )
    .await;
    assert_eq!(extra.status, StatusCode::UNPROCESSABLE_ENTITY);

    let moved = admin_call(
        &app,
        Method::POST,
        &move_path,
        &program.server_key,
        Some(json!({"groupId": vip})),
    )
    .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.body["groupId"], vip.as_str());
    let changes = events(&app, &program, "partner.group_changed").await;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["toGroupId"], vip.as_str());
    let in_vip = app
        .store
        .query(Query::index(
            "gsi2",
            shared::layout::group_partners_index_pk(
                &program.program_id(),
                &shared::types::GroupId::parse(&vip).unwrap(),
            ),
        ))
        .await
        .unwrap();
    assert_eq!(in_vip.items.len(), 1);

    let patch_path = format!("/programs/{}/partners/{partner}", program.id);
    let excluded = admin_call(
        &app,
        Method::PATCH,
        &patch_path,
        &program.admin,
        Some(json!({"excludeFromMoves": true})),
    )
    .await;
    assert_eq!(excluded.status, StatusCode::OK, "{}", excluded.body);
    assert_eq!(excluded.body["excludeFromMoves"], true);
    assert_eq!(
        events(&app, &program, "partner.updated").await,
        vec![json!({"partnerId": partner, "excludeFromMoves": true})]
    );
    let wrong = admin_call(
        &app,
        Method::PATCH,
        &patch_path,
        &program.admin,
        Some(json!({"excludeFromMoves": "yes"})),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
}
