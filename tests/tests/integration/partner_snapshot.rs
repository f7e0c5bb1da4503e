//! The partner list's persisted projection, over both engines: the first process of a big
//! enough program writes it; a new process loads it and reads only the feed since; a snapshot
//! that lost a chunk is ignored and the feed is read whole.

use http::{Method, StatusCode};
use integration_tests::app::TestApp;
use integration_tests::app::{reply, request};
use integration_tests::engine_tests;
use integration_tests::tracking_world::TrackingProgram;
use shared::context::AppContext;
use shared::partner_listing::{PartnerDirectory, ProgramRows, SnapshotPolicy, snapshot};
use shared::partners::feed::stamp_now;
use shared::store::{Consistency, Delete};
use std::time::Duration;

fn directory() -> PartnerDirectory {
    PartnerDirectory::new(Duration::ZERO).with_snapshots(SnapshotPolicy {
        min_rows: 1,
        rewrite_after: 1_000,
    })
}

/// The ids of `GET /partners?sortBy=totalLeads` as `directory` answers it.
async fn by_leads(ctx: &AppContext, directory: &PartnerDirectory, key: &str) -> Vec<String> {
    let listed = reply(
        partner_admin::handle(
            ctx,
            directory,
            request(
                Method::GET,
                "/partners?sortBy=totalLeads&sortOrder=desc",
                Some(key),
                None,
            ),
        )
        .await,
    );
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

engine_tests!(a_new_process_loads_the_snapshot_and_ignores_a_broken_one);

async fn a_new_process_loads_the_snapshot_and_ignores_a_broken_one(app: TestApp) {
    let ctx = &app.ctx;
    let world = TrackingProgram::create(&app, "go.snapshot.test").await;
    let mut partners = Vec::new();
    for code in ["ANA", "BEN", "CAT", "DAN"] {
        partners.push(world.partner(ctx, code, &world.default_group).await.id);
    }
    let program = &world.program.id;

    // The first process reads the feed whole and writes the snapshot: four rows.
    let first = by_leads(ctx, &directory(), &world.key).await;
    assert_eq!(first.len(), 4);
    let written = snapshot::load(app.store.as_ref(), program)
        .await
        .unwrap()
        .expect("a snapshot");
    assert_eq!(written.rows.len(), 4);

    // A snapshot that says CAT has 99 leads, complete up to a minute from now, so no feed
    // item is newer: a new process orders by it, which shows it loaded the snapshot.
    let mut rows = written.rows.clone();
    rows.iter_mut()
        .find(|row| row.id == partners[2])
        .unwrap()
        .totals
        .total_leads = 99;
    let future = stamp_now() + 60_000;
    let chunks = snapshot::save(
        app.store.as_ref(),
        program,
        rows.iter(),
        future,
        stamp_now() / 1_000,
    )
    .await
    .unwrap();
    assert_eq!(chunks, 1);
    let loaded = by_leads(ctx, &directory(), &world.key).await;
    assert_eq!(loaded[0], partners[2].to_string(), "{loaded:?}");

    // Its chunk lost: the snapshot is ignored, the feed read whole, and the truth (no leads
    // anywhere, ids descending) comes back; a fresh snapshot replaces the broken one.
    app.store
        .delete(Delete {
            key: shared::layout::listing_snapshot_chunk(program, future, 0),
            condition: None,
        })
        .await
        .unwrap();
    let mut fresh = ProgramRows::default();
    let report = shared::partner_listing::load(
        &app.store,
        program,
        &mut fresh,
        SnapshotPolicy {
            min_rows: 1,
            rewrite_after: 1,
        },
    )
    .await
    .unwrap();
    assert_eq!((fresh.len(), report.items), (4, 4));
    assert!(fresh.rows().all(|row| row.totals.total_leads == 0));
    let head = app
        .store
        .get(
            &shared::layout::listing_snapshot_head(program),
            Consistency::Strong,
        )
        .await
        .unwrap()
        .unwrap();
    assert_ne!(shared::store::get_n(&head, "version"), Some(future));
    assert_eq!(
        snapshot::load(app.store.as_ref(), program)
            .await
            .unwrap()
            .unwrap()
            .rows
            .len(),
        4
    );
    let truth = by_leads(ctx, &directory(), &world.key).await;
    let mut expected: Vec<String> = partners.iter().map(|id| id.to_string()).collect();
    expected.sort();
    expected.reverse();
    assert_eq!(truth, expected);
}
