use crate::types::{Currency, Percentage, ProgramId};
use time::OffsetDateTime;

/// A business's partner program: the scope of every other record.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Program {
    pub id: ProgramId,
    pub name: String,
    /// The domain that serves the program's short links, e.g. `go.acme.com`.
    pub domain: String,
    pub currency: Currency,
    pub settings: ProgramSettings,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Optimistic-locking version, bumped by every change.
    pub version: u64,
}

/// Program settings, with StackBE's defaults (seed 004).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProgramSettings {
    /// Commission on referred revenue when a group has no sale reward.
    #[serde(default = "defaults::commission_rate")]
    #[schema(value_type = f64)]
    pub default_commission_rate: Percentage,
    /// Days before a pending commission becomes payable.
    #[serde(default = "defaults::holding_period_days")]
    pub holding_period_days: u32,
    /// Minimum payable balance, in minor units of the program's currency.
    #[serde(default = "defaults::min_payout_amount")]
    pub min_payout_amount: i64,
    /// How payouts of the program are paid (`manual` by default: the business pays outside and
    /// confirms each payout).
    #[serde(default)]
    pub payout_rail: super::PayoutRail,
    /// When the scheduled job runs the program's payouts (`manual` by default: never).
    #[serde(default)]
    pub payout_schedule: super::PayoutSchedule,
    /// How long a click can be credited with a lead (the cookie's lifetime).
    #[serde(default = "defaults::attribution_window_days")]
    pub attribution_window_days: u32,
    /// The query parameter that carries the click id on destination URLs. `dub_id` by default so
    /// that pages already integrated with Dub's client script keep working.
    #[serde(default = "defaults::click_id_param")]
    pub click_id_param: String,
    /// The program's own questions on the application form (Dub's `referralFormData`); left
    /// out when there are none, so programs without a form read as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub application_form_fields: Vec<ApplicationFormField>,
    /// Dub's `allowedHostnames`: pages on these hosts (`example.com` or `*.example.com`) may
    /// call `POST /track/click` without a publishable key. Left out when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_hostnames: Vec<String>,
    /// Origins (`https://app.example.com`) whose pages may frame the embedded referral
    /// dashboard (its `Content-Security-Policy: frame-ancestors`); none frame it when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub embed_allowed_origins: Vec<String>,
    /// The embedded dashboard's accent colour, `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embed_theme_color: Option<String>,
    /// The logo the embedded dashboard shows, an `https` URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embed_logo_url: Option<String>,
}

/// Dub's application form field types.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum FormFieldType {
    ShortText,
    LongText,
    Select,
    MultipleChoice,
    WebsiteAndSocials,
}

/// One question of a program's application form; answers go in `formData[key]`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApplicationFormField {
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: FormFieldType,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// A regular expression every answer must match as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// The choices of `select` and `multiple-choice` fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

impl Default for ProgramSettings {
    fn default() -> Self {
        Self {
            default_commission_rate: defaults::commission_rate(),
            holding_period_days: defaults::holding_period_days(),
            min_payout_amount: defaults::min_payout_amount(),
            payout_rail: Default::default(),
            payout_schedule: Default::default(),
            attribution_window_days: defaults::attribution_window_days(),
            click_id_param: defaults::click_id_param(),
            application_form_fields: Vec::new(),
            allowed_hostnames: Vec::new(),
            embed_allowed_origins: Vec::new(),
            embed_theme_color: None,
            embed_logo_url: None,
        }
    }
}

mod defaults {
    use crate::types::Percentage;

    pub fn commission_rate() -> Percentage {
        Percentage::from_basis_points(2_000).expect("20% is a valid percentage")
    }
    pub fn holding_period_days() -> u32 {
        30
    }
    pub fn min_payout_amount() -> i64 {
        5_000
    }
    pub fn attribution_window_days() -> u32 {
        30
    }
    pub fn click_id_param() -> String {
        "dub_id".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_stackbes() {
        let settings = ProgramSettings::default();
        assert_eq!(settings.default_commission_rate.basis_points(), 2_000);
        assert_eq!(settings.holding_period_days, 30);
        assert_eq!(settings.min_payout_amount, 5_000);
        assert_eq!(settings.attribution_window_days, 30);
    }

    #[test]
    fn missing_settings_take_defaults() {
        let settings: ProgramSettings =
            serde_json::from_str(r#"{"holdingPeriodDays": 7}"#).unwrap();
        assert_eq!(settings.holding_period_days, 7);
        assert_eq!(settings.attribution_window_days, 30);
    }
}
