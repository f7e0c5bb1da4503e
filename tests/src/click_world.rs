//! Links, partners and clicks for the click-aggregator tests and the click cost report.

use shared::clicks::ClickBatch;
use shared::layout;
use shared::links::insert_link;
use shared::links::stats::link_stats_of;
use shared::model::{Click, Link, Partner};
use shared::partners::insert_partner;
use shared::partners::totals::partner_totals_of;
use shared::store::{Consistency, ItemStore, TxOp};
use shared::types::{ClickId, GroupId, LinkId, PartnerId, ProgramId, WebUrl};
use time::OffsetDateTime;

pub const PROGRAM: &str = "prog_clicks";

pub fn program_id() -> ProgramId {
    ProgramId::parse(PROGRAM).expect("a program id")
}

pub fn partner_id(index: usize) -> PartnerId {
    PartnerId::parse(&format!("pn_{index:04}")).expect("a partner id")
}

/// ULID-shaped, as the API makes them: the redirect signs the link into the click id.
pub fn link_id(index: usize) -> LinkId {
    LinkId::parse(&format!("link_01JD{index:022}")).expect("a link id")
}

pub fn partner(index: usize) -> Partner {
    Partner {
        company_name: Some("A company with a realistic name, Inc.".into()),
        country: Some("DE".into()),
        ..Partner::approved(
            partner_id(index),
            (
                &ProgramId::parse(PROGRAM).expect("a program id"),
                &GroupId::parse("grp_default").expect("a group id"),
            ),
            format!("Partner {index}"),
            OffsetDateTime::UNIX_EPOCH,
        )
    }
}

pub fn link(index: usize, partner: Option<usize>) -> Link {
    let url = WebUrl::parse(&format!(
        "https://shop.example.com/products/{index}?ref=partner"
    ))
    .expect("a URL");
    Link {
        partner_id: partner.map(partner_id),
        ..Link::new(
            link_id(index),
            &program_id(),
            ("go.example.com".into(), format!("key-{index}")),
            url,
            OffsetDateTime::UNIX_EPOCH,
        )
    }
}

/// Stores `partners` partners and `links` links; link `i` belongs to partner `i % partners`.
pub async fn seed(store: &dyn ItemStore, partners: usize, links: usize) {
    let mut ops: Vec<TxOp> = Vec::new();
    for index in 0..partners {
        ops.extend(
            insert_partner(&partner(index))
                .expect("partner ops")
                .into_iter()
                .map(|(_, op)| op),
        );
    }
    for index in 0..links {
        let owner = (partners > 0).then(|| index % partners);
        ops.extend(insert_link(&link(index, owner)).expect("link ops"));
    }
    for chunk in ops.chunks(50) {
        store.transact(chunk.to_vec()).await.expect("seed");
    }
}

/// A click on link `link` of partner `partner` at `at`; `serial` makes its id unique.
pub fn click(serial: usize, link: usize, partner: Option<usize>, at: OffsetDateTime) -> Click {
    Click {
        id: ClickId::parse(&format!("clk_{serial:055}")).expect("a click id"),
        partner_id: partner.map(partner_id),
        program_id: program_id(),
        country: Some("DE".into()),
        device: "Mobile".into(),
        browser: "Safari".into(),
        os: "iOS".into(),
        referer: Some("news.example.com".into()),
        ..shared::testkit::a_click(link_id(link).as_str(), at)
    }
}

/// A message body: a batch of `clicks` under `batch_id`.
pub fn body(batch_id: &str, clicks: Vec<Click>) -> String {
    ClickBatch {
        batch_id: batch_id.into(),
        clicks,
    }
    .to_body()
}

pub async fn link_clicks(store: &dyn ItemStore, index: usize) -> i64 {
    let item = store
        .get(&layout::link(&link_id(index)), Consistency::Strong)
        .await
        .expect("read a link")
        .expect("the link exists");
    link_stats_of(&item).expect("link counters").clicks
}

pub async fn partner_clicks(store: &dyn ItemStore, index: usize) -> i64 {
    let item = store
        .get(&layout::partner(&partner_id(index)), Consistency::Strong)
        .await
        .expect("read a partner")
        .expect("the partner exists");
    partner_totals_of(&item)
        .expect("partner counters")
        .total_clicks
}
