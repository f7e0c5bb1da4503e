//! A partner as `GET /partners` shows it: every field of Dub's response (seeds 002 and 003),
//! with its type and nullability.

use super::metrics::DerivedMetrics;
use crate::model::{
    Application, ApplicationFormField, BanReason, FormFieldType, Link, NetworkStatus, Partner,
    PartnerGroup, PartnerStatus, PartnerTag, PayoutMethod, RewardEvent,
};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn date(value: Option<OffsetDateTime>) -> Option<String> {
    value.and_then(|value| value.format(&Rfc3339).ok())
}

/// A partner link with its stats (Dub's `links[]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkView {
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

impl LinkView {
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

/// Dub's application form field types for `referralFormData`.
fn dub_field_type(kind: FormFieldType) -> &'static str {
    match kind {
        FormFieldType::ShortText | FormFieldType::WebsiteAndSocials => "text",
        FormFieldType::LongText => "textarea",
        FormFieldType::Select => "select",
        FormFieldType::MultipleChoice => "multiSelect",
    }
}

/// `referralFormData`: the program's questions (Dub's field shape) with this partner's answers
/// in `value`.
fn referral_form_data(
    fields: &[ApplicationFormField],
    application: &Application,
) -> serde_json::Value {
    let fields: Vec<serde_json::Value> = fields
        .iter()
        .enumerate()
        .map(|(position, field)| {
            let mut value = serde_json::json!({
                "key": field.key,
                "label": field.label,
                "required": field.required,
                "locked": false,
                "position": position,
                "type": dub_field_type(field.kind),
                "value": application.form_data.get(&field.key).cloned().unwrap_or(serde_json::Value::Null),
            });
            match field.kind {
                FormFieldType::Select | FormFieldType::MultipleChoice => {
                    value["options"] = field
                        .options
                        .iter()
                        .map(|option| serde_json::json!({"label": option, "value": option}))
                        .collect();
                }
                _ => {
                    let mut constraints = serde_json::Map::new();
                    if let Some(max) = field.max_length {
                        constraints.insert("maxLength".into(), max.into());
                    }
                    if let Some(pattern) = &field.pattern {
                        constraints.insert("pattern".into(), pattern.clone().into());
                    }
                    if !constraints.is_empty() {
                        value["constraints"] = constraints.into();
                    }
                }
            }
            value
        })
        .collect();
    serde_json::json!({ "fields": fields })
}

/// `application`: the review outcome. Dub's `rejectionReason` is one of its four values; a
/// StackBE free-text reason is shown as `other` with the text as the note.
fn application_view(application: &Application) -> serde_json::Value {
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
    serde_json::json!({
        "rejectionReason": reason,
        "rejectionNote": note,
        "reviewedAt": date(application.reviewed_at),
    })
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerView {
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
    pub partner_id: String,
    pub tenant_id: Option<String>,
    pub created_at: String,
    pub status: PartnerStatus,
    pub links: Vec<LinkView>,
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
    pub referral_reward_id: Option<String>,
    pub discount_id: Option<String>,
    pub application_id: Option<String>,
    pub banned_at: Option<String>,
    pub banned_reason: Option<BanReason>,
    pub referral_form_data: Option<serde_json::Value>,
    pub application: Option<serde_json::Value>,
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

impl PartnerView {
    /// The view of `partner`, with its links, its group (for the reward and discount ids) and
    /// its application (with the program's form fields) when it applied.
    pub fn build(
        partner: &Partner,
        links: &[Link],
        group: Option<&PartnerGroup>,
        application: Option<&Application>,
        form_fields: &[ApplicationFormField],
    ) -> Self {
        let reward = |event: RewardEvent| {
            group.and_then(|group| {
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
            payouts_enabled_at: date(profile.payouts_enabled_at),
            identity_verified_at: date(profile.identity_verified_at),
            trusted_at: date(profile.trusted_at),
            program_id: partner.program_id.to_string(),
            partner_id: partner.id.to_string(),
            tenant_id: partner.tenant_id.clone(),
            created_at: date(Some(partner.created_at)).unwrap_or_default(),
            status: partner.status,
            links: links.iter().map(LinkView::of).collect(),
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
            // Referral rewards (partners referring partners) are not offered.
            referral_reward_id: None,
            discount_id: group
                .and_then(|group| group.discount.as_ref())
                .map(|discount| discount.id.to_string()),
            application_id: partner.application_id.as_ref().map(ToString::to_string),
            banned_at: date(partner.banned_at),
            banned_reason: partner.banned_reason,
            referral_form_data: application
                .map(|application| referral_form_data(form_fields, application)),
            application: application.map(application_view),
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
