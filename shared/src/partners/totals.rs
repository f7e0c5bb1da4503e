//! Running totals of partners (a link's counters follow the same rules: `links::stats`).
//!
//! A record's body is JSON rewritten whole on each change, so counters cannot live inside it:
//! two writers would lose each other's increments. They are numeric attributes beside the body,
//! changed only by atomic `ADD` (one update per record per event, in the event's transaction),
//! and record rewrites go through `UpdateItem` that never touches them. Reads take the counters
//! from the attributes, never from the body.

use crate::layout;
use crate::model::PartnerTotals;
use crate::store::records::{add_counters, counter};
use crate::store::{Condition, Item, StoreError, TxOp, UpdateItem, n};
use crate::types::PartnerId;

/// Attribute names of a partner's counters (as in Dub's partner fields).
pub const TOTAL_CLICKS: &str = "totalClicks";
pub const TOTAL_LEADS: &str = "totalLeads";
pub const TOTAL_CONVERSIONS: &str = "totalConversions";
pub const TOTAL_SALES: &str = "totalSales";
pub const TOTAL_SALE_AMOUNT: &str = "totalSaleAmount";
pub const TOTAL_COMMISSIONS: &str = "totalCommissions";

fn partner_fields(totals: &PartnerTotals) -> [(&'static str, i64); 6] {
    [
        (TOTAL_CLICKS, totals.total_clicks),
        (TOTAL_LEADS, totals.total_leads),
        (TOTAL_CONVERSIONS, totals.total_conversions),
        (TOTAL_SALES, totals.total_sales),
        (TOTAL_SALE_AMOUNT, totals.total_sale_amount),
        (TOTAL_COMMISSIONS, totals.total_commissions),
    ]
}

/// Adds `delta` to a partner's counters; fails (condition) when the partner does not exist,
/// so that a counter never creates a stray item. `None` when the delta is all zeros.
///
/// The same update stamps the partner's change-feed sort key (`partners::feed`), so that the
/// partner listing's projections pick the new counters up: still one write per partner and
/// event (plus the gsi3 entry's move, 2 index write units).
pub fn add_partner_totals(partner: &PartnerId, delta: &PartnerTotals) -> Option<TxOp> {
    let update = add_counters(&partner_fields(delta));
    (!update.is_empty()).then(|| {
        let update = update.set(
            crate::store::schema::GSI3.sk,
            crate::store::s(super::feed::stamp_key(super::feed::stamp_now())),
        );
        TxOp::Update(UpdateItem {
            key: layout::partner(partner),
            update,
            condition: Some(Condition::Exists),
        })
    })
}

/// A partner's counters as stored (zero when never counted).
pub fn partner_totals_of(item: &Item) -> Result<PartnerTotals, StoreError> {
    Ok(PartnerTotals {
        total_clicks: counter(item, TOTAL_CLICKS)?,
        total_leads: counter(item, TOTAL_LEADS)?,
        total_conversions: counter(item, TOTAL_CONVERSIONS)?,
        total_sales: counter(item, TOTAL_SALES)?,
        total_sale_amount: counter(item, TOTAL_SALE_AMOUNT)?,
        total_commissions: counter(item, TOTAL_COMMISSIONS)?,
    })
}

/// Sets every counter of a new record's item to its value (a new partner or link that starts
/// with non-zero counters, e.g. imported).
pub fn write_partner_totals(item: &mut Item, totals: &PartnerTotals) {
    for (name, value) in partner_fields(totals) {
        item.insert(name.into(), n(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Partner;
    use crate::partners::{find_partner, insert_partner, replace_partner};
    use crate::store::ItemStore;
    use crate::store::embedded::EmbeddedStore;
    use crate::types::{GroupId, ProgramId};
    use time::macros::datetime;

    fn partner() -> Partner {
        Partner::approved(
            PartnerId::parse("pn_1").unwrap(),
            (
                &ProgramId::parse("prog_1").unwrap(),
                &GroupId::parse("grp_1").unwrap(),
            ),
            "Jane".into(),
            datetime!(2026-11-21 0:00 UTC),
        )
    }

    #[tokio::test]
    async fn a_rewrite_of_the_record_keeps_counters_added_since_it_was_read() {
        let store = EmbeddedStore::in_memory();
        let ops = insert_partner(&partner())
            .unwrap()
            .into_iter()
            .map(|(_, op)| op);
        store.transact(ops.collect()).await.unwrap();
        let read = find_partner(&store, &partner().program_id, &partner().id)
            .await
            .unwrap()
            .unwrap();
        let sale = PartnerTotals {
            total_sales: 1,
            total_sale_amount: 4_900,
            ..Default::default()
        };
        let add = add_partner_totals(&read.id, &sale).unwrap();
        store.transact(vec![add.clone()]).await.unwrap();
        store.transact(vec![add]).await.unwrap();
        let mut renamed = read.clone();
        renamed.name = "Jane Doe".into();
        renamed.version += 1;
        store
            .transact(vec![replace_partner(&renamed, read.version).unwrap()])
            .await
            .unwrap();
        let now = find_partner(&store, &read.program_id, &read.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now.name, "Jane Doe");
        assert_eq!(now.totals.total_sales, 2);
        assert_eq!(now.totals.total_sale_amount, 9_800);
    }

    #[tokio::test]
    async fn counters_never_create_a_missing_record() {
        let store = EmbeddedStore::in_memory();
        let delta = PartnerTotals {
            total_clicks: 1,
            ..Default::default()
        };
        let add = add_partner_totals(&partner().id, &delta).unwrap();
        assert!(store.transact(vec![add]).await.is_err());
        assert!(add_partner_totals(&partner().id, &PartnerTotals::default()).is_none());
    }
}
