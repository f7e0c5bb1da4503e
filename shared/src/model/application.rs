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
