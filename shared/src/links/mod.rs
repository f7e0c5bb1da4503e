//! Short links: Dub's management endpoints, partner links, labels, and what the redirect reads
//! of a link (its target, kept in the domain+key claim). The redirect itself records clicks and
//! lives in `clicks`.

mod bulk;
mod fields;
pub mod folders;
pub mod key;
pub mod labels;
mod list;
mod manage;
mod partner_links;
pub mod qr;
mod referral_link;
pub mod repo;
pub mod stats;
pub mod tags;
pub mod target;

pub use bulk::{
    BulkItem, BulkUpdateLinks, CreateLinks, MAX_BULK_LINKS, bulk_record, create_links,
    delete_links, update_links, upsert_link,
};

pub use crate::model::LinkLabels;
pub use crate::model::short_link;
pub use key::{LinkKey, ROOT_KEY_ALIAS};
pub use list::{CountBy, LinkCount, LinkFilter, LinkPage, count_links, list_links};
pub use manage::{CreateLink, UpdateLink, create_link, delete_link, link_info, update_link};
pub use partner_links::{
    CreatePartnerLink, LinkProps, UpsertPartnerLink, create_partner_link, list_partner_links,
    upsert_partner_link,
};
pub use referral_link::{default_referral_link, insert_link};
pub use target::RedirectTarget;
