//! Programs of many partners for the reports: partners with skewed, realistic stats (most
//! partners earn little, a few earn most) and one link each, written as a create would write
//! them, in batches.

use shared::enrollment::{PartnerSeed, seed_writes};
use shared::model::{
    Link, LinkStats, Partner, PartnerProfile, PartnerStatus, PartnerTotals, Program,
};
use shared::ports::{IdSource, Random, SeededRandom, SystemClock, UlidIds};
use shared::store::{BatchWrite, ItemStore, TxOp};
use shared::types::{Email, GroupId, LinkId, PartnerId, ReferralCode};
use std::sync::Arc;

/// A skewed count: most partners near zero, a long tail (a Pareto-like draw).
fn skewed(random: &dyn Random, scale: f64) -> i64 {
    let mut bytes = [0u8; 4];
    random.fill(&mut bytes);
    let uniform = (u32::from_le_bytes(bytes) as f64 + 1.0) / (u32::MAX as f64 + 2.0);
    (scale * (uniform.powf(-1.0 / 1.3) - 1.0)).min(scale * 10_000.0) as i64
}

fn pick(random: &dyn Random, n: u32) -> u32 {
    let mut bytes = [0u8; 4];
    random.fill(&mut bytes);
    u32::from_le_bytes(bytes) % n
}

const COUNTRIES: [&str; 6] = ["US", "US", "DE", "GB", "FR", "BR"];
const NAMES: [&str; 8] = [
    "Smith", "Jones", "Garcia", "Müller", "Rossi", "Kim", "Silva", "Brown",
];

fn partner(
    program: &Program,
    group: &GroupId,
    n: usize,
    ids: &dyn IdSource,
    random: &dyn Random,
) -> (Partner, Link) {
    let now = time::OffsetDateTime::now_utc() - time::Duration::minutes((n % 100_000) as i64);
    let code = ReferralCode::parse(&format!("p{n:07}")).unwrap();
    let (partner, mut link) = PartnerSeed::with_code(code)
        .named(format!("Partner {n} {}", NAMES[n % NAMES.len()]))
        .tenant(format!("user-{n}"))
        .records(program, group, ids, now)
        .unwrap();
    let clicks = skewed(random, 20.0);
    let leads = clicks * i64::from(pick(random, 30)) / 100;
    let conversions = leads * i64::from(pick(random, 40)) / 100;
    let sale_amount = conversions * (2_000 + i64::from(pick(random, 20_000)));
    let commissions = sale_amount * i64::from(pick(random, 30)) / 100;
    let totals = PartnerTotals {
        total_clicks: clicks,
        total_leads: leads,
        total_conversions: conversions,
        total_sales: conversions + conversions / 3,
        total_sale_amount: sale_amount,
        total_commissions: commissions,
    };
    link.stats = LinkStats {
        clicks,
        leads,
        conversions,
        sales: totals.total_sales,
        sale_amount,
    };
    let status = match pick(random, 20) {
        0 => PartnerStatus::Pending,
        1 => PartnerStatus::Deactivated,
        _ => PartnerStatus::Approved,
    };
    let partner = Partner {
        email: Some(Email::parse(&format!("partner{n}@example.com")).unwrap()),
        company_name: n.is_multiple_of(3).then(|| format!("Company {n}")),
        country: Some(COUNTRIES[pick(random, COUNTRIES.len() as u32) as usize].into()),
        status,
        profile: PartnerProfile {
            description: Some("Reviews SaaS tools for small teams.".into()),
            website: Some(format!("https://partner{n}.example.com")),
            ..Default::default()
        },
        totals,
        ..partner
    };
    (partner, link)
}

/// The puts of `partners` partners: the records and claims a create would write, batched.
/// Returns each partner with its link.
pub async fn seed(
    store: &dyn ItemStore,
    program: &Program,
    partners: usize,
) -> Vec<(PartnerId, LinkId)> {
    let group = shared::groups::find_group_by_slug(store, &program.id, "default")
        .await
        .unwrap()
        .unwrap()
        .id;
    let random = SeededRandom::new(7);
    let ids = UlidIds::new(Arc::new(SystemClock), Arc::new(SeededRandom::new(8)));
    let mut writes = Vec::with_capacity(2_000);
    let mut seeded = Vec::with_capacity(partners);
    for n in 0..partners {
        let (partner, link) = partner(program, &group, n, &ids, &random);
        seeded.push((partner.id.clone(), link.id.clone()));
        for op in seed_writes(&partner, &link).unwrap() {
            if let TxOp::Put(put) = op {
                writes.push(BatchWrite::Put(put.item));
            }
        }
        if writes.len() >= 2_000 {
            store
                .batch_write(std::mem::take(&mut writes))
                .await
                .unwrap();
        }
    }
    store.batch_write(writes).await.unwrap();
    seeded
}

/// An empty program for the reports, over `store` (wrapped to count its reads) with in-memory
/// queues, and a key holding `scopes`.
pub struct ScaleProgram {
    pub app: crate::app::TestApp,
    pub program: Program,
    pub key: String,
    pub counting: Arc<crate::counting::Counting>,
}

impl ScaleProgram {
    pub async fn create(store: Arc<dyn ItemStore>, scopes: Vec<shared::auth::Scope>) -> Self {
        use shared::queue::QueueSettings;
        let counting = Arc::new(crate::counting::Counting::new(store));
        let queues = shared::queue::embedded::EmbeddedQueues::in_memory();
        let app = crate::app::TestApp::over(
            counting.clone(),
            queues.create("events", QueueSettings::default()).unwrap(),
            queues
                .create("deliveries", QueueSettings::default())
                .unwrap(),
        );
        let program = shared::program_launch::create_program(
            &app.ctx,
            &app.platform_principal(),
            shared::program_launch::CreateProgram {
                name: "Scale".into(),
                domain: shared::programs::DomainName::parse("scale.example.com").unwrap(),
                currency: Default::default(),
                settings: Default::default(),
            },
        )
        .await
        .unwrap();
        let admin = app.admin_principal(&program.id);
        let key =
            crate::tracking_world::TrackingProgram::key_with(&app.ctx, &admin, &program.id, scopes)
                .await;
        Self {
            app,
            program,
            key,
            counting,
        }
    }
}
