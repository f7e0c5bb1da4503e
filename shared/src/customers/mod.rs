//! Customer accounts of a program's business: accounts created when a partner is approved
//! (StackBE creates one for an applicant who has none), and customers created by lead and
//! sale tracking (`tracked`).

mod expanded;
mod read;
mod repo;
pub mod tracked;
mod update;

pub use crate::model::{CustomerActivity, CustomerExpansion, CustomerRead};
pub use read::{CustomerFilter, get_customer, list_customers};
pub use repo::{find_by_email, find_customer, insert_customer};
pub use tracked::{customer_of, tracked_customer_id};
pub use update::{UpdateCustomer, delete_customer, update_customer};
