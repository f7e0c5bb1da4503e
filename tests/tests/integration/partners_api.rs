//! Dub's `GET /partners` and the partner management routes over both engines: every field of
//! the seeds, every filter and sort, the precedence rules, paging, isolation between programs.

use http::{Method, StatusCode};
use integration_tests::app::{Reply, TestApp, reply, request};
use integration_tests::engine_tests;
use integration_tests::link_world::api_key;
use serde_json::{Value, json};
use shared::model::{PartnerStatus, PartnerTotals};
use shared::partner_listing::{PartnerDirectory, SortBy};
use shared::types::{PartnerId, ProgramId};
use std::time::Duration;

/// A program with an admin token and a key holding `partners.write`.
struct World {
    program: String,
    domain: String,
    admin: String,
    key: String,
    directory: PartnerDirectory,
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

async fn world(app: &TestApp, domain: &str) -> World {
    let created = admin_call(
        app,
        Method::POST,
        "/programs",
        &app.platform_token(),
        Some(json!({"name": "Acme", "domain": domain})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let program = created.body["id"].as_str().unwrap().to_owned();
    let program_id = ProgramId::parse(&program).unwrap();
    let admin = app.admin_token(&program_id);
    let key = api_key(app, &program_id, json!(["partners.write"])).await;
    World {
        program,
        domain: domain.into(),
        admin,
        key,
        directory: PartnerDirectory::new(Duration::ZERO),
    }
}

impl World {
    async fn call_as(
        &self,
        app: &TestApp,
        credential: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        reply(
            partner_admin::handle(
                &app.ctx,
                &self.directory,
                request(method, path, Some(credential), body),
            )
            .await,
        )
    }

    async fn call(&self, app: &TestApp, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.call_as(app, &self.key, method, path, body).await
    }

    async fn list(&self, app: &TestApp, query: &str) -> Vec<Value> {
        let reply = self
            .call(app, Method::GET, &format!("/partners{query}"), None)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.body);
        reply.body.as_array().unwrap().clone()
    }

    async fn ids(&self, app: &TestApp, query: &str) -> Vec<String> {
        self.list(app, query)
            .await
            .iter()
            .map(|partner| partner["id"].as_str().unwrap().to_owned())
            .collect()
    }

    async fn create(&self, app: &TestApp, body: Value) -> Value {
        let reply = self.call(app, Method::POST, "/partners", Some(body)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body
    }

    async fn default_group(&self, app: &TestApp) -> String {
        let groups = admin_call(
            app,
            Method::GET,
            &format!("/programs/{}/groups", self.program),
            &self.admin,
            None,
        )
        .await;
        groups.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|group| group["slug"] == "default")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn new_group(&self, app: &TestApp, slug: &str) -> String {
        let group = admin_call(
            app,
            Method::POST,
            &format!("/programs/{}/groups", self.program),
            &self.admin,
            Some(json!({"name": slug, "slug": slug})),
        )
        .await;
        assert_eq!(group.status, StatusCode::CREATED, "{}", group.body);
        group.body["id"].as_str().unwrap().to_owned()
    }
}

/// Adds counters the way lead/sale ingestion and the click aggregator do.
async fn add_totals(app: &TestApp, partner: &str, totals: PartnerTotals) {
    let id = PartnerId::parse(partner).unwrap();
    if let Some(op) = shared::partners::totals::add_partner_totals(&id, &totals) {
        app.store.transact(vec![op]).await.unwrap();
    }
}

fn totals(
    clicks: i64,
    leads: i64,
    conversions: i64,
    sale_amount: i64,
    commissions: i64,
) -> PartnerTotals {
    PartnerTotals {
        total_clicks: clicks,
        total_leads: leads,
        total_conversions: conversions,
        total_sales: conversions,
        total_sale_amount: sale_amount,
        total_commissions: commissions,
    }
}

/// Rewrites a partner's status the way the management use cases do (an update that leaves
/// counters alone and stamps the change feed).
async fn set_status(app: &TestApp, world: &World, partner: &str, status: PartnerStatus) {
    let program = ProgramId::parse(&world.program).unwrap();
    let id = PartnerId::parse(partner).unwrap();
    let read = shared::partners::find_partner(app.store.as_ref(), &program, &id)
        .await
        .unwrap()
        .unwrap();
    let changed = shared::model::Partner {
        status,
        version: read.version + 1,
        ..read.clone()
    };
    let op = shared::partners::replace_partner(&changed, read.version).unwrap();
    app.store.transact(vec![op]).await.unwrap();
}

const NULLABLE_STRINGS: [&str; 30] = [
    "username",
    "email",
    "image",
    "country",
    "companyName",
    "defaultPayoutMethod",
    "paypalEmail",
    "stripeConnectId",
    "payoutsEnabledAt",
    "identityVerifiedAt",
    "trustedAt",
    "tenantId",
    "description",
    "groupId",
    "clickRewardId",
    "leadRewardId",
    "saleRewardId",
    "referralRewardId",
    "discountId",
    "applicationId",
    "bannedAt",
    "bannedReason",
    "website",
    "youtube",
    "twitter",
    "linkedin",
    "instagram",
    "tiktok",
    "name",
    "createdAt",
];
const TOTALS: [&str; 7] = [
    "totalCommissions",
    "totalClicks",
    "totalLeads",
    "totalConversions",
    "totalSales",
    "totalSaleAmount",
    "netRevenue",
];
const METRICS: [&str; 6] = [
    "earningsPerClick",
    "averageLifetimeValue",
    "clickToLeadRate",
    "clickToConversionRate",
    "leadToConversionRate",
    "returnOnAdSpend",
];

/// The value a partner sorts by, read back from the response (null: None).
fn sort_field(partner: &Value, sort: SortBy) -> Option<f64> {
    let value = &partner[sort.name()];
    if sort == SortBy::CreatedAt {
        let at = time::OffsetDateTime::parse(
            value.as_str()?,
            &time::format_description::well_known::Rfc3339,
        )
        .ok()?;
        return Some(at.unix_timestamp_nanos() as f64);
    }
    value.as_f64()
}

engine_tests!(
    a_partner_shows_every_field_of_the_seeds,
    zero_denominators_give_null_metrics_one_by_one,
    every_filter_and_the_precedence_rules,
    every_sort_in_both_orders_with_nulls_last_and_ties_by_id,
    paging_edges_and_invalid_parameters,
    programs_never_see_each_others_partners,
    keys_need_the_partner_scopes,
    create_is_an_upsert_on_tenant_id_and_email
);

async fn a_partner_shows_every_field_of_the_seeds(app: TestApp) {
    let world = world(&app, "fields.example").await;
    let created = world
        .create(&app, json!({
            "email": "Jane@Example.com", "name": "Jane Smith", "tenantId": "user-1",
            "country": "us", "description": "SaaS reviews", "image": "https://img.example/j.png",
            "username": "jane", "companyName": "Acme Inc", "website": "https://jane.example",
        }))
        .await;
    assert_eq!(created["tenantId"], "user-1");
    let listed = world.list(&app, "").await;
    assert_eq!(listed.len(), 1);
    let partner = &listed[0];
    for key in NULLABLE_STRINGS {
        let value = partner
            .get(key)
            .unwrap_or_else(|| panic!("{key} missing: {partner}"));
        assert!(value.is_null() || value.is_string(), "{key}: {value}");
    }
    for key in TOTALS {
        assert_eq!(partner[key], json!(0), "{key}");
    }
    for key in METRICS {
        assert!(
            partner.get(key).is_some_and(Value::is_null),
            "{key} must be null: {partner}"
        );
    }
    assert_eq!(partner["id"], partner["partnerId"]);
    assert!(partner["id"].as_str().unwrap().starts_with("pn_"));
    assert_eq!(partner["programId"], world.program.as_str());
    assert_eq!(partner["email"], "jane@example.com");
    assert_eq!(partner["country"], "US");
    assert_eq!(partner["companyName"], "Acme Inc");
    assert_eq!(partner["username"], "jane");
    assert_eq!(partner["website"], "https://jane.example/");
    assert_eq!(partner["status"], "approved");
    assert_eq!(partner["networkStatus"], "draft");
    assert_eq!(partner["groupId"], world.default_group(&app).await.as_str());
    assert!(partner["saleRewardId"].is_null(), "no sale reward yet");
    let group = world.default_group(&app).await;
    let reward = admin_call(
        &app,
        Method::POST,
        &format!("/programs/{}/groups/{group}/rewards", world.program),
        &world.admin,
        Some(json!({"event": "sale", "type": "percentage", "amountInPercentage": 30})),
    )
    .await;
    assert_eq!(reward.status, StatusCode::CREATED, "{}", reward.body);
    assert_eq!(partner["tags"], json!([]));
    assert!(partner["referralFormData"].is_null() && partner["application"].is_null());
    let links = partner["links"].as_array().unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0]["key"], "jane");
    assert_eq!(links[0]["domain"], "fields.example");
    assert_eq!(links[0]["shortLink"], "https://fields.example/jane");
    for key in ["clicks", "leads", "conversions", "sales", "saleAmount"] {
        assert_eq!(links[0][key], json!(0), "{key}");
    }

    add_totals(
        &app,
        partner["id"].as_str().unwrap(),
        totals(200, 50, 10, 100_000, 20_000),
    )
    .await;
    let partner = world.list(&app, "").await.remove(0);
    assert_eq!(
        partner["saleRewardId"], reward.body["id"],
        "the group's sale reward"
    );
    assert!(partner["leadRewardId"].is_null() && partner["discountId"].is_null());
    assert_eq!(partner["totalClicks"], json!(200));
    assert_eq!(partner["netRevenue"], json!(80_000));
    assert_eq!(partner["earningsPerClick"], json!(500.0));
    assert_eq!(partner["averageLifetimeValue"], json!(10_000.0));
    assert_eq!(partner["clickToLeadRate"], json!(0.25));
    assert_eq!(partner["clickToConversionRate"], json!(0.05));
    assert_eq!(partner["leadToConversionRate"], json!(0.2));
    assert_eq!(partner["returnOnAdSpend"], json!(5.0));
}

async fn zero_denominators_give_null_metrics_one_by_one(app: TestApp) {
    let world = world(&app, "zero.example").await;
    let a = world
        .create(&app, json!({"email": "a@x.io", "name": "A"}))
        .await;
    // Clicks but no leads, conversions or commissions.
    add_totals(&app, a["id"].as_str().unwrap(), totals(10, 0, 0, 0, 0)).await;
    let partner = world.list(&app, "").await.remove(0);
    assert_eq!(partner["earningsPerClick"], json!(0.0));
    assert_eq!(partner["clickToLeadRate"], json!(0.0));
    assert!(partner["averageLifetimeValue"].is_null());
    assert!(partner["leadToConversionRate"].is_null());
    assert!(partner["returnOnAdSpend"].is_null());
    assert_eq!(partner["netRevenue"], json!(0));
}

async fn every_filter_and_the_precedence_rules(app: TestApp) {
    let world = world(&app, "filters.example").await;
    let vip = world.new_group(&app, "vip").await;
    let jane = world.create(&app, json!({"email": "jane@x.io", "name": "Jane Smith", "tenantId": "t-jane", "country": "US"})).await;
    let john = world.create(&app, json!({"email": "john@y.io", "name": "John Doe", "tenantId": "t-john", "country": "DE", "groupId": vip})).await;
    let acme = world.create(&app, json!({"email": "sam@z.io", "name": "Sam", "companyName": "JOHNSON Labs", "country": "US"})).await;
    let id = |p: &Value| p["id"].as_str().unwrap().to_owned();
    set_status(&app, &world, &id(&acme), PartnerStatus::Deactivated).await;

    let sorted = |mut ids: Vec<String>| {
        ids.sort();
        ids
    };
    assert_eq!(
        sorted(world.ids(&app, "").await),
        sorted(vec![id(&jane), id(&john), id(&acme)])
    );
    assert_eq!(
        world.ids(&app, &format!("?groupId={vip}")).await,
        vec![id(&john)]
    );
    assert_eq!(
        world.ids(&app, "?groupId=grp_unknown").await,
        Vec::<String>::new()
    );
    assert_eq!(
        world.ids(&app, "?status=deactivated").await,
        vec![id(&acme)]
    );
    assert_eq!(
        sorted(world.ids(&app, "?status=approved").await),
        sorted(vec![id(&jane), id(&john)])
    );
    assert_eq!(
        world.ids(&app, "?status=banned").await,
        Vec::<String>::new()
    );
    assert_eq!(
        sorted(world.ids(&app, "?country=US").await),
        sorted(vec![id(&jane), id(&acme)])
    );
    assert_eq!(
        world.ids(&app, "?country=US&status=approved").await,
        vec![id(&jane)]
    );
    assert_eq!(world.ids(&app, "?email=JOHN%40y.io").await, vec![id(&john)]);
    assert_eq!(world.ids(&app, "?tenantId=t-jane").await, vec![id(&jane)]);
    assert_eq!(
        world.ids(&app, "?tenantId=t-jane&country=DE").await,
        Vec::<String>::new(),
        "filters still apply"
    );
    // search: an email when it has @, an id with the prefix, else name/email/company.
    assert_eq!(world.ids(&app, "?search=sam%40z.io").await, vec![id(&acme)]);
    assert_eq!(
        world.ids(&app, "?search=am%40z.io").await,
        Vec::<String>::new(),
        "exact email only"
    );
    assert_eq!(
        world.ids(&app, &format!("?search={}", id(&jane))).await,
        vec![id(&jane)]
    );
    assert_eq!(
        sorted(world.ids(&app, "?search=john").await),
        sorted(vec![id(&john), id(&acme)]),
        "name and company"
    );
    assert_eq!(
        world.ids(&app, "?search=Y.IO").await,
        vec![id(&john)],
        "email substring, any case"
    );
    // Precedence: tenantId over email over search.
    assert_eq!(
        world
            .ids(&app, "?tenantId=t-john&email=jane%40x.io&search=sam")
            .await,
        vec![id(&john)]
    );
    assert_eq!(
        world.ids(&app, "?email=jane%40x.io&search=sam").await,
        vec![id(&jane)]
    );
    assert_eq!(
        world.ids(&app, "?tenantId=nobody&email=jane%40x.io").await,
        Vec::<String>::new()
    );
}

async fn every_sort_in_both_orders_with_nulls_last_and_ties_by_id(app: TestApp) {
    let world = world(&app, "sorts.example").await;
    let shapes = [
        totals(100, 10, 5, 50_000, 10_000),
        totals(0, 0, 0, 0, 0),
        totals(40, 20, 0, 0, 0),
        totals(100, 10, 5, 50_000, 10_000),
        totals(10, 1, 1, 90_000, 50_000),
        totals(500, 0, 2, 1_000, 0),
    ];
    for (n, shape) in shapes.iter().enumerate() {
        let partner = world
            .create(
                &app,
                json!({"email": format!("p{n}@x.io"), "name": format!("P{n}")}),
            )
            .await;
        add_totals(&app, partner["id"].as_str().unwrap(), *shape).await;
    }
    for sort in SortBy::ALL {
        for order in ["asc", "desc"] {
            let listed = world
                .list(&app, &format!("?sortBy={}&sortOrder={order}", sort.name()))
                .await;
            assert_eq!(listed.len(), shapes.len());
            for pair in listed.windows(2) {
                let (a, b) = (sort_field(&pair[0], sort), sort_field(&pair[1], sort));
                let (ia, ib) = (
                    pair[0]["id"].as_str().unwrap(),
                    pair[1]["id"].as_str().unwrap(),
                );
                let in_order = match (a, b) {
                    (None, None) => {
                        if order == "asc" {
                            ia < ib
                        } else {
                            ia > ib
                        }
                    }
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                    (Some(x), Some(y)) if x == y => {
                        if order == "asc" {
                            ia < ib
                        } else {
                            ia > ib
                        }
                    }
                    (Some(x), Some(y)) => {
                        if order == "asc" {
                            x < y
                        } else {
                            x > y
                        }
                    }
                };
                assert!(
                    in_order,
                    "{} {order}: {a:?} {ia} then {b:?} {ib}",
                    sort.name()
                );
            }
        }
    }
    // The default is totalSaleAmount, descending.
    let default = world.list(&app, "").await;
    assert_eq!(default[0]["totalSaleAmount"], json!(90_000));
    assert_eq!(default.last().unwrap()["totalSaleAmount"], json!(0));
}

async fn paging_edges_and_invalid_parameters(app: TestApp) {
    let world = world(&app, "paging.example").await;
    for n in 0..7 {
        let partner = world
            .create(
                &app,
                json!({"email": format!("p{n}@x.io"), "name": format!("P{n}")}),
            )
            .await;
        add_totals(
            &app,
            partner["id"].as_str().unwrap(),
            totals(n, 0, 0, n * 100, 0),
        )
        .await;
    }
    let all = world.ids(&app, "?sortBy=totalClicks&sortOrder=asc").await;
    assert_eq!(all.len(), 7);
    let mut paged = Vec::new();
    for page in 1..=3 {
        paged.extend(
            world
                .ids(
                    &app,
                    &format!("?sortBy=totalClicks&sortOrder=asc&pageSize=3&page={page}"),
                )
                .await,
        );
    }
    assert_eq!(paged, all, "pages join up without gaps or repeats");
    assert_eq!(
        world.ids(&app, "?pageSize=3&page=4").await,
        Vec::<String>::new(),
        "past the end"
    );
    assert_eq!(
        world
            .ids(&app, "?pageSize=1&page=7&sortBy=totalClicks&sortOrder=asc")
            .await,
        vec![all[6].clone()]
    );
    assert_eq!(world.ids(&app, "?pageSize=100").await.len(), 7);
    for bad in [
        "?page=0",
        "?page=-1",
        "?page=abc",
        "?page=1.5",
        "?pageSize=0",
        "?pageSize=101",
        "?pageSize=-1",
        "?pageSize=abc",
        "?sortBy=name",
        "?sortOrder=up",
        "?status=active",
    ] {
        let reply = world
            .call(&app, Method::GET, &format!("/partners{bad}"), None)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            reply.body
        );
        assert_eq!(reply.error_code(), "bad_request", "{bad}");
    }
}

