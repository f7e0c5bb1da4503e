//! Commissions after they are made: Dub's `GET /commissions`, `PATCH /commissions/{id}`
//! (status changes, amount corrections, payout marking) and `PATCH /commissions/bulk` and the scheduled maturation of
//! pending commissions; the cancellation of a banned partner's pending commissions.

mod bulk;
mod cancel;
mod list;
mod maturation;
pub mod records;
mod update;

pub use crate::model::CommissionWithParties;
pub use bulk::{BulkStatus, BulkUpdateCommissions, MAX_BULK_COMMISSIONS, bulk_update_commissions};
pub use cancel::{
    CANCEL_JOB_DELAY, CancelReport, CancelSweepReport, cancel_job, cancel_pending_commissions,
    partners_being_canceled, run_cancel_jobs,
};
pub use list::{CommissionFilter, enrich, get_commission, list_commissions};
pub use maturation::{MaturationReport, mature_commissions};
pub use update::{UpdateCommission, update_commission};
