//! `GET /v1/affiliate/dashboard`: the signed-in partner's balances, links with their stats, and
//! clicks, leads and sales per UTC day over the last 30 days.
//!
//! Balances and leads/sales per day come from one query of the partner's own commissions (gsi2
//! `PROG#…#PARTNER#…#COMMISSIONS`): the commission's status is the source of truth for what is
//! pending, processed or paid, and keeping per-status counters would need a write in every
//! place a status changes. The read grows with the partner's commissions (1 read unit per 4 KB
//! page), which is small for one partner. A lead or sale that earned no commission (no reward
//! for it in the group) is not in the daily lead/sale counts. Clicks per day are the click
//! aggregator's daily counters (one query).

use super::PartnerSession;
use crate::analytics::daily_clicks::clicks_by_day_of;
use crate::commissions::records::commission_of;
use crate::error::DomainError;
use crate::layout;
use crate::links::repo::all_for_partner;
use crate::links::short_link;
use crate::model::Balances;
use crate::model::DailyActivity;
use crate::model::Dashboard;
use crate::model::DashboardLink;
use crate::model::DashboardPartner;
use crate::model::{Commission, CommissionStatus, CommissionType};
use crate::store::{ItemStore, Query, StoreError, schema};
use crate::types::LinkId;
use std::collections::BTreeMap;
use time::{Date, Duration, OffsetDateTime};

/// Days in the dashboard's charts, today (UTC) included.
pub const DASHBOARD_DAYS: i64 = 30;

/// Sums earnings by status; refunded, canceled, fraud, duplicate and held commissions count
/// towards none.
pub fn balances<'a>(commissions: impl IntoIterator<Item = &'a Commission>) -> Balances {
    let mut sums = Balances::default();
    for commission in commissions {
        let slot = match commission.status {
            CommissionStatus::Pending => &mut sums.pending,
            CommissionStatus::Processed => &mut sums.processed,
            CommissionStatus::Paid => &mut sums.paid,
            _ => continue,
        };
        *slot = slot.saturating_add(commission.earnings);
        sums.total_earned = sums.total_earned.saturating_add(commission.earnings);
    }
    sums
}

pub(super) async fn partner_commissions(
    store: &dyn ItemStore,
    session: &PartnerSession,
) -> Result<Vec<Commission>, StoreError> {
    let pk = layout::partner_commissions_index_pk(&session.program.id, &session.partner.id);
    let mut found = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .query(Query::index(schema::GSI2.name, pk.clone()).cursor(cursor))
            .await?;
        for item in &page.items {
            found.push(commission_of(item)?);
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(found),
        }
    }
}

/// Leads and sales per day, from the lead and sale commissions made in `from..=to`.
fn conversions_by_day(
    commissions: &[Commission],
    from: Date,
    to: Date,
) -> BTreeMap<Date, (i64, i64)> {
    let mut days = BTreeMap::new();
    for commission in commissions {
        let day = commission.created_at.to_offset(time::UtcOffset::UTC).date();
        if day < from || day > to || commission.clawback_of.is_some() {
            continue;
        }
        let counts = days.entry(day).or_insert((0, 0));
        match commission.kind {
            CommissionType::Lead => counts.0 += 1,
            CommissionType::Sale => counts.1 += 1,
            CommissionType::Click | CommissionType::Custom => {}
        }
    }
    days
}

fn major(minor: i64, digits: u8) -> f64 {
    minor as f64 / 10f64.powi(digits as i32)
}

pub async fn dashboard(
    store: &dyn ItemStore,
    session: &PartnerSession,
    now: OffsetDateTime,
) -> Result<Dashboard, DomainError> {
    let (program, partner) = (&session.program, &session.partner);
    let to = now.to_offset(time::UtcOffset::UTC).date();
    let from = to - Duration::days(DASHBOARD_DAYS - 1);
    let commissions = partner_commissions(store, session).await?;
    let sums = balances(&commissions);
    let conversions = conversions_by_day(&commissions, from, to);
    // Read once: the link list below, and the keys of the links' daily clicks.
    let stored_links = all_for_partner(store, &program.id, &partner.id).await?;
    let link_ids: Vec<LinkId> = stored_links.iter().map(|s| s.link.id.clone()).collect();
    let activity = clicks_by_day_of(store, &program.id, &partner.id, &link_ids, from, to)
        .await?
        .into_iter()
        .map(|day| {
            let (leads, sales) = conversions.get(&day.day).copied().unwrap_or_default();
            DailyActivity {
                date: day.day.to_string(),
                clicks: day.clicks,
                leads,
                sales,
            }
        })
        .collect();
    let links = stored_links
        .into_iter()
        .map(|stored| DashboardLink {
            id: stored.link.id.to_string(),
            short_link: short_link(&stored.link.domain, &stored.link.key),
            url: stored.link.url.to_string(),
            stats: stored.link.stats,
        })
        .collect();
    let digits = program.currency.minor_digits();
    let mut info = super::partner_info(session);
    info.total_earned = major(sums.total_earned, digits);
    info.total_earned_in_minor_units = sums.total_earned;
    Ok(Dashboard {
        affiliate: DashboardPartner {
            partner: info,
            pending_balance: major(sums.pending, digits),
            processed_balance: major(sums.processed, digits),
            paid_balance: major(sums.paid, digits),
        },
        currency: program.currency.code().to_owned(),
        balances: sums,
        links,
        activity,
    })
}
