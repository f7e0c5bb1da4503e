//! Dub's program applications (`GET /program-applications`, the SDKs'
//! `program_applications.list`).
//!
//! Dub creates a partner record when someone applies; we create it on approval. A pending or
//! rejected applicant's `partner.id` is therefore the application's id (`pga_…`), and Dub's
//! approve and reject take it as `partnerId` (`applications::dub_approve`).

use super::affiliate::ApplicationRecordSchema;
use super::partner_records::PartnerWithLinksSchema;
use super::timestamp;
use crate::model::Approval;
use crate::model::{Application, ApplicationFormField, ApplicationStatus};

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProgramApplicationSchema {
    pub id: String,
    pub created_at: String,
    pub partner: ApplicationPartnerSchema,
    /// The application form's questions and answers, in the form's order.
    pub application_form_data: Option<Vec<FormAnswerSchema>>,
}

/// The applicant as Dub's `ListProgramApplicationsPartner` shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationPartnerSchema {
    pub id: String,
    pub name: String,
    pub company_name: Option<String>,
    pub email: Option<String>,
    pub image: Option<String>,
    pub country: Option<String>,
    /// The enrollment's status: `pending`, `approved` or `rejected`.
    pub status: ApplicationStatus,
    /// Dub's network profile status: an application is always `submitted` here.
    pub network_status: &'static str,
    pub default_payout_method: Option<String>,
    pub payouts_enabled_at: Option<String>,
    pub group_id: Option<String>,
    pub website: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct FormAnswerSchema {
    pub label: String,
    pub value: Option<String>,
}

/// An answer as text: lists joined with ", ", other values as JSON.
fn answer_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Array(items) => Some(
            items
                .iter()
                .filter_map(answer_text)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        other => Some(other.to_string()),
    }
}

/// The built-in questions of StackBE's apply, then the program's own fields.
fn form_data(application: &Application, fields: &[ApplicationFormField]) -> Vec<FormAnswerSchema> {
    let builtin = [
        ("Company", application.company.clone()),
        (
            "Website",
            application.website.as_ref().map(ToString::to_string),
        ),
        ("Why do you want to join?", application.reason.clone()),
    ];
    let own = fields.iter().map(|field| {
        let value = application.form_data.get(&field.key).and_then(answer_text);
        (field.label.as_str(), value)
    });
    builtin
        .into_iter()
        .chain(own)
        .map(|(label, value)| FormAnswerSchema {
            label: label.to_owned(),
            value,
        })
        .collect()
}

impl ProgramApplicationSchema {
    pub fn of(application: &Application, fields: &[ApplicationFormField]) -> Self {
        Self {
            id: application.id.to_string(),
            created_at: timestamp(application.created_at),
            partner: ApplicationPartnerSchema {
                id: application.id.to_string(),
                name: application.name.clone(),
                company_name: application.company.clone(),
                email: Some(application.email.to_string()),
                image: None,
                country: crate::model::applicant_country(application).map(str::to_owned),
                status: application.status,
                network_status: "submitted",
                default_payout_method: None,
                payouts_enabled_at: None,
                group_id: application.group_id.as_ref().map(ToString::to_string),
                website: application.website.as_ref().map(ToString::to_string),
            },
            application_form_data: Some(form_data(application, fields)),
        }
    }
}

/// Dub's approve answer, `{partnerId}`, with the enrolled partner and its links around it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApprovedPartnerSchema {
    #[serde(flatten)]
    pub enrolled: PartnerWithLinksSchema,
    pub partner_id: String,
}

impl ApprovedPartnerSchema {
    pub fn of(approval: &Approval) -> Self {
        Self {
            enrolled: PartnerWithLinksSchema::of(
                &approval.partner,
                std::slice::from_ref(&approval.link),
            ),
            partner_id: approval.partner.id.to_string(),
        }
    }
}

/// Dub's reject answer, `{partnerId}` (an applicant's partner id is its application's id),
/// with the rejected application around it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RejectedApplicationSchema {
    #[serde(flatten)]
    pub application: ApplicationRecordSchema,
    pub partner_id: String,
}

impl RejectedApplicationSchema {
    pub fn of(application: &Application) -> Self {
        Self {
            application: ApplicationRecordSchema::of(application),
            partner_id: application.id.to_string(),
        }
    }
}
