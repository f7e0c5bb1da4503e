//! Partner enrollments: the records, their unique claims (email, referral code, customer,
//! tenant id), the partner's default referral link, and the manual changes of program setup.

pub mod feed;
mod manage;
mod named;
mod referral_codes;
mod repo;
pub mod totals;

pub use manage::{MovePartner, UpdatePartner, move_partner, update_partner};
pub use named::find_named;
pub use referral_codes::generate_referral_code;
pub use repo::{
    PartnerWrite, find_by_customer, find_by_email, find_by_referral_code, find_by_tenant,
    find_partner, insert_partner, partner_of, replace_partner,
};