async fn programs_never_see_each_others_partners(app: TestApp) {
    let a = world(&app, "a.example").await;
    let b = world(&app, "b.example").await;
    let jane = a
        .create(
            &app,
            json!({"email": "jane@x.io", "name": "Jane", "tenantId": "t-1"}),
        )
        .await;
    let id = jane["id"].as_str().unwrap();
    b.create(&app, json!({"email": "other@x.io", "name": "Other"}))
        .await;
    let seen_by_b = b.ids(&app, "").await;
    assert_eq!(seen_by_b.len(), 1);
    assert!(!seen_by_b.contains(&id.to_owned()));
    assert_eq!(b.ids(&app, "?tenantId=t-1").await, Vec::<String>::new());
    assert_eq!(
        b.ids(&app, "?email=jane%40x.io").await,
        Vec::<String>::new()
    );
    assert_eq!(
        b.ids(&app, &format!("?search={id}")).await,
        Vec::<String>::new()
    );
    assert_eq!(b.ids(&app, "?search=jane").await, Vec::<String>::new());
    // The same tenant id and email may exist in both programs.
    b.create(
        &app,
        json!({"email": "jane@x.io", "name": "Jane B", "tenantId": "t-1"}),
    )
    .await;
    let in_b = b.list(&app, "?tenantId=t-1").await;
    assert_eq!(in_b.len(), 1);
    assert_ne!(in_b[0]["id"], jane["id"]);
    assert_eq!(in_b[0]["programId"], b.program.as_str());
}

