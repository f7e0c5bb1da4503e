use crate::types::{
    ApplicationId, CustomerId, Email, GroupId, LinkId, PartnerId, ProgramId, ReferralCode,
};
use time::OffsetDateTime;

/// The status of a partner's enrollment (Dub's eight values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartnerStatus {
    Pending,
    Approved,
    Rejected,
    Invited,
    Declined,
    Deactivated,
    Banned,
    Archived,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BanReason {
    TosViolation,
    InappropriateContent,
    FakeTraffic,
    Fraud,
    Spam,
    BrandAbuse,
}

/// Running totals of a partner, updated in the same transaction as the events that change them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerTotals {
    pub total_clicks: i64,
    pub total_leads: i64,
    pub total_conversions: i64,
    pub total_sales: i64,
    /// Minor units of the program's currency.
    pub total_sale_amount: i64,
    /// Pending, processed and paid commissions, in minor units.
    pub total_commissions: i64,
}

/// A partner enrolled in a program.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Partner {
    pub id: PartnerId,
    pub program_id: ProgramId,
    /// The partner's id in the business's own database.
    pub tenant_id: Option<String>,
    pub name: String,
    pub email: Option<Email>,
    pub company_name: Option<String>,
    pub country: Option<String>,
    pub group_id: GroupId,
    pub status: PartnerStatus,
    pub referral_code: Option<ReferralCode>,
    pub application_id: Option<ApplicationId>,
    /// The customer account created or found on approval (StackBE's `customer_id`).
    pub customer_id: Option<CustomerId>,
    /// The link the referral code is served at.
    pub default_link_id: Option<LinkId>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub banned_at: Option<OffsetDateTime>,
    pub banned_reason: Option<BanReason>,
    /// Excluded from automatic group moves.
    pub exclude_from_moves: bool,
    #[serde(flatten)]
    pub totals: PartnerTotals,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub version: u64,
}
