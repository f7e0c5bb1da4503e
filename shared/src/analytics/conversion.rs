//! What a lead or a sale adds to the analytics counters: its program's day, and its partner's
//! and link's when it has them. The writes go into the conversion's own transaction, so a
//! replayed request (its idempotency key or invoice claim already taken) adds nothing.

use super::bucket::{DayCounts, Metric, Scope};
use crate::model::Dimension;
use crate::store::TxOp;
use crate::types::{LinkId, PartnerId, ProgramId};
use time::{OffsetDateTime, UtcOffset};

/// A conversion's counts and the scopes they add to.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversionCounts {
    program: ProgramId,
    at: OffsetDateTime,
    scopes: Vec<Scope>,
    counts: DayCounts,
}

/// What one conversion counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counted {
    pub leads: i64,
    pub sales: i64,
    pub sale_amount: i64,
    pub earnings: i64,
}

impl ConversionCounts {
    /// `country` is the click's, when the conversion came through one: leads and sales are
    /// broken down by country only (a click id carries its country, not the visitor's device).
    pub fn new(
        program: &ProgramId,
        at: OffsetDateTime,
        link: Option<&LinkId>,
        partner: Option<&PartnerId>,
        country: Option<&str>,
        counted: Counted,
    ) -> Self {
        let hour = at.to_offset(UtcOffset::UTC).hour();
        let mut counts = DayCounts::default();
        let metrics = [
            (Metric::Leads, counted.leads),
            (Metric::Sales, counted.sales),
            (Metric::SaleAmount, counted.sale_amount),
            (Metric::Earnings, counted.earnings),
        ];
        for (metric, delta) in metrics {
            counts.add(metric, hour, delta);
            if let Some(country) = country.filter(|c| !c.is_empty()) {
                counts.add_dimension(metric, Dimension::Country, country.to_owned(), delta);
            }
        }
        // A partner's figures are its links' items (which name it) plus its own item, which
        // holds only what came without a link (a registered deal).
        let mut scopes = vec![Scope::Program];
        match (link, partner) {
            (Some(link), partner) => {
                counts.partner = partner.cloned();
                scopes.push(Scope::Link(link.clone()));
            }
            (None, Some(partner)) => scopes.push(Scope::Partner(partner.clone())),
            (None, None) => {}
        }
        Self {
            program: program.clone(),
            at,
            scopes,
            counts,
        }
    }

    /// One update per scope; none when the conversion counts nothing.
    pub fn ops(&self) -> Vec<TxOp> {
        if self.counts.is_empty() {
            return Vec::new();
        }
        let day = self.at.to_offset(UtcOffset::UTC).date();
        self.scopes
            .iter()
            .map(|scope| self.counts.add_to(&self.program, day, scope))
            .collect()
    }
}
