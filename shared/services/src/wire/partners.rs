//! Dub's enrolled partner, as `GET /partners` lists it (seeds 002 and 003: every field with its
//! type and nullability) and as the partner management routes answer.

use super::timestamp;
use crate::model::{
    Application, ApplicationFormField, BanReason, FormFieldType, Link, NetworkStatus,
    PartnerStatus, PartnerTag, PayoutMethod, RewardEvent,
};
use crate::model::{DerivedMetrics, ListedPartner};
use crate::types::PartnerId;

/// A partner link with its stats (Dub's `links[]`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerLinkSchema {
    pub id: String,
    pub domain: String,
    pub key: String,
    pub short_link: String,
    pub url: String,
    pub clicks: i64,
    pub leads: i64,
    pub conversions: i64,
    pub sales: i64,
    pub sale_amount: i64,
}

impl PartnerLinkSchema {
    pub fn of(link: &Link) -> Self {
        Self {
            id: link.id.to_string(),
            domain: link.domain.clone(),
            key: link.key.clone(),
            short_link: format!("https://{}/{}", link.domain, link.key),
            url: link.url.to_string(),
            clicks: link.stats.clicks,
            leads: link.stats.leads,
            conversions: link.stats.conversions,
            sales: link.stats.sales,
            sale_amount: link.stats.sale_amount,
        }
    }
}

/// `referralFormData`: the program's questions in Dub's field shape, with this partner's
/// answers in `value`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct ReferralFormDataSchema {
    pub fields: Vec<ReferralFormFieldSchema>,
}

/// One question of the application form and the partner's answer.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct ReferralFormFieldSchema {
    pub key: String,
    pub label: String,
    pub required: bool,
    /// Dub locks its built-in fields; a program's own fields never are.
    pub locked: bool,
    pub position: usize,
    /// Dub's field type: `text`, `textarea`, `select` or `multiSelect`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The partner's answer as it was sent (null when not answered).
    pub value: serde_json::Value,
    /// The choices of a `select` or `multiSelect` field (absent for the others).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<FormOptionSchema>>,
    /// The limits of a text field, absent when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraints: Option<FormConstraintsSchema>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FormOptionSchema {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FormConstraintsSchema {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

/// Dub's application form field types for `referralFormData`.
fn dub_field_type(kind: FormFieldType) -> &'static str {
    match kind {
        FormFieldType::ShortText | FormFieldType::WebsiteAndSocials => "text",
        FormFieldType::LongText => "textarea",
        FormFieldType::Select => "select",
        FormFieldType::MultipleChoice => "multiSelect",
    }
}

impl ReferralFormDataSchema {
    pub fn of(fields: &[ApplicationFormField], application: &Application) -> Self {
        let fields = fields
            .iter()
            .enumerate()
            .map(|(position, field)| {
                let choices = matches!(
                    field.kind,
                    FormFieldType::Select | FormFieldType::MultipleChoice
                );
                let constraints = FormConstraintsSchema {
                    max_length: field.max_length,
                    pattern: field.pattern.clone(),
                };
                let limited = constraints.max_length.is_some() || constraints.pattern.is_some();
                ReferralFormFieldSchema {
                    key: field.key.clone(),
                    label: field.label.clone(),
                    required: field.required,
                    locked: false,
                    position,
                    kind: dub_field_type(field.kind),
                    value: application
                        .form_data
                        .get(&field.key)
                        .cloned()
                        .unwrap_or(serde_json::Value::Null),
                    options: choices.then(|| {
                        field
                            .options
                            .iter()
                            .map(|option| FormOptionSchema {
                                label: option.clone(),
                                value: option.clone(),
                            })
                            .collect()
                    }),
                    constraints: (!choices && limited).then_some(constraints),
                }
            })
            .collect();
        Self { fields }
    }
}

/// `application`: the review outcome.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationReviewSchema {
    /// One of Dub's four reasons: `needsMoreDetail`, `doesNotMeetRequirements`,
    /// `notTheRightFit`, `other`.
    pub rejection_reason: Option<String>,
    pub rejection_note: Option<String>,
    pub reviewed_at: Option<String>,
}

