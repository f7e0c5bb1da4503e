//! A link's counters (clicks, leads, conversions, sales, sale amount): numeric attributes beside
//! the record's body, changed only by atomic `ADD` (see `partners::totals` for why).

use crate::layout;
use crate::model::LinkStats;
use crate::store::records::{add_counters, counter};
use crate::store::{Condition, Item, StoreError, TxOp, UpdateItem, n};
use crate::types::LinkId;

/// Attribute names of a link's counters.
pub const CLICKS: &str = "clicks";

pub const LEADS: &str = "leads";

pub const CONVERSIONS: &str = "conversions";

pub const SALES: &str = "sales";

pub const SALE_AMOUNT: &str = "saleAmount";

fn link_fields(stats: &LinkStats) -> [(&'static str, i64); 5] {
    [
        (CLICKS, stats.clicks),
        (LEADS, stats.leads),
        (CONVERSIONS, stats.conversions),
        (SALES, stats.sales),
        (SALE_AMOUNT, stats.sale_amount),
    ]
}

/// Adds `delta` to a link's counters; same rules as `partners::totals::add_partner_totals`.
pub fn add_link_stats(link: &LinkId, delta: &LinkStats) -> Option<TxOp> {
    let update = add_counters(&link_fields(delta));
    (!update.is_empty()).then(|| {
        TxOp::Update(UpdateItem {
            key: layout::link(link),
            update,
            condition: Some(Condition::Exists),
        })
    })
}

/// A link's counters as stored (zero when never counted).
pub fn link_stats_of(item: &Item) -> Result<LinkStats, StoreError> {
    Ok(LinkStats {
        clicks: counter(item, CLICKS)?,
        leads: counter(item, LEADS)?,
        conversions: counter(item, CONVERSIONS)?,
        sales: counter(item, SALES)?,
        sale_amount: counter(item, SALE_AMOUNT)?,
    })
}

pub fn write_link_stats(item: &mut Item, stats: &LinkStats) {
    for (name, value) in link_fields(stats) {
        item.insert(name.into(), n(value));
    }
}