async fn keys_need_the_partner_scopes(app: TestApp) {
    let world = world(&app, "scopes.example").await;
    let program_id = ProgramId::parse(&world.program).unwrap();
    let links_only = api_key(&app, &program_id, json!(["links.read"])).await;
    let reader = api_key(&app, &program_id, json!(["partners.read"])).await;
    let denied = world
        .call_as(&app, &links_only, Method::GET, "/partners", None)
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(denied.error_code(), "forbidden");
    let listed = world
        .call_as(&app, &reader, Method::GET, "/partners", None)
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    let create = world
        .call_as(
            &app,
            &reader,
            Method::POST,
            "/partners",
            Some(json!({"email": "a@x.io"})),
        )
        .await;
    assert_eq!(create.status, StatusCode::FORBIDDEN);
    assert!(
        world.ids(&app, "").await.is_empty(),
        "a refused create changes nothing"
    );
    let none = reply(
        partner_admin::handle(
            &app.ctx,
            &world.directory,
            request(Method::GET, "/partners", None, None),
        )
        .await,
    );
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(world.domain, "scopes.example");
}

async fn create_is_an_upsert_on_tenant_id_and_email(app: TestApp) {
    let world = world(&app, "create.example").await;
    let first = world
        .create(
            &app,
            json!({"email": "a@x.io", "name": "A", "tenantId": "t-a"}),
        )
        .await;
    let again = world
        .create(
            &app,
            json!({"email": "b@x.io", "name": "B", "tenantId": "t-a"}),
        )
        .await;
    assert_eq!(again["id"], first["id"]);
    let same_email = world
        .create(&app, json!({"email": "A@X.io", "name": "A2"}))
        .await;
    assert_eq!(same_email["id"], first["id"]);
    assert_eq!(world.ids(&app, "").await.len(), 1);
    for (body, code) in [
        (json!({"name": "no email"}), "unprocessable_entity"),
        (json!({"email": "not-an-email"}), "unprocessable_entity"),
        (
            json!({"email": "c@x.io", "country": "USA"}),
            "unprocessable_entity",
        ),
        (
            json!({"email": "c@x.io", "admin": true}),
            "unprocessable_entity",
        ),
        (
            json!({"email": "c@x.io", "groupId": "grp_0000000000000000000000000"}),
            "not_found",
        ),
    ] {
        let reply = world
            .call(&app, Method::POST, "/partners", Some(body.clone()))
            .await;
        assert_eq!(reply.error_code(), code, "{body}");
    }
    assert_eq!(
        world.ids(&app, "").await.len(),
        1,
        "refused bodies change nothing"
    );
    let taken = world
        .call(
            &app,
            Method::POST,
            "/partners",
            Some(json!({"email": "d@x.io", "username": "dana"})),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);
    let clash = world
        .call(
            &app,
            Method::POST,
            "/partners",
            Some(json!({"email": "e@x.io", "username": "DANA"})),
        )
        .await;
    assert_eq!(clash.error_code(), "conflict");
}

