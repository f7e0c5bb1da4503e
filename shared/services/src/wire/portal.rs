//! StackBE's partner tools, as partner-portal answers them: the session the business's backend
//! issues, the signed-in partner's dashboard and the hosted portal link. The partner itself is
//! StackBE's affiliate (`wire::affiliate::AffiliateSchema`).

use super::affiliate::AffiliateSchema;
use super::timestamp;
use crate::model::{Balances, DailyActivity, Dashboard, IssuedSessionView, PortalLink};

/// `POST /partners/sessions`: the token, shown once, and until when it works.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerSessionSchema {
    /// `pst_…`: the partner's bearer token.
    pub token: String,
    pub expires_at: String,
    pub partner_id: String,
}

impl PartnerSessionSchema {
    pub fn of(session: &IssuedSessionView) -> Self {
        Self {
            token: session.token.clone(),
            expires_at: timestamp(session.expires_at),
            partner_id: session.partner_id.to_string(),
        }
    }
}

/// `GET /v1/affiliate/portal-link`: a signed link to the hosted portal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PortalLinkSchema {
    pub url: String,
    pub expires_at: String,
}

impl PortalLinkSchema {
    pub fn of(link: &PortalLink) -> Self {
        Self {
            url: link.url.clone(),
            expires_at: timestamp(link.expires_at),
        }
    }
}

/// `GET /v1/affiliate/dashboard`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DashboardSchema {
    pub affiliate: DashboardAffiliateSchema,
    /// ISO 4217, lower case.
    pub currency: String,
    /// Minor units.
    pub balances: BalancesSchema,
    pub links: Vec<DashboardLinkSchema>,
    /// Clicks, leads and sales per UTC day, oldest first.
    pub activity: Vec<DailyActivitySchema>,
}

/// The partner with StackBE's balances in major units (as `totalEarned` is).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DashboardAffiliateSchema {
    #[serde(flatten)]
    pub partner: AffiliateSchema,
    pub pending_balance: f64,
    pub processed_balance: f64,
    pub paid_balance: f64,
}

/// A partner's money, in minor units of the program's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BalancesSchema {
    /// Pending + processed + paid.
    pub total_earned: i64,
    /// Still in the holding period.
    pub pending: i64,
    /// Past the holding period, not yet paid out.
    pub processed: i64,
    pub paid: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DashboardLinkSchema {
    pub id: String,
    pub short_link: String,
    pub url: String,
    pub clicks: i64,
    pub leads: i64,
    pub conversions: i64,
    pub sales: i64,
    pub sale_amount: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct DailyActivitySchema {
    /// `YYYY-MM-DD`, UTC.
    pub date: String,
    pub clicks: i64,
    pub leads: i64,
    pub sales: i64,
}

impl DashboardSchema {
    pub fn of(dashboard: &Dashboard) -> Self {
        let affiliate = &dashboard.affiliate;
        Self {
            affiliate: DashboardAffiliateSchema {
                partner: AffiliateSchema::of(&affiliate.partner),
                pending_balance: affiliate.pending_balance,
                processed_balance: affiliate.processed_balance,
                paid_balance: affiliate.paid_balance,
            },
            currency: dashboard.currency.clone(),
            balances: BalancesSchema::of(&dashboard.balances),
            links: dashboard
                .links
                .iter()
                .map(|link| DashboardLinkSchema {
                    id: link.id.clone(),
                    short_link: link.short_link.clone(),
                    url: link.url.clone(),
                    clicks: link.stats.clicks,
                    leads: link.stats.leads,
                    conversions: link.stats.conversions,
                    sales: link.stats.sales,
                    sale_amount: link.stats.sale_amount,
                })
                .collect(),
            activity: dashboard
                .activity
                .iter()
                .map(DailyActivitySchema::of)
                .collect(),
        }
    }
}

impl BalancesSchema {
    pub fn of(balances: &Balances) -> Self {
        Self {
            total_earned: balances.total_earned,
            pending: balances.pending,
            processed: balances.processed,
            paid: balances.paid,
        }
    }
}

impl DailyActivitySchema {
    fn of(day: &DailyActivity) -> Self {
        Self {
            date: day.date.clone(),
            clicks: day.clicks,
            leads: day.leads,
            sales: day.sales,
        }
    }
}
