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

impl PayoutRail {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Paypal => "paypal",
            Self::Wise => "wise",
            Self::Connect => "connect",
        }
    }
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
    /// When a rail started paying it (a Stripe transfer was asked for).
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub initiated_at: Option<OffsetDateTime>,
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

/// When the scheduled job runs a program's payouts. Days are UTC dates; a month's day is at most
/// 28, so that every month has it.
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
#[serde(tag = "frequency", rename_all = "lowercase")]
pub enum PayoutSchedule {
    /// Runs only when the business asks (`POST /programs/{id}/payouts/run`).
    #[default]
    Manual,
    Weekly {
        weekday: ScheduleWeekday,
    },
    Monthly {
        day: u8,
    },
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ScheduleWeekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl ScheduleWeekday {
    fn of(weekday: time::Weekday) -> Self {
        use time::Weekday::*;
        match weekday {
            Monday => Self::Monday,
            Tuesday => Self::Tuesday,
            Wednesday => Self::Wednesday,
            Thursday => Self::Thursday,
            Friday => Self::Friday,
            Saturday => Self::Saturday,
            Sunday => Self::Sunday,
        }
    }
}

impl PayoutSchedule {
    /// Whether a run is due `today`, when the last scheduled run was on `last_run` (a run
    /// happens at most once a day; a day the job could not run is not made up).
    pub fn is_due(&self, today: time::Date, last_run: Option<time::Date>) -> bool {
        let scheduled_today = match self {
            Self::Manual => false,
            Self::Weekly { weekday } => ScheduleWeekday::of(today.weekday()) == *weekday,
            Self::Monthly { day } => today.day() == *day,
        };
        scheduled_today && last_run != Some(today)
    }

    /// A monthly day must be from 1 to 28.
    pub fn check(&self) -> Result<(), String> {
        match self {
            Self::Monthly { day } if !(1..=28).contains(day) => {
                Err("`payoutSchedule.day` must be from 1 to 28.".into())
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_schedule_is_due_once_on_its_day() {
        let friday = date!(2026 - 12 - 04);
        let weekly = PayoutSchedule::Weekly {
            weekday: ScheduleWeekday::Friday,
        };
        assert!(weekly.is_due(friday, None));
        assert!(weekly.is_due(friday, Some(date!(2026 - 11 - 27))));
        assert!(!weekly.is_due(friday, Some(friday)));
        assert!(!weekly.is_due(date!(2026 - 12 - 05), None));
        let monthly = PayoutSchedule::Monthly { day: 4 };
        assert!(monthly.is_due(friday, None));
        assert!(!monthly.is_due(date!(2026 - 12 - 03), None));
        assert!(!PayoutSchedule::Manual.is_due(friday, None));
        assert!(PayoutSchedule::Monthly { day: 29 }.check().is_err());
        assert!(PayoutSchedule::Monthly { day: 0 }.check().is_err());
        assert!(PayoutSchedule::Monthly { day: 28 }.check().is_ok());
    }
}
