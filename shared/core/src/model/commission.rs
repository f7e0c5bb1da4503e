use crate::model::Customer;
use crate::model::CustomerActivity;
use crate::model::Partner;
use crate::types::{
    CommissionId, Currency, CustomerId, GroupId, LeadId, LinkId, PartnerId, PayoutId, ProgramId,
    RewardId, SaleId,
};
use time::OffsetDateTime;

/// Dub's commission statuses.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum CommissionStatus {
    Pending,
    Processed,
    Paid,
    Refunded,
    Duplicate,
    Fraud,
    Canceled,
    Hold,
}

impl CommissionStatus {
    /// Statuses that count towards a partner's `totalCommissions`.
    pub fn counts_towards_totals(&self) -> bool {
        matches!(self, Self::Pending | Self::Processed | Self::Paid)
    }

    /// Statuses a commission has before it is paid out (a refund marks it refunded rather
    /// than clawing it back).
    pub fn is_unpaid(&self) -> bool {
        matches!(self, Self::Pending | Self::Processed | Self::Hold)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Processed => "processed",
            Self::Paid => "paid",
            Self::Refunded => "refunded",
            Self::Duplicate => "duplicate",
            Self::Fraud => "fraud",
            Self::Canceled => "canceled",
            Self::Hold => "hold",
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum CommissionType {
    Click,
    Lead,
    Sale,
    Custom,
}

/// What a partner earned for one event, in minor units of `currency`. Clawbacks (type
/// `custom`) have negative earnings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Commission {
    pub id: CommissionId,
    pub program_id: ProgramId,
    pub partner_id: PartnerId,
    /// The partner's group when the commission was made (whose reward and holding period apply).
    pub group_id: GroupId,
    pub customer_id: Option<CustomerId>,
    #[serde(rename = "type")]
    pub kind: CommissionType,
    /// The sale amount the commission was computed from (zero for leads).
    pub amount: i64,
    pub earnings: i64,
    pub currency: Currency,
    pub quantity: i64,
    pub status: CommissionStatus,
    pub reward_id: Option<RewardId>,
    pub invoice_id: Option<String>,
    pub description: Option<String>,
    pub lead_id: Option<LeadId>,
    pub sale_id: Option<SaleId>,
    pub link_id: Option<LinkId>,
    /// The commission a clawback reverses.
    pub clawback_of: Option<CommissionId>,
    /// The last note given with a manual change.
    pub note: Option<String>,
    /// The payout that pays (or paid) it, once a payout run claimed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payout_id: Option<PayoutId>,
    /// When a pending commission becomes processed (the group's holding period).
    #[serde(with = "time::serde::rfc3339")]
    pub holds_until: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub paid_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub version: u64,
}

impl Commission {
    /// What this commission adds to its partner's `totalCommissions`: its earnings while its
    /// status counts, and nothing when its figures are out of range (a record an earlier
    /// version accepted without bounds is left out of every total).
    pub fn counted_earnings(&self) -> i64 {
        if self.status.counts_towards_totals() && self.in_range() {
            self.earnings
        } else {
            0
        }
    }

    /// Whether the amount and earnings are within ±`MAX_AMOUNT`.
    pub fn in_range(&self) -> bool {
        let limit = crate::types::MAX_AMOUNT.unsigned_abs();
        self.earnings.unsigned_abs() <= limit && self.amount.unsigned_abs() <= limit
    }
}

/// A commission with its partner and customer, as far as they can be read.
#[derive(Debug, Clone, PartialEq)]
pub struct CommissionWithParties {
    pub commission: Commission,
    pub partner: Option<Partner>,
    pub customer: Option<(Customer, CustomerActivity)>,
}