/// The partner's links as stored (`disabled`), checked against what the redirect reads.
async fn links_disabled(app: &TestApp, world: &World, partner: &str) -> Vec<bool> {
    let links = shared::partner_listing::partner_links(
        app.store.as_ref(),
        &shared::types::ProgramId::parse(&world.program).unwrap(),
        &PartnerId::parse(partner).unwrap(),
    )
    .await
    .unwrap();
    assert!(!links.is_empty());
    for link in &links {
        let target = shared::links::repo::find_target(app.store.as_ref(), &link.domain, &link.key)
            .await
            .unwrap()
            .expect("the redirect finds the link");
        assert_eq!(
            target.disabled, link.disabled,
            "the redirect's copy follows the link"
        );
    }
    links.iter().map(|link| link.disabled).collect()
}

async fn event_count(app: &TestApp, world: &World, name: &str) -> usize {
    let program = ProgramId::parse(&world.program).unwrap();
    let page = app
        .store
        .query(shared::store::Query::table(shared::layout::events_pk(&program)).consistent())
        .await
        .unwrap();
    page.items
        .iter()
        .filter(|item| shared::store::get_s(item, "event") == Some(name))
        .count()
}

engine_tests!(
    ban_stops_the_links_and_records_the_reason,
    deactivate_archive_move_and_tags,
    the_list_follows_counters_as_they_change,
    concurrent_enrollments_of_one_first_name_all_get_a_code
);

