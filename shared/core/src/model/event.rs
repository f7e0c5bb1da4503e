use crate::types::{EventId, ProgramId};
use time::OffsetDateTime;

/// Who caused a change, for the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Actor {
    /// An admin, by the JWT's subject.
    Admin { subject: String },
    /// A program API key, by key id.
    ApiKey { key_id: String },
    /// A partner, by partner id.
    Partner { partner_id: String },
    /// The system itself (scheduled jobs, automatic moves).
    System,
}

/// Something that happened, recorded in the same transaction as the change that caused it.
/// It is both the audit record and the source of webhook events (`{id, event, createdAt, data}`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainEvent {
    pub id: EventId,
    /// The event, e.g. `lead.created` or `partner_application_approved` on the wire.
    pub event: super::EventName,
    pub program_id: ProgramId,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub actor: Actor,
    pub data: serde_json::Value,
}

impl DomainEvent {
    /// The webhook envelope: `{id, event, createdAt, data}`.
    pub fn envelope(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "event": self.event,
            "createdAt": self.created_at.format(&time::format_description::well_known::Rfc3339).expect("a UTC time formats"),
            "data": self.data,
        })
    }

    /// The events-queue message: the envelope plus the program, which fan-out needs to find
    /// the program's endpoints.
    pub fn queue_message(&self) -> serde_json::Value {
        let mut message = self.envelope();
        message["programId"] = serde_json::json!(self.program_id);
        message
    }
}
