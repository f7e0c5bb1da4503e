//! Payouts: partners are paid in batches, exactly once, through the business's own accounts.
//! A run (`run`) turns each partner's payable commissions into one payout; the business confirms
//! it paid, or marks it failed, or cancels it (`settle`); `list` and `ledger` read them back.

mod export;
mod ledger;
mod list;
pub mod records;
mod run;
mod schedule;
mod settle;
pub mod transfers;

pub use crate::model::{Carried, CarryReason, Ledger, LedgerCurrency, RunReport};
pub use export::{ExportFormat, MAX_ROWS, PayoutFile, export_payouts, major_units};
pub use ledger::{ledger_of, program_ledger};
pub use list::{PayoutFilter, PayoutSort, all_payouts, get_payout, list_payouts, partner_payouts};
pub use records::CHUNK;
pub use run::{
    Balance, PayableBalances, RunPayoutsRequest, RunPlan, is_payable, plan_run, read_balances,
    run_payouts, run_program,
};
pub use schedule::run_scheduled_payouts;
pub use settle::{
    ConfirmPayout, FailPayout, Settlement, cancel_payout, confirm_payout, fail_payout, send_payout,
    settle, settle_unsettled,
};
