//! What a payout run and the payout ledger answer (`payouts::run_payouts`, `payouts::ledger`).

use super::{Partner, Payout};
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
