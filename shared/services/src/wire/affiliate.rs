//! StackBE's partner program shapes (`/v1/affiliate/*` and the admin application routes): the
//! apply answer, the status by email, the server-side partner check, application records and
//! review outcomes. StackBE's field names are kept, `customer_id` included where StackBE
//! writes it so.

use super::timestamp;
use crate::model::{
    Application, ApplicationStatus, ApplicationStatusView, Applied, Approval, EnrolledPartner,
    PartnerCheck, ReapplicationTimeframe,
};
use std::collections::BTreeMap;

/// `POST /v1/affiliate/apply`: `{id, status, message}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AppliedSchema {
    pub id: String,
    /// `pending`, or `approved` when the default group approves automatically.
    pub status: ApplicationStatus,
    pub message: String,
}

impl AppliedSchema {
    pub fn of(applied: &Applied) -> Self {
        Self {
            id: applied.id.to_string(),
            status: applied.status,
            message: applied.message.clone(),
        }
    }
}

/// `GET /v1/affiliate/apply/status`: `{applied:false}` or
/// `{applied:true, status, rejectionReason?}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationStatusSchema {
    pub applied: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ApplicationStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
}

impl ApplicationStatusSchema {
    pub fn of(status: &ApplicationStatusView) -> Self {
        Self {
            applied: status.applied,
            status: status.status,
            rejection_reason: status.rejection_reason.clone(),
        }
    }
}

/// A partner as StackBE's lookups show it (`GET /v1/affiliate`, the server-side check).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AffiliateSchema {
    pub id: String,
    /// The referral code.
    pub code: Option<String>,
    /// StackBE's partner type: always `affiliate`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `active` for an approved partner, else Dub's status name.
    pub status: String,
    /// In major units of the program's currency, as StackBE shows it.
    pub total_earned: f64,
    pub total_earned_in_minor_units: i64,
    pub customer_id: Option<String>,
    pub group_id: String,
    pub name: String,
    pub email: Option<String>,
}

impl AffiliateSchema {
    pub fn of(partner: &EnrolledPartner) -> Self {
        Self {
            id: partner.id.clone(),
            code: partner.code.clone(),
            kind: partner.kind.to_owned(),
            status: partner.status.clone(),
            total_earned: partner.total_earned,
            total_earned_in_minor_units: partner.total_earned_in_minor_units,
            customer_id: partner.customer_id.clone(),
            group_id: partner.group_id.clone(),
            name: partner.name.clone(),
            email: partner.email.clone(),
        }
    }
}

/// `GET /v1/affiliate/by-customer/{id}`: `{enrolled:false}` or `{enrolled:true, …partner}`.
/// Two shapes rather than one struct with a flattened `Option`, so that the schema says exactly
/// this: a bare `{enrolled}` closes its object, so the two never both match.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum PartnerCheckSchema {
    NotEnrolled(NotEnrolledSchema),
    Enrolled(Box<EnrolledSchema>),
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotEnrolledSchema {
    /// Always false.
    pub enrolled: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct EnrolledSchema {
    /// Always true.
    pub enrolled: bool,
    #[serde(flatten)]
    pub partner: AffiliateSchema,
}

impl PartnerCheckSchema {
    pub fn of(check: &PartnerCheck) -> Self {
        match (check.enrolled, check.partner.as_ref()) {
            (true, Some(partner)) => Self::Enrolled(Box::new(EnrolledSchema {
                enrolled: true,
                partner: AffiliateSchema::of(partner),
            })),
            _ => Self::NotEnrolled(NotEnrolledSchema { enrolled: false }),
        }
    }
}

/// An application as stored: StackBE's admin list, and Dub's reject answer.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationRecordSchema {
    pub id: String,
    pub program_id: String,
    pub email: String,
    pub name: String,
    pub company: Option<String>,
    pub website: Option<String>,
    pub reason: Option<String>,
    /// Answers to the program's own form fields, by field key.
    pub form_data: BTreeMap<String, serde_json::Value>,
    pub status: ApplicationStatus,
    pub group_id: Option<String>,
    pub rejection_reason: Option<String>,
    pub rejection_note: Option<String>,
    pub reapplication_timeframe: Option<ReapplicationTimeframe>,
    pub created_at: String,
    pub reviewed_at: Option<String>,
    /// The reviewer: an admin's subject, an API key's id, or `system`.
    pub reviewed_by: Option<String>,
    pub version: u64,
}

impl ApplicationRecordSchema {
    pub fn of(application: &Application) -> Self {
        Self {
            id: application.id.to_string(),
            program_id: application.program_id.to_string(),
            email: application.email.to_string(),
            name: application.name.clone(),
            company: application.company.clone(),
            website: application.website.as_ref().map(ToString::to_string),
            reason: application.reason.clone(),
            form_data: application.form_data.clone(),
            status: application.status,
            group_id: application.group_id.as_ref().map(ToString::to_string),
            rejection_reason: application.rejection_reason.clone(),
            rejection_note: application.rejection_note.clone(),
            reapplication_timeframe: application.reapplication_timeframe,
            created_at: timestamp(application.created_at),
            reviewed_at: application.reviewed_at.map(timestamp),
            reviewed_by: application.reviewed_by.clone(),
            version: application.version,
        }
    }
}