async fn ban_stops_the_links_and_records_the_reason(app: TestApp) {
    let world = world(&app, "ban.example").await;
    let jane = world
        .create(
            &app,
            json!({"email": "jane@x.io", "name": "Jane", "tenantId": "t-jane"}),
        )
        .await;
    let id = jane["id"].as_str().unwrap();
    for (body, code) in [
        (
            json!({"partnerId": id, "reason": "rude"}),
            "unprocessable_entity",
        ),
        (json!({"partnerId": id}), "unprocessable_entity"),
        (json!({"reason": "fraud"}), "unprocessable_entity"),
        (
            json!({"partnerId": "pn_00000000000000000000000000", "reason": "fraud"}),
            "not_found",
        ),
    ] {
        let reply = world
            .call(&app, Method::POST, "/partners/ban", Some(body.clone()))
            .await;
        assert_eq!(reply.error_code(), code, "{body}");
    }
    assert_eq!(
        links_disabled(&app, &world, id).await,
        vec![false],
        "refused bans change nothing"
    );
    let banned = world
        .call(
            &app,
            Method::POST,
            "/partners/ban",
            Some(json!({"tenantId": "t-jane", "reason": "fake_traffic"})),
        )
        .await;
    assert_eq!(banned.status, StatusCode::OK, "{}", banned.body);
    assert_eq!(banned.body, json!({"partnerId": id}));
    assert_eq!(links_disabled(&app, &world, id).await, vec![true]);
    let listed = world.list(&app, "?status=banned").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["bannedReason"], "fake_traffic");
    assert!(listed[0]["bannedAt"].is_string());
    assert_eq!(event_count(&app, &world, "partner.banned").await, 1);
    // Again: nothing new.
    let again = world
        .call(
            &app,
            Method::POST,
            "/partners/ban",
            Some(json!({"partnerId": id, "reason": "spam"})),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(event_count(&app, &world, "partner.banned").await, 1);
    assert_eq!(
        world.list(&app, "").await[0]["bannedReason"],
        "fake_traffic"
    );
    // Another program's key cannot ban this partner.
    let other = self::world(&app, "ban-other.example").await;
    let foreign = other
        .call(
            &app,
            Method::POST,
            "/partners/ban",
            Some(json!({"partnerId": id, "reason": "spam"})),
        )
        .await;
    assert_eq!(foreign.error_code(), "not_found");
}

