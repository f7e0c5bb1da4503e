//! The click shards: a stable hash that both sides of the click queue use.
//!
//! The aggregator counts each shard of a batch in its own part, with its own marker item
//! (`aggregate`), so a message that touches every shard costs a marker per shard. The redirect
//! therefore buffers one batch per shard ([`super::ClickBuffer`]): a full message then touches
//! one shard and needs one marker.
//!
//! A click's shard is its partner's, or its link's when it has none: a click's link and partner
//! counters land in the same shard, and a partner's links share a shard with it.

use crate::model::Click;

/// How many shards the clicks are split into. Changing it changes how waiting messages are
/// split by the aggregator: only with the click queue drained.
pub const SHARDS: usize = 6;

/// The shard of a click (see the module docs).
pub fn shard_of(click: &Click) -> usize {
    match &click.partner_id {
        Some(partner) => shard_of_id(partner.as_str()),
        None => shard_of_id(click.link_id.as_str()),
    }
}

/// FNV-1a of an id, stable across processes and releases (unlike std's `Hash`).
pub fn shard_of_id(id: &str) -> usize {
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash % SHARDS as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::PartnerId;
    use std::collections::BTreeSet;

    fn click(link: &str, partner: Option<&str>) -> Click {
        Click {
            partner_id: partner.map(|p| PartnerId::parse(p).unwrap()),
            ..crate::testkit::a_click(link, time::OffsetDateTime::UNIX_EPOCH)
        }
    }

    #[test]
    fn a_partner_click_goes_to_its_partner_shard_and_others_to_their_link_shard() {
        assert_eq!(
            shard_of(&click("link_1", Some("pn_7"))),
            shard_of_id("pn_7")
        );
        assert_eq!(shard_of(&click("link_1", None)), shard_of_id("link_1"));
        // Pinned: a change of the hash re-splits waiting messages.
        assert_eq!(shard_of_id("pn_0001"), 1);
        let spread: BTreeSet<usize> = (0..100)
            .map(|i| shard_of_id(&format!("pn_{i:04}")))
            .collect();
        assert_eq!(spread.len(), SHARDS, "ids spread over every shard");
    }
}
