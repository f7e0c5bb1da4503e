//! What a payout run and the payout ledger answer (`payouts::run_payouts`, `payouts::ledger`).

use super::{CommissionStatus, Partner, Payout};
use crate::types::{Currency, PartnerId};
use std::collections::BTreeMap;

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct RunReport {
    pub run_id: String,
    pub dry_run: bool,
    pub payouts: Vec<(Payout, Partner)>,
    pub carried: Vec<Carried>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carried {
    pub partner_id: PartnerId,
    pub amount: i64,
    pub currency: Currency,
    pub commission_count: i64,
    pub reason: CarryReason,
}

/// Why a balance waits for a later run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CarryReason {
    BelowMinimum,
    /// Clawbacks exceed what the partner earned since: later earnings pay them off first.
    Negative,
    Banned,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ledger {
    pub currencies: Vec<LedgerCurrency>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LedgerCurrency {
    pub currency: Currency,
    pub commissions: BTreeMap<String, i64>,
    pub payouts: BTreeMap<String, i64>,
    pub payable: i64,
    pub carried: i64,
}

impl Ledger {
    pub fn balanced(&self) -> bool {
        self.currencies.iter().all(LedgerCurrency::balanced)
    }
}

impl LedgerCurrency {
    pub fn new(currency: Currency) -> Self {
        Self {
            currency,
            commissions: BTreeMap::new(),
            payouts: BTreeMap::new(),
            payable: 0,
            carried: 0,
        }
    }

    fn commissions_of(&self, status: CommissionStatus) -> i64 {
        self.commissions.get(status.as_str()).copied().unwrap_or(0)
    }

    fn payouts_of(&self, status: &str) -> i64 {
        self.payouts.get(status).copied().unwrap_or(0)
    }

    /// Earned and payable-or-paid = paid out or owed by a payout + not yet in one.
    pub fn balanced(&self) -> bool {
        let earned = self.commissions_of(CommissionStatus::Processed)
            + self.commissions_of(CommissionStatus::Paid);
        let in_payouts = ["pending", "processing", "completed"]
            .iter()
            .map(|status| self.payouts_of(status))
            .sum::<i64>();
        earned == in_payouts + self.payable + self.carried
    }
}
