//! The embedded referral dashboard on the wire: Dub's `{publicToken, expires}` for
//! `POST /tokens/embed/referrals` (the SDKs' `embed_tokens.referrals` model), and our own
//! shapes for what the page reads.

use super::timestamp;
use crate::model::{CommissionStatus, CommissionType, PayoutStatus, RewardEvent, RewardType};
use crate::model::{
    EmbedLink, EmbedReward, EmbedSession, EmbedView, IssuedEmbedToken, PartnerSession,
    ReferralCommission,
};
use crate::types::{Currency, Percentage};

/// `POST /tokens/embed/referrals`: Dub's answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmbedTokenSchema {
    /// `pet_…`: goes in the iframe's URL, `/embed/referrals?token=…`; it works once.
    pub public_token: String,
    pub expires: String,
}

impl EmbedTokenSchema {
    pub fn of(issued: &IssuedEmbedToken) -> Self {
        Self {
            public_token: issued.public_token.clone(),
            expires: timestamp(issued.expires_at),
        }
    }
}

/// `POST /embed/referrals/session`: the session the page uses as its bearer token.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmbedSessionSchema {
    /// `pst_…`, a partner session.
    pub session_token: String,
    pub expires_at: String,
}

impl EmbedSessionSchema {
    pub fn of(session: &EmbedSession) -> Self {
        Self {
            session_token: session.token.clone(),
            expires_at: timestamp(session.expires_at),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmbedProgramSchema {
    pub id: String,
    pub name: String,
    pub currency: Currency,
    /// Digits of the currency's minor unit (2 for `usd`, 0 for `jpy`).
    pub minor_digits: u8,
    pub logo_url: Option<String>,
    /// `#rrggbb`.
    pub theme_color: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmbedPartnerSchema {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmbedLinkSchema {
    pub id: String,
    pub short_link: String,
    pub url: String,
    pub clicks: i64,
    pub leads: i64,
    pub sales: i64,
    pub sale_amount: i64,
}

impl EmbedLinkSchema {
    fn of(link: &EmbedLink) -> Self {
        Self {
            id: link.id.clone(),
            short_link: link.short_link.clone(),
            url: link.url.clone(),
            clicks: link.stats.clicks,
            leads: link.stats.leads,
            sales: link.stats.sales,
            sale_amount: link.stats.sale_amount,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmbedRewardSchema {
    /// Null for the program's default sale rate (the group has no sale reward).
    pub id: Option<String>,
    pub event: RewardEvent,
    #[serde(rename = "type")]
    pub kind: RewardType,
    /// Minor units for a flat reward, percent for a percentage one (Dub's `amount`).
    pub amount: f64,
    /// Months a sale keeps earning: 0 the first only, null for the customer's lifetime.
    pub max_duration: Option<u32>,
    /// The reward in words, to show as it is.
    pub text: String,
    pub description: Option<String>,
    /// Markdown; the page renders it as text with links.
    pub tooltip: Option<String>,
}

impl EmbedRewardSchema {
    fn of(shown: &EmbedReward, default_rate: Percentage) -> Self {
        let Some(reward) = &shown.reward else {
            return Self {
                id: None,
                event: shown.event,
                kind: RewardType::Percentage,
                amount: f64::from(default_rate.basis_points()) / 100.0,
                max_duration: None,
                text: shown.text.clone(),
                description: None,
                tooltip: None,
            };
        };
        let amount = match (reward.amount_in_percentage, reward.amount_in_cents) {
            (Some(share), _) => f64::from(share.basis_points()) / 100.0,
            (None, Some(cents)) => cents as f64,
            (None, None) => 0.0,
        };
        Self {
            id: Some(reward.id.to_string()),
            event: reward.event,
            kind: reward.kind,
            amount,
            max_duration: reward.max_duration,
            text: shown.text.clone(),
            description: reward.description.clone(),
            tooltip: reward.tooltip.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmbedDiscountSchema {
    pub text: String,
}

/// Minor units of the program's currency.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmbedEarningsSchema {
    pub pending: i64,
    pub processed: i64,
    pub paid: i64,
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmbedPayoutSchema {
    pub id: String,
    pub amount: i64,
    pub status: PayoutStatus,
    pub created_at: String,
    pub paid_at: Option<String>,
}

/// `GET /v1/affiliate/embed`: everything the page shows but the chart and the commissions.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmbedSchema {
    pub program: EmbedProgramSchema,
    pub partner: EmbedPartnerSchema,
    pub links: Vec<EmbedLinkSchema>,
    pub rewards: Vec<EmbedRewardSchema>,
    pub discount: Option<EmbedDiscountSchema>,
    pub earnings: EmbedEarningsSchema,
    pub payouts: Vec<EmbedPayoutSchema>,
}

impl EmbedSchema {
    pub fn of(session: &PartnerSession, view: &EmbedView) -> Self {
        let program = &session.program;
        Self {
            program: EmbedProgramSchema {
                id: program.id.to_string(),
                name: program.name.clone(),
                currency: program.currency,
                minor_digits: program.currency.minor_digits(),
                logo_url: view.look.logo_url.clone(),
                theme_color: view.look.theme_color.clone(),
            },
            partner: EmbedPartnerSchema {
                id: session.partner.id.to_string(),
                name: session.partner.name.clone(),
            },
            links: view.links.iter().map(EmbedLinkSchema::of).collect(),
            rewards: view
                .rewards
                .iter()
                .map(|shown| EmbedRewardSchema::of(shown, program.settings.default_commission_rate))
                .collect(),
            discount: view
                .discount
                .as_ref()
                .map(|(_, text)| EmbedDiscountSchema { text: text.clone() }),
            earnings: EmbedEarningsSchema {
                pending: view.balances.pending,
                processed: view.balances.processed,
                paid: view.balances.paid,
                total: view.balances.total_earned,
            },
            payouts: view
                .payouts
                .iter()
                .map(|payout| EmbedPayoutSchema {
                    id: payout.id.to_string(),
                    amount: payout.amount,
                    status: payout.status,
                    created_at: timestamp(payout.created_at),
                    paid_at: payout.paid_at.map(timestamp),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReferredCustomerSchema {
    pub name: Option<String>,
    /// Masked: `j***@example.com`.
    pub email: Option<String>,
    pub country: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReferralCommissionSchema {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: CommissionType,
    /// The sale amount, minor units (0 for a lead).
    pub amount: i64,
    pub earnings: i64,
    pub currency: Currency,
    pub status: CommissionStatus,
    pub created_at: String,
    pub customer: Option<ReferredCustomerSchema>,
}

/// `GET /v1/affiliate/commissions`: a page, newest first, and the cursor of the next.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReferralCommissionsPage {
    pub commissions: Vec<ReferralCommissionSchema>,
    pub next_cursor: Option<String>,
}

impl ReferralCommissionsPage {
    pub fn of(rows: &[ReferralCommission], next_cursor: Option<String>) -> Self {
        let commissions = rows
            .iter()
            .map(|row| ReferralCommissionSchema {
                id: row.commission.id.to_string(),
                kind: row.commission.kind,
                amount: row.commission.amount,
                earnings: row.commission.earnings,
                currency: row.commission.currency,
                status: row.commission.status,
                created_at: timestamp(row.commission.created_at),
                customer: row
                    .customer
                    .as_ref()
                    .map(|customer| ReferredCustomerSchema {
                        name: customer.name.clone(),
                        email: customer.email.clone(),
                        country: customer.country.clone(),
                    }),
            })
            .collect();
        Self {
            commissions,
            next_cursor,
        }
    }
}