/// One page of StackBE's admin application list, newest first.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationRecordPageSchema {
    pub data: Vec<ApplicationRecordSchema>,
    pub next_cursor: Option<String>,
}

impl ApplicationRecordPageSchema {
    pub fn of(applications: &[Application], next_cursor: Option<String>) -> Self {
        Self {
            data: applications
                .iter()
                .map(ApplicationRecordSchema::of)
                .collect(),
            next_cursor,
        }
    }
}

/// The partner an approval enrolled, as StackBE's `partner_application_approved` names it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ApprovedAffiliateSchema {
    pub id: String,
    pub code: Option<String>,
    pub customer_id: Option<String>,
}

/// The review route's answer to an approval.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ApprovedReviewSchema {
    pub id: String,
    pub status: ApplicationStatus,
    pub affiliate: ApprovedAffiliateSchema,
}

impl ApprovedReviewSchema {
    pub fn of(approval: &Approval) -> Self {
        let partner = &approval.partner;
        Self {
            id: approval.application.id.to_string(),
            status: approval.application.status,
            affiliate: ApprovedAffiliateSchema {
                id: partner.id.to_string(),
                code: partner.referral_code.as_ref().map(ToString::to_string),
                customer_id: partner.customer_id.as_ref().map(ToString::to_string),
            },
        }
    }
}

/// The review route's answer to a rejection.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RejectedReviewSchema {
    pub id: String,
    pub status: ApplicationStatus,
    pub rejection_reason: Option<String>,
    pub reapplication_timeframe: Option<ReapplicationTimeframe>,
}

impl RejectedReviewSchema {
    pub fn of(application: &Application) -> Self {
        Self {
            id: application.id.to_string(),
            status: application.status,
            rejection_reason: application.rejection_reason.clone(),
            reapplication_timeframe: application.reapplication_timeframe,
        }
    }
}

/// `POST /v1/apps/{appId}/affiliates/applications/{id}/review`: one of the two outcomes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ReviewSchema {
    Approved(ApprovedReviewSchema),
    Rejected(RejectedReviewSchema),
}

/// The applicant as StackBE's `partner_application_approved` names it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ApprovedApplicantSchema {
    pub id: String,
    pub email: String,
    pub name: String,
}

/// The data of `partner_application_approved`: the application and the partner it enrolled.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ApplicationApprovedEventSchema {
    pub application: ApprovedApplicantSchema,
    pub affiliate: ApprovedAffiliateSchema,
}

impl ApplicationApprovedEventSchema {
    pub fn of(approval: &Approval) -> Self {
        let application = &approval.application;
        Self {
            application: ApprovedApplicantSchema {
                id: application.id.to_string(),
                email: application.email.to_string(),
                name: application.name.clone(),
            },
            affiliate: ApprovedReviewSchema::of(approval).affiliate,
        }
    }
}

/// The applicant as StackBE's `partner_application_rejected` names it, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RejectedApplicantSchema {
    pub id: String,
    pub email: String,
    pub name: String,
    pub reason: Option<String>,
}

/// The data of `partner_application_rejected`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ApplicationRejectedEventSchema {
    pub application: RejectedApplicantSchema,
}

impl ApplicationRejectedEventSchema {
    pub fn of(application: &Application) -> Self {
        Self {
            application: RejectedApplicantSchema {
                id: application.id.to_string(),
                email: application.email.to_string(),
                name: application.name.clone(),
                reason: application.rejection_reason.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_application_reads_as_its_record_did() {
        let application: Application = serde_json::from_value(json!({
            "id": "pga_1", "programId": "prog_1", "email": "jane@example.com", "name": "Jane",
            "company": "Acme", "website": "https://jane.example/", "reason": null,
            "formData": {"audience": "12000", "channels": ["blog"]},
            "status": "rejected", "groupId": null, "rejectionReason": "notTheRightFit",
            "rejectionNote": null, "reapplicationTimeframe": "never",
            "createdAt": "2026-01-01T00:00:00Z", "reviewedAt": "2026-01-02T00:00:00Z",
            "reviewedBy": "system", "version": 2
        }))
        .unwrap();
        assert_eq!(
            serde_json::to_string(&ApplicationRecordSchema::of(&application)).unwrap(),
            serde_json::to_string(&application).unwrap()
        );
    }

    #[test]
    fn a_check_without_a_partner_is_only_enrolled_false() {
        let check = PartnerCheckSchema::NotEnrolled(NotEnrolledSchema { enrolled: false });
        assert_eq!(
            serde_json::to_value(&check).unwrap(),
            json!({"enrolled": false})
        );
    }
}
