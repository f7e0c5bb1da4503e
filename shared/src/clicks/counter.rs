//! The counters a click adds to, and who owns them: a link (its `clicks` and its analytics
//! day), a partner (its `totalClicks`), the program (its analytics day).

use crate::analytics::bucket::{DayCounts, Metric, Scope};
use crate::links::stats::add_link_stats;
use crate::model::{LinkStats, PartnerTotals};
use crate::partners::totals::add_partner_totals;
use crate::store::{TxOp, UpdateItem};
use crate::types::{LinkId, PartnerId, ProgramId};
use time::Date;

/// What a counter update must find: the link or the partner it counts for. A program's
/// counters need nothing: they count every click the redirect answered.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Owner {
    Link(LinkId),
    Partner(PartnerId),
    Program(ProgramId),
}

/// One counter a batch adds to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Counter {
    Link(LinkId),
    Partner(PartnerId),
    /// A scope's analytics counters of one UTC day (`analytics::bucket`).
    Day(ProgramId, Date, Scope),
}

impl Counter {
    pub(crate) fn owner(&self) -> Owner {
        match self {
            Counter::Link(link) | Counter::Day(_, _, Scope::Link(link)) => {
                Owner::Link(link.clone())
            }
            Counter::Partner(partner) | Counter::Day(_, _, Scope::Partner(partner)) => {
                Owner::Partner(partner.clone())
            }
            Counter::Day(program, _, Scope::Program) => Owner::Program(program.clone()),
        }
    }

    /// Whether this is its owner's own record (the link or the partner item), which must exist
    /// for its day items to be counted.
    pub(crate) fn is_owner_record(&self) -> bool {
        matches!(self, Counter::Link(_) | Counter::Partner(_))
    }

    /// The update adding `counts`; `plain` leaves out the dimension counts (for a day item
    /// that has reached the store's item size). A link's or partner's update requires the
    /// item to exist, so that a counter never creates a stray item.
    pub(crate) fn update(&self, counts: &DayCounts, plain: bool) -> UpdateItem {
        let clicks = counts.total(Metric::Clicks);
        let op = match self {
            Counter::Link(link) => add_link_stats(
                link,
                &LinkStats {
                    clicks,
                    ..Default::default()
                },
            )
            .expect("a counted click adds a non-zero delta"),
            Counter::Partner(partner) => add_partner_totals(
                partner,
                &PartnerTotals {
                    total_clicks: clicks,
                    ..Default::default()
                },
            )
            .expect("a counted click adds a non-zero delta"),
            Counter::Day(program, day, scope) if plain => DayCounts {
                dimensions: Default::default(),
                ..counts.clone()
            }
            .add_to(program, *day, scope),
            Counter::Day(program, day, scope) => counts.add_to(program, *day, scope),
        };
        match op {
            TxOp::Update(update) => update,
            _ => unreachable!("counters are updates"),
        }
    }
}
