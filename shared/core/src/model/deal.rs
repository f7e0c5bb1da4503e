use crate::types::{DealId, Email, PartnerId, ProgramId};
use time::OffsetDateTime;

/// StackBE's deal registration: a partner claims a prospect by email before the prospect signs
/// up. A lead with that email and no click is attributed to the partner. One deal per email
/// and program: the first registration wins.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deal {
    pub id: DealId,
    pub program_id: ProgramId,
    pub partner_id: PartnerId,
    pub lead_email: Email,
    pub lead_name: String,
    pub notes: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}
