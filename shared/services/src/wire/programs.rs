//! Programs, their settings and API keys, and the repair of a partner's counters, as
//! program-admin answers them. Dub has no schema for these: the fields are ours, in Dub's
//! camelCase.

use super::timestamp;
use crate::auth::ApiKeyView;
use crate::model::RepairReport;
use crate::model::{ApplicationFormField, FormFieldType, Program, ProgramSettings};
use crate::types::Percentage;

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProgramSchema {
    pub id: String,
    pub name: String,
    /// The domain that serves the program's short links.
    pub domain: String,
    /// ISO 4217, lower case.
    pub currency: String,
    pub settings: ProgramSettingsSchema,
    pub created_at: String,
    pub updated_at: String,
    /// Bumped by every change; `PATCH` takes it back to refuse a stale write.
    pub version: u64,
}

/// StackBE's program settings, plus the application form and the hostnames allowed to track
/// clicks without a key (both left out when empty).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProgramSettingsSchema {
    /// Percent, up to two decimals.
    #[schema(value_type = f64)]
    pub default_commission_rate: Percentage,
    pub holding_period_days: u32,
    /// Minor units of the program's currency.
    pub min_payout_amount: i64,
    /// How payouts are paid: `manual`, `paypal`, `wise` or `connect`.
    pub payout_rail: crate::model::PayoutRail,
    /// `{"frequency": "manual"}`, `{"frequency": "weekly", "weekday": "friday"}` or
    /// `{"frequency": "monthly", "day": 1}` (1 to 28).
    pub payout_schedule: crate::model::PayoutSchedule,
    pub attribution_window_days: u32,
    pub click_id_param: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub application_form_fields: Vec<FormFieldSchema>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_hostnames: Vec<String>,
}

/// One question of the program's application form.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FormFieldSchema {
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: FormFieldType,
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

impl ProgramSchema {
    pub fn of(program: &Program) -> Self {
        Self {
            id: program.id.to_string(),
            name: program.name.clone(),
            domain: program.domain.clone(),
            currency: program.currency.code().to_owned(),
            settings: ProgramSettingsSchema::of(&program.settings),
            created_at: timestamp(program.created_at),
            updated_at: timestamp(program.updated_at),
            version: program.version,
        }
    }
}

impl ProgramSettingsSchema {
    pub fn of(settings: &ProgramSettings) -> Self {
        Self {
            default_commission_rate: settings.default_commission_rate,
            holding_period_days: settings.holding_period_days,
            min_payout_amount: settings.min_payout_amount,
            payout_rail: settings.payout_rail,
            payout_schedule: settings.payout_schedule,
            attribution_window_days: settings.attribution_window_days,
            click_id_param: settings.click_id_param.clone(),
            application_form_fields: settings
                .application_form_fields
                .iter()
                .map(FormFieldSchema::of)
                .collect(),
            allowed_hostnames: settings.allowed_hostnames.clone(),
        }
    }
}

impl FormFieldSchema {
    pub fn of(field: &ApplicationFormField) -> Self {
        Self {
            key: field.key.clone(),
            label: field.label.clone(),
            kind: field.kind,
            required: field.required,
            max_length: field.max_length,
            pattern: field.pattern.clone(),
            options: field.options.clone(),
        }
    }
}

/// An API key: never its hash; the secret (`key`) only in the answer that creates it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeySchema {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The key's first characters, to tell keys apart.
    pub partial_key: String,
    pub scopes: Vec<crate::auth::Scope>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

impl ApiKeySchema {
    pub fn of(key: &ApiKeyView) -> Self {
        Self {
            id: key.id.to_string(),
            name: key.name.clone(),
            key: key.key.clone(),
            partial_key: key.partial_key.clone(),
            scopes: key.scopes.clone(),
            created_at: timestamp(key.created_at),
            expires_at: key.expires_at.map(timestamp),
            revoked_at: key.revoked_at.map(timestamp),
            last_used_at: key.last_used_at.map(timestamp),
        }
    }
}

/// One page of a program's API keys.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyPageSchema {
    pub data: Vec<ApiKeySchema>,
    pub next_cursor: Option<String>,
}

impl ApiKeyPageSchema {
    pub fn of(keys: &[ApiKeyView], next_cursor: Option<String>) -> Self {
        Self {
            data: keys.iter().map(ApiKeySchema::of).collect(),
            next_cursor,
        }
    }
}

/// The data of `api_key.revoked`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ApiKeyRevokedEventSchema {
    pub id: String,
}

/// What `recompute-totals` changed: the partner's counters, its links', and the records it
/// left out of every total.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RepairReportSchema {
    pub partner: RecordRepairSchema,
    pub links: Vec<RecordRepairSchema>,
    pub excluded: Vec<ExcludedSchema>,
}

/// The changed counters of one record (a partner or a link).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordRepairSchema {
    pub id: String,
    pub changes: Vec<CounterChangeSchema>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CounterChangeSchema {
    pub counter: String,
    /// The stored value as it was (`null` when absent); text, as it may not have been a number.
    pub before: Option<String>,
    pub after: i64,
}

/// A record left out of every total, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExcludedSchema {
    pub id: String,
    pub reason: String,
}

impl RepairReportSchema {
    pub fn of(report: &RepairReport) -> Self {
        // The report's parts are named only inside `partners`, so they are read in place.
        macro_rules! changes {
            ($record:expr) => {
                $record
                    .changes
                    .iter()
                    .map(|change| CounterChangeSchema {
                        counter: change.counter.to_owned(),
                        before: change.before.clone(),
                        after: change.after,
                    })
                    .collect()
            };
        }
        Self {
            partner: RecordRepairSchema {
                id: report.partner.id.clone(),
                changes: changes!(report.partner),
            },
            links: report
                .links
                .iter()
                .map(|link| RecordRepairSchema {
                    id: link.id.clone(),
                    changes: changes!(link),
                })
                .collect(),
            excluded: report
                .excluded
                .iter()
                .map(|excluded| ExcludedSchema {
                    id: excluded.id.clone(),
                    reason: excluded.reason.clone(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_program_reads_as_its_record_did() {
        let with_form = json!({
            "id": "prog_1", "name": "Acme", "domain": "go.acme.com", "currency": "eur",
            "settings": {
                "defaultCommissionRate": 12.5, "holdingPeriodDays": 7, "minPayoutAmount": 1000,
                "attributionWindowDays": 60, "clickIdParam": "ref",
                "applicationFormFields": [
                    {"key": "audience", "label": "Audience", "type": "short-text", "required": true,
                     "maxLength": 6, "pattern": "[0-9]+"},
                    {"key": "channels", "label": "Channels", "type": "multiple-choice",
                     "required": false, "options": ["blog"]}
                ],
                "allowedHostnames": ["*.acme.com"]
            },
            "createdAt": "2026-01-02T03:04:05Z", "updatedAt": "2026-01-02T03:04:05.5Z", "version": 2
        });
        let plain = json!({
            "id": "prog_2", "name": "Plain", "domain": "go.plain.com", "currency": "usd",
            "settings": {},
            "createdAt": "2026-01-02T03:04:05Z", "updatedAt": "2026-01-02T03:04:05Z", "version": 1
        });
        for record in [with_form, plain] {
            let program: Program = serde_json::from_value(record).unwrap();
            assert_eq!(
                serde_json::to_string(&ProgramSchema::of(&program)).unwrap(),
                serde_json::to_string(&program).unwrap()
            );
        }
    }
}
