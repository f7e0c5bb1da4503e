use crate::types::{CommissionId, CustomerId, Money, PartnerId, ProgramId, RewardId};
use time::OffsetDateTime;

/// Dub's commission statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommissionType {
    Click,
    Lead,
    Sale,
    Custom,
}

/// What a partner earned for one event. Clawbacks have negative earnings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Commission {
    pub id: CommissionId,
    pub program_id: ProgramId,
    pub partner_id: PartnerId,
    pub customer_id: Option<CustomerId>,
    #[serde(rename = "type")]
    pub kind: CommissionType,
    /// The sale amount the commission was computed from (zero for leads and clicks).
    pub amount: Money,
    pub earnings: Money,
    pub quantity: i64,
    pub status: CommissionStatus,
    pub reward_id: Option<RewardId>,
    pub invoice_id: Option<String>,
    pub description: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}