async fn deactivate_archive_move_and_tags(app: TestApp) {
    let world = world(&app, "manage.example").await;
    let vip = world.new_group(&app, "vip").await;
    let a = world
        .create(&app, json!({"email": "a@x.io", "name": "A"}))
        .await;
    let b = world
        .create(&app, json!({"email": "b@x.io", "name": "B"}))
        .await;
    let (a, b) = (
        a["id"].as_str().unwrap().to_owned(),
        b["id"].as_str().unwrap().to_owned(),
    );

    let off = world
        .call(
            &app,
            Method::POST,
            "/partners/deactivate",
            Some(json!({"partnerId": a})),
        )
        .await;
    assert_eq!(off.body, json!({"partnerId": a}));
    assert_eq!(links_disabled(&app, &world, &a).await, vec![true]);
    assert_eq!(
        world.ids(&app, "?status=deactivated").await,
        vec![a.clone()]
    );

    let archived = world
        .call(
            &app,
            Method::POST,
            "/partners/archive",
            Some(json!({"partnerId": b})),
        )
        .await;
    assert_eq!(archived.body["status"], "archived", "{}", archived.body);
    assert_eq!(
        links_disabled(&app, &world, &b).await,
        vec![false],
        "archived links keep working"
    );
    assert_eq!(world.ids(&app, "?status=archived").await, vec![b.clone()]);

    let moved = world
        .call(
            &app,
            Method::POST,
            "/partners/move",
            Some(json!({"partnerId": b, "groupId": vip})),
        )
        .await;
    assert_eq!(moved.body["groupId"], vip.as_str(), "{}", moved.body);
    assert_eq!(
        world.ids(&app, &format!("?groupId={vip}")).await,
        vec![b.clone()]
    );

    let tagged = world
        .call(
            &app,
            Method::POST,
            "/partners/tags",
            Some(json!({"partnerId": b, "tags": ["VIP", "newsletter", "vip"]})),
        )
        .await;
    let tags = tagged.body["tags"].as_array().unwrap().clone();
    assert_eq!(tags.len(), 2, "{}", tagged.body);
    assert_eq!(tags[0]["name"], "VIP");
    assert!(tags[0]["id"].as_str().unwrap().starts_with("ptag_"));
    let retagged = world
        .call(
            &app,
            Method::POST,
            "/partners/tags",
            Some(json!({"partnerId": b, "tags": ["vip"]})),
        )
        .await;
    assert_eq!(
        retagged.body["tags"],
        json!([{"id": tags[0]["id"], "name": "vip"}]),
        "a kept name keeps its id"
    );
    let listed = world.list(&app, &format!("?search={b}")).await;
    assert_eq!(listed[0]["tags"].as_array().unwrap().len(), 1);
    let too_long = world
        .call(
            &app,
            Method::POST,
            "/partners/tags",
            Some(json!({"partnerId": b, "tags": ["x".repeat(51)]})),
        )
        .await;
    assert_eq!(too_long.error_code(), "unprocessable_entity");
}

