//! A program ready for lead and sale tracking, for tests and benchmarks: its `default` group
//! (a 20 % sale reward unless told otherwise), API keys, partners with referral links, and
//! click ids signed as the redirect signs them.

use crate::app::{Reply, TestApp, reply, request};
use http::Method;
use serde_json::Value;
use shared::auth::{Principal, Scope};
use shared::clicks::{ClickClaims, ClickIdSigner};
use shared::context::AppContext;
use shared::model::{Partner, Program};
use shared::ports::OsRandom;
use shared::program_launch::{self, CreateProgram};
use shared::programs::{self, CreateApiKey, DomainName};
use shared::store::{Query, get_s};
use shared::types::{GroupId, LinkId, PartnerId, ProgramId};
use time::OffsetDateTime;

/// The tests' one click-id signer (`shared::testkit::CLICK_SECRET`).
pub fn signer() -> ClickIdSigner {
    shared::testkit::click_signer()
}

/// A reward of `event` and `kind` with no amount, duration, text or modifiers yet.
pub fn reward(
    event: shared::model::RewardEvent,
    kind: shared::model::RewardType,
) -> shared::groups::CreateReward {
    shared::groups::CreateReward {
        event,
        kind,
        amount_in_cents: None,
        amount_in_percentage: None,
        max_duration: None,
        description: None,
        tooltip: None,
        modifiers: Vec::new(),
    }
}

/// A partner with its referral link.
#[derive(Debug, Clone)]
pub struct TestPartner {
    pub id: PartnerId,
    pub link: LinkId,
    pub tenant_id: String,
}

pub struct TrackingProgram {
    pub program: Program,
    pub admin: Principal,
    /// Every scope.
    pub key: String,
    pub default_group: GroupId,
}

impl TrackingProgram {
    pub async fn create(app: &TestApp, domain: &str) -> Self {
        let ctx = &app.ctx;
        let program = program_launch::create_program(
            ctx,
            &app.platform_principal(),
            CreateProgram {
                name: "Acme".into(),
                domain: DomainName::parse(domain).unwrap(),
                currency: Default::default(),
                settings: Default::default(),
            },
        )
        .await
        .expect("create a program");
        let admin = app.admin_principal(&program.id);
        let default_group = shared::groups::find_group_by_slug(
            ctx.store.as_ref(),
            &program.id,
            shared::model::DEFAULT_GROUP_SLUG,
        )
        .await
        .unwrap()
        .unwrap()
        .id;
        let key = Self::key_with(ctx, &admin, &program.id, vec![Scope::All]).await;
        Self {
            program,
            admin,
            key,
            default_group,
        }
    }

    pub async fn key_with(
        ctx: &AppContext,
        admin: &Principal,
        program: &ProgramId,
        scopes: Vec<Scope>,
    ) -> String {
        programs::create_api_key(
            ctx,
            admin,
            program.as_str(),
            CreateApiKey {
                name: "tests".into(),
                scopes,
                expires_at: None,
            },
        )
        .await
        .expect("create a key")
        .key
        .expect("a new key shows its secret")
    }

    /// Adds `reward` to `group`.
    pub async fn add_reward(
        &self,
        ctx: &AppContext,
        group: &GroupId,
        reward: shared::groups::CreateReward,
    ) {
        shared::groups::create_reward(
            ctx,
            &self.admin,
            self.program.id.as_str(),
            group.as_str(),
            reward,
        )
        .await
        .expect("create a reward");
    }

    /// Adds a flat reward of `cents` per lead to `group`.
    pub async fn pay_per_lead(&self, ctx: &AppContext, group: &GroupId, cents: i64) {
        let reward = shared::groups::CreateReward {
            amount_in_cents: Some(cents),
            ..reward(
                shared::model::RewardEvent::Lead,
                shared::model::RewardType::Flat,
            )
        };
        self.add_reward(ctx, group, reward).await;
    }

    /// Adds a reward of `percent` of each sale to `group`.
    pub async fn pay_percent_of_sales(&self, ctx: &AppContext, group: &GroupId, percent: f64) {
        let reward = shared::groups::CreateReward {
            amount_in_percentage: Some(shared::types::Percentage::from_number(percent).unwrap()),
            ..reward(
                shared::model::RewardEvent::Sale,
                shared::model::RewardType::Percentage,
            )
        };
        self.add_reward(ctx, group, reward).await;
    }

    /// An approved partner in `group` with its referral link `https://{domain}/{code}`.
    pub async fn partner(&self, ctx: &AppContext, code: &str, group: &GroupId) -> TestPartner {
        let seed = shared::testkit::a_partner(code);
        let tenant_id = format!("tenant-{}", code.to_ascii_lowercase());
        let (partner, link) = seed
            .in_group(group)
            .tenant(tenant_id.clone())
            .country("US")
            .write(ctx, &self.program)
            .await
            .expect("insert a partner");
        TestPartner {
            id: partner.id,
            link: link.id,
            tenant_id,
        }
    }

    /// A click on the partner's link at `at`, as the redirect would sign it.
    pub fn click_at(&self, partner: &TestPartner, at: OffsetDateTime) -> String {
        signer()
            .issue(
                &ClickClaims {
                    clicked_at: at,
                    link_id: partner.link.clone(),
                    country: Some("DE".into()),
                },
                &OsRandom,
            )
            .unwrap()
            .to_string()
    }

    /// The program's events of one name, oldest first, as `data` payloads.
    pub async fn events(&self, ctx: &AppContext, name: &str) -> Vec<Value> {
        let mut found = Vec::new();
        let mut cursor = None;
        loop {
            let page = ctx
                .store
                .query(
                    Query::table(shared::layout::events_pk(&self.program.id))
                        .consistent()
                        .cursor(cursor),
                )
                .await
                .unwrap();
            for item in &page.items {
                if get_s(item, "event") == Some(name) {
                    let event: Value = serde_json::from_str(get_s(item, "body").unwrap()).unwrap();
                    found.push(event["data"].clone());
                }
            }
            match page.next {
                Some(next) => cursor = Some(next),
                None => return found,
            }
        }
    }

    pub async fn partner_record(&self, ctx: &AppContext, partner: &TestPartner) -> Partner {
        shared::partners::find_partner(ctx.store.as_ref(), &self.program.id, &partner.id)
            .await
            .unwrap()
            .unwrap()
    }
}

/// Calls the conversion-tracking function with a key and an optional idempotency key.
pub async fn track(
    ctx: &AppContext,
    key: &str,
    path: &str,
    body: Value,
    idempotency_key: Option<&str>,
) -> Reply {
    let mut req = request(Method::POST, path, Some(key), Some(body));
    if let Some(idempotency_key) = idempotency_key {
        req.headers_mut()
            .insert("idempotency-key", idempotency_key.parse().unwrap());
    }
    reply(conversion_tracking::handle(ctx, &signer(), req).await)
}

/// Calls the commission-admin function.
pub async fn admin(
    ctx: &AppContext,
    key: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Reply {
    reply(commission_admin::handle(ctx, request(method, path, Some(key), body)).await)
}