impl ApplicationReviewSchema {
    /// A StackBE free-text rejection reason is shown as `other`, with the text as the note
    /// (unless a note was given).
    pub fn of(application: &Application) -> Self {
        const DUB_REASONS: [&str; 4] = [
            "needsMoreDetail",
            "doesNotMeetRequirements",
            "notTheRightFit",
            "other",
        ];
        let (reason, note) = match application.rejection_reason.as_deref() {
            None => (None, application.rejection_note.clone()),
            Some(reason) if DUB_REASONS.contains(&reason) => {
                (Some(reason.to_owned()), application.rejection_note.clone())
            }
            Some(text) => (
                Some("other".to_owned()),
                application
                    .rejection_note
                    .clone()
                    .or_else(|| Some(text.to_owned())),
            ),
        };
        Self {
            rejection_reason: reason,
            rejection_note: note,
            reviewed_at: application.reviewed_at.map(timestamp),
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerSchema {
    pub id: String,
    pub name: String,
    pub username: Option<String>,
    pub email: Option<String>,
    pub image: Option<String>,
    pub country: Option<String>,
    pub company_name: Option<String>,
    pub network_status: NetworkStatus,
    pub default_payout_method: Option<PayoutMethod>,
    pub paypal_email: Option<String>,
    pub stripe_connect_id: Option<String>,
    pub payouts_enabled_at: Option<String>,
    pub identity_verified_at: Option<String>,
    pub trusted_at: Option<String>,
    pub program_id: String,
    /// Dub's enrollment has its own id; ours is the partner's, so both are the same.
    pub partner_id: String,
    pub tenant_id: Option<String>,
    pub created_at: String,
    pub status: PartnerStatus,
    pub links: Vec<PartnerLinkSchema>,
    pub total_commissions: i64,
    pub total_clicks: i64,
    pub total_leads: i64,
    pub total_conversions: i64,
    pub total_sales: i64,
    pub total_sale_amount: i64,
    pub description: Option<String>,
    pub group_id: Option<String>,
    pub click_reward_id: Option<String>,
    pub lead_reward_id: Option<String>,
    pub sale_reward_id: Option<String>,
    /// Referral rewards (partners referring partners) are not offered: always null.
    pub referral_reward_id: Option<String>,
    pub discount_id: Option<String>,
    pub application_id: Option<String>,
    pub banned_at: Option<String>,
    pub banned_reason: Option<BanReason>,
    /// Null for a partner that did not apply.
    pub referral_form_data: Option<ReferralFormDataSchema>,
    pub application: Option<ApplicationReviewSchema>,
    pub tags: Vec<PartnerTag>,
    #[serde(flatten)]
    pub metrics: DerivedMetrics,
    pub website: Option<String>,
    pub youtube: Option<String>,
    pub twitter: Option<String>,
    pub linkedin: Option<String>,
    pub instagram: Option<String>,
    pub tiktok: Option<String>,
}

impl PartnerSchema {
    /// `form_fields`: the program's application form, for `referralFormData`.
    pub fn of(listed: &ListedPartner, form_fields: &[ApplicationFormField]) -> Self {
        let ListedPartner {
            partner,
            links,
            group,
            application,
        } = listed;
        let reward = |event: RewardEvent| {
            group.as_ref().and_then(|group| {
                group
                    .rewards
                    .iter()
                    .find(|reward| reward.event == event)
                    .map(|reward| reward.id.to_string())
            })
        };
        let profile = &partner.profile;
        let totals = &partner.totals;
        Self {
            id: partner.id.to_string(),
            name: partner.name.clone(),
            username: profile.username.clone(),
            email: partner.email.as_ref().map(ToString::to_string),
            image: profile.image.clone(),
            country: partner.country.clone(),
            company_name: partner.company_name.clone(),
            network_status: profile.network_status,
            default_payout_method: profile.default_payout_method,
            paypal_email: profile.paypal_email.clone(),
            stripe_connect_id: profile.stripe_connect_id.clone(),
            payouts_enabled_at: profile.payouts_enabled_at.map(timestamp),
            identity_verified_at: profile.identity_verified_at.map(timestamp),
            trusted_at: profile.trusted_at.map(timestamp),
            program_id: partner.program_id.to_string(),
            partner_id: partner.id.to_string(),
            tenant_id: partner.tenant_id.clone(),
            created_at: timestamp(partner.created_at),
            status: partner.status,
            links: links.iter().map(PartnerLinkSchema::of).collect(),
            total_commissions: totals.total_commissions,
            total_clicks: totals.total_clicks,
            total_leads: totals.total_leads,
            total_conversions: totals.total_conversions,
            total_sales: totals.total_sales,
            total_sale_amount: totals.total_sale_amount,
            description: profile.description.clone(),
            group_id: Some(partner.group_id.to_string()),
            click_reward_id: reward(RewardEvent::Click),
            lead_reward_id: reward(RewardEvent::Lead),
            sale_reward_id: reward(RewardEvent::Sale),
            referral_reward_id: None,
            discount_id: group
                .as_ref()
                .and_then(|group| group.discount.as_ref())
                .map(|discount| discount.id.to_string()),
            application_id: partner.application_id.as_ref().map(ToString::to_string),
            banned_at: partner.banned_at.map(timestamp),
            banned_reason: partner.banned_reason,
            referral_form_data: application
                .as_ref()
                .map(|application| ReferralFormDataSchema::of(form_fields, application)),
            application: application.as_ref().map(ApplicationReviewSchema::of),
            tags: partner.tags.clone(),
            metrics: DerivedMetrics::of(totals),
            website: profile.website.clone(),
            youtube: profile.youtube.clone(),
            twitter: profile.twitter.clone(),
            linkedin: profile.linkedin.clone(),
            instagram: profile.instagram.clone(),
            tiktok: profile.tiktok.clone(),
        }
    }
}

/// Dub's answer to `POST /partners/ban` and `/partners/deactivate`: the partner's id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerIdSchema {
    pub partner_id: PartnerId,
}
