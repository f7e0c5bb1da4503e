use crate::model::Application;
use crate::model::Link;
use crate::model::PartnerGroup;
use crate::types::{
    ApplicationId, CustomerId, Email, GroupId, LinkId, PartnerId, ProgramId, ReferralCode,
};
use time::OffsetDateTime;

/// The status of a partner's enrollment (Dub's eight values).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
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

/// Why a partner was banned (Dub's six reasons).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum BanReason {
    TosViolation,
    InappropriateContent,
    FakeTraffic,
    Fraud,
    Spam,
    BrandAbuse,
}

/// The partner's standing in Dub's partner network; ours are program-local, so `draft` unless set.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum NetworkStatus {
    #[default]
    Draft,
    Submitted,
    Approved,
    Rejected,
    Trusted,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum PayoutMethod {
    Connect,
    Stablecoin,
    Paypal,
}

/// Profile, social and payout fields of a partner (Dub's partner fields, all optional).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PartnerProfile {
    pub username: Option<String>,
    pub image: Option<String>,
    pub description: Option<String>,
    pub website: Option<String>,
    pub youtube: Option<String>,
    pub twitter: Option<String>,
    pub linkedin: Option<String>,
    pub instagram: Option<String>,
    pub tiktok: Option<String>,
    pub network_status: NetworkStatus,
    pub default_payout_method: Option<PayoutMethod>,
    pub paypal_email: Option<String>,
    pub stripe_connect_id: Option<String>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub payouts_enabled_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub identity_verified_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub trusted_at: Option<OffsetDateTime>,
}

/// A tag on a partner (Dub's `{id, name}`); names are unique per partner.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PartnerTag {
    pub id: String,
    pub name: String,
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

impl PartnerTotals {
    /// These totals with `delta` added, or `None` when a changed one would leave ±`MAX_TOTAL`
    /// (the event is then refused before anything is written).
    pub fn checked_plus(&self, delta: &PartnerTotals) -> Option<PartnerTotals> {
        // A total the event does not change is not checked: an event cannot push it out of
        // range, and a partner left out of range by an earlier version keeps taking leads.
        let add = |total: i64, delta: i64| match delta {
            0 => Some(total),
            _ => crate::types::checked_total(total, delta),
        };
        Some(PartnerTotals {
            total_clicks: add(self.total_clicks, delta.total_clicks)?,
            total_leads: add(self.total_leads, delta.total_leads)?,
            total_conversions: add(self.total_conversions, delta.total_conversions)?,
            total_sales: add(self.total_sales, delta.total_sales)?,
            total_sale_amount: add(self.total_sale_amount, delta.total_sale_amount)?,
            total_commissions: add(self.total_commissions, delta.total_commissions)?,
        })
    }
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
    pub profile: PartnerProfile,
    #[serde(default)]
    pub tags: Vec<PartnerTag>,
    #[serde(flatten)]
    pub totals: PartnerTotals,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub version: u64,
}

impl Partner {
    /// An approved partner of `group` named `name`: no contact, code, link, tags or counts yet.
    /// Callers set what they know on top (`Partner { email, ..Partner::approved(..) }`).
    pub fn approved(
        id: PartnerId,
        (program_id, group_id): (&ProgramId, &GroupId),
        name: String,
        created_at: OffsetDateTime,
    ) -> Self {
        Self {
            id,
            program_id: program_id.clone(),
            tenant_id: None,
            name,
            email: None,
            company_name: None,
            country: None,
            group_id: group_id.clone(),
            status: PartnerStatus::Approved,
            referral_code: None,
            application_id: None,
            customer_id: None,
            default_link_id: None,
            banned_at: None,
            banned_reason: None,
            exclude_from_moves: false,
            profile: PartnerProfile::default(),
            tags: Vec::new(),
            totals: PartnerTotals::default(),
            created_at,
            version: 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DerivedMetrics {
    pub net_revenue: i64,
    pub earnings_per_click: Option<f64>,
    pub average_lifetime_value: Option<f64>,
    pub click_to_lead_rate: Option<f64>,
    pub click_to_conversion_rate: Option<f64>,
    pub lead_to_conversion_rate: Option<f64>,
    pub return_on_ad_spend: Option<f64>,
}

/// A partner with what Dub's partner view shows of it: its links (oldest first), its group (for
/// the reward and discount ids) and its application, when it applied.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedPartner {
    pub partner: Partner,
    pub links: Vec<Link>,
    pub group: Option<PartnerGroup>,
    pub application: Option<Application>,
}

/// `numerator / denominator`, or `None` when the denominator is 0 (Dub answers null).
pub fn metric_ratio(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator != 0).then(|| numerator as f64 / denominator as f64)
}

impl DerivedMetrics {
    pub fn of(totals: &PartnerTotals) -> Self {
        let t = totals;
        Self {
            net_revenue: t.total_sale_amount.saturating_sub(t.total_commissions),
            earnings_per_click: metric_ratio(t.total_sale_amount, t.total_clicks),
            average_lifetime_value: metric_ratio(t.total_sale_amount, t.total_conversions),
            click_to_lead_rate: metric_ratio(t.total_leads, t.total_clicks),
            click_to_conversion_rate: metric_ratio(t.total_conversions, t.total_clicks),
            lead_to_conversion_rate: metric_ratio(t.total_conversions, t.total_leads),
            return_on_ad_spend: metric_ratio(t.total_sale_amount, t.total_commissions),
        }
    }
}
