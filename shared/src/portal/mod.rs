//! StackBE's partner tools: a partner session token issued by the business's backend, and what
//! a partner sees with it (their record, their dashboard, a signed portal link). A session
//! carries one partner of one program; every read below is keyed by that partner, so a partner
//! only ever sees their own data.

mod authenticate;
mod dashboard;
pub mod embed;
mod issue;
pub mod payout_settings;
mod portal_link;
mod session;
pub mod session_store;

pub use crate::model::{
    Balances, DailyActivity, Dashboard, IssuedSessionView, PartnerSession, PartnerSessionRecord,
    PortalLink,
};
pub use authenticate::{authenticate_partner, carries_partner_session, partner_info};
pub use dashboard::{DASHBOARD_DAYS, balances, dashboard};
pub use issue::{IssueSession, RevokeSession, issue_session, revoke_session};
pub use portal_link::{PORTAL_LINK_TTL, PortalLinkError, PortalLinkSigner};
pub use session::{
    DEFAULT_SESSION_TTL, IssuedSession, MAX_SESSION_TTL, SESSION_PREFIX, hash_session_token,
};
