//! Commissions after they are made: Dub's `GET /commissions` and `PATCH /commissions/{id}`
//! (status changes, amount corrections, payout marking) and the scheduled maturation of
//! pending commissions.

mod list;
mod maturation;
mod update;

pub use list::{CommissionFilter, get_commission, list_commissions};
pub use maturation::{MaturationReport, mature_commissions};
pub use update::{UpdateCommission, update_commission};
