//! Where each record lives in the single table: every key and index value, in one place.
//! `infra/TABLE_DESIGN.md` lists the same layout with its access patterns.

use crate::store::Key;
use crate::types::{ApiKeyId, EventId, GroupId, ProgramId, WebhookDeliveryId, WebhookId};

/// How many partitions the outbox index spreads over, so that no single index partition takes
/// every event write (DynamoDB serves about 1,000 writes/s per partition).
pub const OUTBOX_SHARDS: u32 = 4;

pub fn program(program: &ProgramId) -> Key {
    Key::new(program_pk(program), "PROGRAM")
}

/// A partner group, with its rewards, discount and move rules in one item: every change to a
/// group is one conditional write on its version.
pub fn group(program: &ProgramId, group: &GroupId) -> Key {
    Key::new(program_pk(program), format!("{GROUP_SK_PREFIX}{group}"))
}

/// Sort-key prefix of a program's groups (`GROUPSLUG#` does not share it).
pub const GROUP_SK_PREFIX: &str = "GROUP#";

/// Claims a group slug inside a program, so that slugs are unique per program.
pub fn group_slug_claim(program: &ProgramId, slug: &str) -> Key {
    Key::new(program_pk(program), format!("GROUPSLUG#{slug}"))
}

/// The partition of a program's own records (the program, its groups and slug claims).
pub fn program_pk(program: &ProgramId) -> String {
    format!("PROG#{program}")
}

/// gsi1 partition listing every program.
pub const PROGRAMS_INDEX_PK: &str = "PROGRAMS";

/// Claims a short-link domain for one program.
pub fn domain_claim(domain: &str) -> Key {
    Key::new(format!("DOMAIN#{domain}"), "DOMAIN")
}

/// API keys are stored under the hash of the secret, so authentication is one strong read.
pub fn api_key(hashed_key: &str) -> Key {
    Key::new(format!("APIKEY#{hashed_key}"), "APIKEY")
}

/// gsi1 partition listing a program's API keys (sort key: the key id).
pub fn api_keys_index_pk(program: &ProgramId) -> String {
    format!("PROG#{program}#APIKEYS")
}

pub fn api_keys_index_sk(key: &ApiKeyId) -> String {
    key.to_string()
}

/// A domain event: the program's audit trail, ordered by time (event ids are time-ordered).
pub fn event(program: &ProgramId, event: &EventId) -> Key {
    Key::new(events_pk(program), event.to_string())
}

pub fn events_pk(program: &ProgramId) -> String {
    format!("PROG#{program}#EVENTS")
}

/// gsi1 partition of the outbox shard an event belongs to while it waits for the relay.
pub fn outbox_index_pk(event: &EventId) -> String {
    let shard = event.as_str().bytes().fold(0u32, |hash, byte| {
        hash.wrapping_mul(31).wrapping_add(byte as u32)
    }) % OUTBOX_SHARDS;
    outbox_shard_pk(shard)
}

pub fn outbox_shard_pk(shard: u32) -> String {
    format!("OUTBOX#{shard}")
}

/// A program's webhook endpoint, in the program's partition so that fan-out lists a program's
/// endpoints with one query.
pub fn webhook_endpoint(program: &ProgramId, endpoint: &WebhookId) -> Key {
    Key::new(
        program_pk(program),
        format!("{WEBHOOK_SK_PREFIX}{endpoint}"),
    )
}

pub const WEBHOOK_SK_PREFIX: &str = "WEBHOOK#";

/// One event's delivery to one endpoint: its own partition, so that every attempt is one
/// conditional write on one small item.
pub fn webhook_delivery(delivery: &WebhookDeliveryId) -> Key {
    Key::new(format!("WHDELIVERY#{delivery}"), "DELIVERY")
}

/// gsi1 partition listing an endpoint's deliveries (sort key: the event id, time-ordered).
pub fn webhook_deliveries_index_pk(endpoint: &WebhookId) -> String {
    format!("WEBHOOK#{endpoint}#DELIVERIES")
}
