//! What the partner portal and the referral embed answer: sessions, the dashboard, the embed's
//! view (`portal`).

use super::{
    Commission, Customer, Discount, LinkStats, Partner, Payout, Program, Reward, RewardEvent,
};
use crate::types::{PartnerId, ProgramId};
use time::OffsetDateTime;

/// A partner signed in with a session token: the partner and their program, both read fresh.
#[derive(Debug, Clone)]
pub struct PartnerSession {
    pub record: PartnerSessionRecord,
    pub partner: Partner,
    pub program: Program,
}

/// A stored session: who it is for and until when; never the token itself.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerSessionRecord {
    /// Hex SHA-256 of the whole token.
    pub hashed_token: String,
    pub program_id: ProgramId,
    pub partner_id: PartnerId,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub revoked_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct EmbedLink {
    pub id: String,
    pub short_link: String,
    pub url: String,
    pub stats: LinkStats,
}

/// A reward of the partner's group, or the program's default sale rate when the group has no
/// sale reward (`reward` is then `None`): the rate every sale earns, for life.
#[derive(Debug, Clone)]
pub struct EmbedReward {
    pub reward: Option<Reward>,
    pub event: RewardEvent,
    /// The reward in words: its description, else Dub's sentence.
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct EmbedView {
    pub look: EmbedLook,
    pub links: Vec<EmbedLink>,
    pub rewards: Vec<EmbedReward>,
    pub discount: Option<(Discount, String)>,
    /// Minor units of the program's currency.
    pub balances: Balances,
    /// Newest first.
    pub payouts: Vec<Payout>,
}

/// A commission as its partner sees it: with the customer's name and a masked email.
#[derive(Debug, Clone)]
pub struct ReferralCommission {
    pub commission: Commission,
    pub customer: Option<Customer>,
}

/// The session the page uses (`wire::embed::EmbedSessionSchema`).
#[derive(Debug, Clone)]
pub struct EmbedSession {
    pub token: String,
    pub expires_at: OffsetDateTime,
}

/// The public token, shown once (`wire::embed::EmbedTokenSchema`).
#[derive(Debug, Clone)]
pub struct IssuedEmbedToken {
    pub public_token: String,
    pub expires_at: OffsetDateTime,
}

/// A partner's money, in minor units of the program's currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Balances {
    /// Pending + processed + paid (what counts towards Dub's `totalCommissions`).
    pub total_earned: i64,
    /// Still in the holding period.
    pub pending: i64,
    /// Past the holding period, not yet paid out.
    pub processed: i64,
    pub paid: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyActivity {
    /// `YYYY-MM-DD`, UTC.
    pub date: String,
    pub clicks: i64,
    pub leads: i64,
    pub sales: i64,
}

/// What the dashboard shows (`wire::portal::DashboardSchema` is its wire form).
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub affiliate: DashboardPartner,
    pub currency: String,
    /// Minor units.
    pub balances: Balances,
    pub links: Vec<DashboardLink>,
    /// Oldest day first.
    pub activity: Vec<DailyActivity>,
}

/// The partner with StackBE's balance fields in major units (as `totalEarned` is), and every
/// amount again in minor units.
#[derive(Debug, Clone)]
pub struct DashboardPartner {
    pub partner: super::EnrolledPartner,
    pub pending_balance: f64,
    pub processed_balance: f64,
    pub paid_balance: f64,
}

#[derive(Debug, Clone)]
pub struct DashboardLink {
    pub id: String,
    pub short_link: String,
    pub url: String,
    pub stats: LinkStats,
}

/// What the backend gets back: the token (shown once) and its expiry
/// (`wire::portal::PartnerSessionSchema`).
#[derive(Debug, Clone)]
pub struct IssuedSessionView {
    pub token: String,
    pub expires_at: OffsetDateTime,
    pub partner_id: PartnerId,
}

/// A signed link (`wire::portal::PortalLinkSchema` is its wire form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalLink {
    pub url: String,
    pub expires_at: OffsetDateTime,
}

/// How the page looks and who may frame it, from the program's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedLook {
    pub allowed_origins: Vec<String>,
    pub theme_color: String,
    pub logo_url: Option<String>,
}

impl EmbedLook {
    /// The `frame-ancestors` source list: the allowed origins, or `'none'`.
    pub fn frame_ancestors(&self) -> String {
        if self.allowed_origins.is_empty() {
            "'none'".into()
        } else {
            self.allowed_origins.join(" ")
        }
    }

    /// The logo's origin, the one image source the page allows besides its own.
    pub fn logo_origin(&self) -> Option<String> {
        let url = url::Url::parse(self.logo_url.as_deref()?).ok()?;
        Some(url.origin().ascii_serialization())
    }
}

impl PartnerSessionRecord {
    /// The table's TTL deletes expired items only eventually, so expiry is checked here too.
    pub fn is_usable(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}
