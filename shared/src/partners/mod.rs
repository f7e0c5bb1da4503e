//! Partner enrollments: the records, their unique claims (email, referral code, customer,
//! tenant id), the partner's default referral link, and the manual changes of program setup.

mod create;
pub mod feed;
pub mod listing;
mod manage;
mod named;
mod referral_codes;
mod referral_link;
mod repair;
mod repo;
mod status;
pub mod totals;

pub use create::{CreatePartner, Created, create_partner};
pub use manage::{MovePartner, UpdatePartner, move_partner, update_partner};
pub use named::find_named;
pub use referral_codes::generate_referral_code;
pub use referral_link::{default_referral_link, insert_link};
pub use repair::{RepairReport, recompute_totals};
pub use repo::{
    PartnerWrite, find_by_customer, find_by_email, find_by_referral_code, find_by_tenant,
    find_partner, insert_partner, partner_of, replace_partner,
};
pub use status::{
    BanPartner, MoveToGroup, NamePartner, SetTags, archive_partner, ban_partner,
    deactivate_partner, move_to_group, set_tags,
};