async fn the_list_follows_counters_as_they_change(app: TestApp) {
    let world = world(&app, "fresh.example").await;
    let a = world
        .create(&app, json!({"email": "a@x.io", "name": "A"}))
        .await;
    let b = world
        .create(&app, json!({"email": "b@x.io", "name": "B"}))
        .await;
    let (a, b) = (
        a["id"].as_str().unwrap().to_owned(),
        b["id"].as_str().unwrap().to_owned(),
    );
    add_totals(&app, &a, totals(0, 0, 0, 500, 0)).await;
    assert_eq!(world.ids(&app, "").await, vec![a.clone(), b.clone()]);
    add_totals(&app, &b, totals(0, 0, 0, 900, 0)).await;
    assert_eq!(
        world.ids(&app, "").await,
        vec![b.clone(), a.clone()],
        "the projection saw b's sale"
    );
    set_status(&app, &world, &b, PartnerStatus::Deactivated).await;
    assert_eq!(world.ids(&app, "?status=approved").await, vec![a.clone()]);
}

async fn concurrent_enrollments_of_one_first_name_all_get_a_code(app: TestApp) {
    let world = std::sync::Arc::new(world(&app, "burst.example").await);
    let app = std::sync::Arc::new(app);
    let total = 96;
    // 32 at a time, as a busy import or auto-approve would.
    for wave in (0..total).collect::<Vec<_>>().chunks(32) {
        let tasks: Vec<_> = wave
            .iter()
            .map(|n| {
                let (app, world) = (app.clone(), world.clone());
                let body = json!({"email": format!("jane{n}@burst.example"), "name": "Jane Doe"});
                tokio::spawn(async move {
                    world
                        .call(&app, Method::POST, "/partners", Some(body))
                        .await
                })
            })
            .collect();
        for task in tasks {
            let reply = task.await.unwrap();
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        }
    }
    let listed = world.list(&app, "?pageSize=100").await.len()
        + world.list(&app, "?pageSize=100&page=2").await.len();
    assert_eq!(listed, total);
}
