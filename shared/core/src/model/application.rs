use super::{Link, Partner};
use crate::types::{ApplicationId, Email, GroupId, ProgramId, WebUrl};
use std::collections::BTreeMap;
use time::OffsetDateTime;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ApplicationStatus {
    Pending,
    Approved,
    Rejected,
}

/// When a rejected applicant may apply again.
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
pub enum ReapplicationTimeframe {
    Instant,
    /// 30 days after the rejection.
    #[default]
    Standard,
    Never,
}

/// An application to join a program (StackBE's public apply; Dub's program application).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub id: ApplicationId,
    pub program_id: ProgramId,
    pub email: Email,
    pub name: String,
    pub company: Option<String>,
    pub website: Option<WebUrl>,
    pub reason: Option<String>,
    /// Answers to the program's own form fields, by field key.
    #[serde(default)]
    pub form_data: BTreeMap<String, serde_json::Value>,
    pub status: ApplicationStatus,
    pub group_id: Option<GroupId>,
    pub rejection_reason: Option<String>,
    pub rejection_note: Option<String>,
    pub reapplication_timeframe: Option<ReapplicationTimeframe>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub reviewed_at: Option<OffsetDateTime>,
    pub reviewed_by: Option<String>,
    pub version: u64,
}

/// StackBE's apply response: `{id, status, message}` (`wire::affiliate::AppliedSchema`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub id: ApplicationId,
    pub status: ApplicationStatus,
    pub message: String,
}

/// The records an approval created.
#[derive(Debug, Clone)]
pub struct Approval {
    pub application: Application,
    pub partner: Partner,
    pub link: Link,
}

/// StackBE's server-side partner check: `{enrolled:false}` or the partner's summary
/// (`wire::affiliate::PartnerCheckSchema`).
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerCheck {
    pub enrolled: bool,
    pub partner: Option<EnrolledPartner>,
}

/// A partner in StackBE's terms (`wire::affiliate::AffiliateSchema`).
#[derive(Debug, Clone, PartialEq)]
pub struct EnrolledPartner {
    pub id: String,
    pub code: Option<String>,
    /// StackBE's partner type; every enrollment here is an affiliate.
    pub kind: &'static str,
    /// StackBE's vocabulary: `active` for an approved partner, else Dub's status name.
    pub status: String,
    /// In major units of the program's currency, as StackBE shows it.
    pub total_earned: f64,
    pub total_earned_in_minor_units: i64,
    pub customer_id: Option<String>,
    pub group_id: String,
    pub name: String,
    pub email: Option<String>,
}

/// StackBE's `{applied:false}` or `{applied:true, status, rejectionReason?}`
/// (`wire::affiliate::ApplicationStatusSchema`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationStatusView {
    pub applied: bool,
    pub status: Option<ApplicationStatus>,
    pub rejection_reason: Option<String>,
}

/// The applicant's country: the answer to the program's form field `country`, if it asked.
pub fn applicant_country(application: &Application) -> Option<&str> {
    application.form_data.get("country")?.as_str()
}
