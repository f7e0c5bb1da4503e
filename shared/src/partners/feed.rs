//! The partner change feed: every write that changes what the partner listing shows (the
//! record, or its counters) also stamps the partner's gsi3 sort key with the time of the change.
//! A process that keeps a projection of a program's partners (`partner_listing`) re-reads only
//! the partners stamped since its last refresh.
//!
//! The stamp is the wall clock, not the `Clock` port: it orders replication across processes
//! (and across tests with fixed domain clocks), like DynamoDB's own stream sequence numbers, and
//! never reaches a record or a response. Each refresh reads from the start of the previous one
//! less [`REREAD_WINDOW_MS`], which covers index propagation, clock skew between hosts, and a
//! transaction built a little before it commits (engine retries).

use crate::layout;
use crate::store::{AttributeValue, Item, s, schema};
use crate::types::{PartnerId, ProgramId};
use std::time::{SystemTime, UNIX_EPOCH};

/// How far before the start of its previous refresh a reader looks again.
pub const REREAD_WINDOW_MS: i64 = 10_000;

/// Milliseconds since the epoch, now.
pub fn stamp_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as i64)
        .unwrap_or(0)
}

/// The sort-key form of a stamp: fixed width, so that string order is time order.
pub fn stamp_key(stamp_ms: i64) -> String {
    format!("{:015}", stamp_ms.max(0))
}

/// The stamp of a feed sort key.
pub fn stamp_of(key: &str) -> Option<i64> {
    key.parse().ok()
}

/// The feed attributes of a partner item, stamped now.
pub fn feed_attributes(
    program: &ProgramId,
    partner: &PartnerId,
) -> [(&'static str, AttributeValue); 2] {
    [
        (
            schema::GSI3.pk,
            s(layout::partner_feed_index_pk(program, partner)),
        ),
        (schema::GSI3.sk, s(stamp_key(stamp_now()))),
    ]
}

/// The stamp a partner item carries, if any.
pub fn item_stamp(item: &Item) -> Option<i64> {
    crate::store::get_s(item, schema::GSI3.sk).and_then(stamp_of)
}
