//! Dub's `Payout` as `GET /payouts` answers it (the SDKs' `payouts.list` model), with our
//! `payoutMethod`, `externalReference` and `commissionCount`; the run's report and the ledger.

use super::timestamp;
use crate::model::{Carried, CarryReason, Ledger, LedgerCurrency, RunReport};
use crate::model::{Partner, Payout, PayoutMethod, PayoutRail, PayoutStatus};
use crate::types::{Currency, PartnerId};

/// Dub's `mode`: every payout here is paid through the business's own accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PayoutModeSchema {
    External,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PayoutSchema {
    pub id: String,
    /// The run (batch) that made the payout.
    pub invoice_id: Option<String>,
    /// Minor units of `currency`.
    pub amount: i64,
    pub currency: Currency,
    pub status: PayoutStatus,
    pub description: Option<String>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub created_at: String,
    /// When a rail started paying it; null for manual and file payouts.
    pub initiated_at: Option<String>,
    pub paid_at: Option<String>,
    pub mode: Option<PayoutModeSchema>,
    /// Dub's method: `paypal` or `connect` for those rails; null for a manual payout or a Wise
    /// file, which Dub has no name for (`rail` says which it is).
    pub method: Option<PayoutMethod>,
    pub partner: PayoutPartnerSchema,
    pub updated_at: String,
    pub failure_reason: Option<String>,
    /// Payouts are made by runs, not by dashboard users: always null.
    pub user: Option<serde_json::Value>,
    /// Ours: how the payout is paid (`manual`, `paypal`, `wise`, `connect`).
    pub rail: PayoutRail,
    /// Ours: the business's reference of the payment, given when it confirms.
    pub external_reference: Option<String>,
    /// Ours: how many commissions (clawbacks included) the payout pays.
    pub commission_count: i64,
}

impl PayoutSchema {
    /// The payout with its partner (`None`: the partner could not be read; its id is shown).
    pub fn of(payout: &Payout, partner: Option<&Partner>) -> Self {
        Self {
            id: payout.id.to_string(),
            invoice_id: Some(payout.run_id.clone()),
            amount: payout.amount,
            currency: payout.currency,
            status: payout.status,
            description: payout.description.clone(),
            period_start: payout.period_start.map(timestamp),
            period_end: Some(timestamp(payout.period_end)),
            created_at: timestamp(payout.created_at),
            initiated_at: payout.initiated_at.map(timestamp),
            paid_at: payout.paid_at.map(timestamp),
            mode: Some(PayoutModeSchema::External),
            method: match payout.rail {
                PayoutRail::Paypal => Some(PayoutMethod::Paypal),
                PayoutRail::Connect => Some(PayoutMethod::Connect),
                PayoutRail::Manual | PayoutRail::Wise => None,
            },
            partner: match partner {
                Some(partner) => PayoutPartnerSchema::of(partner),
                None => PayoutPartnerSchema::unreadable(&payout.partner_id),
            },
            updated_at: timestamp(payout.updated_at),
            failure_reason: payout.failure_reason.clone(),
            user: None,
            rail: payout.rail,
            external_reference: payout.external_reference.clone(),
            commission_count: payout.commission_count,
        }
    }
}

/// The partner of a payout, in Dub's shape.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PayoutPartnerSchema {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub image: Option<String>,
    pub default_payout_method: Option<PayoutMethod>,
    pub payouts_enabled_at: Option<String>,
    pub country: Option<String>,
    pub tenant_id: Option<String>,
    pub group_id: Option<String>,
}

impl PayoutPartnerSchema {
    pub fn of(partner: &Partner) -> Self {
        Self {
            id: partner.id.to_string(),
            name: partner.name.clone(),
            email: partner.email.as_ref().map(|e| e.as_str().to_owned()),
            image: partner.profile.image.clone(),
            default_payout_method: partner.profile.default_payout_method,
            payouts_enabled_at: partner.profile.payouts_enabled_at.map(timestamp),
            country: partner.country.clone(),
            tenant_id: partner.tenant_id.clone(),
            group_id: Some(partner.group_id.to_string()),
        }
    }

    /// A partner whose record cannot be read: its id, and nothing else.
    pub fn unreadable(id: &PartnerId) -> Self {
        Self {
            id: id.to_string(),
            name: String::new(),
            email: None,
            image: None,
            default_payout_method: None,
            payouts_enabled_at: None,
            country: None,
            tenant_id: None,
            group_id: None,
        }
    }
}

/// What a run did (or, as a dry run, would do).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PayoutRunSchema {
    /// The run's id (each payout's `invoiceId`).
    pub id: String,
    pub dry_run: bool,
    /// The payouts made (a dry run: the payouts it would make, with ids not yet given).
    pub payouts: Vec<PayoutSchema>,
    /// Balances that carry forward to a later run.
    pub carried: Vec<CarriedBalanceSchema>,
}

impl PayoutRunSchema {
    pub fn of(report: &RunReport) -> Self {
        Self {
            id: report.run_id.clone(),
            dry_run: report.dry_run,
            payouts: report
                .payouts
                .iter()
                .map(|(payout, partner)| PayoutSchema::of(payout, Some(partner)))
                .collect(),
            carried: report
                .carried
                .iter()
                .map(CarriedBalanceSchema::of)
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CarriedBalanceSchema {
    pub partner_id: String,
    /// The partner's net payable balance, minor units (may be negative after clawbacks).
    pub amount: i64,
    pub currency: Currency,
    pub commission_count: i64,
    pub reason: CarryReason,
}

impl CarriedBalanceSchema {
    fn of(carried: &Carried) -> Self {
        Self {
            partner_id: carried.partner_id.to_string(),
            amount: carried.amount,
            currency: carried.currency,
            commission_count: carried.commission_count,
            reason: carried.reason,
        }
    }
}

/// `GET /programs/{id}/ledger`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LedgerSchema {
    /// True only when, in every currency, the earnings of processed and paid commissions equal
    /// the open and completed payouts plus the payable and carried balances.
    pub balanced: bool,
    pub currencies: Vec<LedgerCurrencySchema>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LedgerCurrencySchema {
    pub currency: Currency,
    /// Earnings by commission status, minor units.
    pub commissions: std::collections::BTreeMap<String, i64>,
    /// Amounts by payout status, minor units.
    pub payouts: std::collections::BTreeMap<String, i64>,
    /// Processed commissions not in a payout, of partners whose balance reaches the minimum.
    pub payable: i64,
    /// Processed commissions not in a payout, of partners whose balance is below the minimum,
    /// negative, or banned.
    pub carried: i64,
    pub balanced: bool,
}

impl LedgerSchema {
    pub fn of(ledger: &Ledger) -> Self {
        Self {
            balanced: ledger.balanced(),
            currencies: ledger
                .currencies
                .iter()
                .map(LedgerCurrencySchema::of)
                .collect(),
        }
    }
}

impl LedgerCurrencySchema {
    fn of(currency: &LedgerCurrency) -> Self {
        Self {
            currency: currency.currency,
            commissions: currency.commissions.clone(),
            payouts: currency.payouts.clone(),
            payable: currency.payable,
            carried: currency.carried,
            balanced: currency.balanced(),
        }
    }
}
