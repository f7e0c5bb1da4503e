use crate::types::{Currency, PartnerId, PayoutId, ProgramId};

use time::OffsetDateTime;

/// Dub's payout statuses, as far as a payout here goes through them: `pending` (made by a run,
/// waiting to be paid), `processing` (a rail is paying it), `completed` (confirmed paid),
/// `failed` (its commissions are payable again), `canceled` (likewise, before any payment).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum PayoutStatus {
    Pending,
    Processing,
    Completed,
    Failed,
    Canceled,
}

impl PayoutStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Processing => "processing",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
        }
    }

    /// Whether the payout still owes its amount (its commissions are neither paid nor free).
    pub fn is_open(&self) -> bool {
        matches!(self, Self::Pending | Self::Processing)
    }
}

/// How a payout reaches the partner. Every rail runs through the business's own accounts.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum PayoutRail {
    /// The business pays outside and confirms.
    #[default]
    Manual,
    /// A PayPal Payouts batch file the business uploads.
    Paypal,
    /// A Wise batch file the business uploads.
    Wise,
    /// A Stripe Connect transfer to the partner's connected account.
    Connect,
}

/// One partner's payable balance for a period: the processed commissions (clawbacks included)
/// a payout run claimed, net. Never negative.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payout {
    pub id: PayoutId,
    pub program_id: ProgramId,
    pub partner_id: PartnerId,
    /// The run (batch) that made it; Dub's `invoiceId` (one invoice per batch on Dub).
    pub run_id: String,
    /// Minor units of `currency`: the sum of its commissions' earnings.
    pub amount: i64,
    pub currency: Currency,
    pub commission_count: i64,
    pub status: PayoutStatus,
    pub rail: PayoutRail,
    pub description: Option<String>,
    /// The oldest of its commissions.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub period_start: Option<OffsetDateTime>,
    /// When the run took its commissions.
    #[serde(with = "time::serde::rfc3339")]
    pub period_end: OffsetDateTime,
    /// The business's reference of the payment (a bank transfer id, a PayPal batch id...).
    pub external_reference: Option<String>,
    pub failure_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub paid_at: Option<OffsetDateTime>,
    /// Whether its commissions follow its status yet (paid when completed, payable again when
    /// failed or canceled); see `payouts::settle`.
    pub settled: bool,
    pub version: u64,
}
