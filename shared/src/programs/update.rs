use super::settings::{
    check_form_fields, parse_allowed_hostnames, parse_logo_url, parse_origins, parse_theme_color,
};
use super::{authorized_program, repo};
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::EventName;
use crate::model::{ApplicationFormField, HOLDING_PERIODS, Program, ProgramSettings};
use crate::outbox;
use crate::types::Percentage;
use crate::wire::event_data;
use crate::wire::programs::ProgramSchema;

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateProgram {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub settings: Option<SettingsPatch>,
    /// When given, the version the caller read: a different current version is 409.
    #[serde(default)]
    pub version: Option<u64>,
}

/// Only the given settings change.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsPatch {
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    pub default_commission_rate: Option<Percentage>,
    #[serde(default)]
    pub holding_period_days: Option<u32>,
    #[serde(default)]
    pub min_payout_amount: Option<i64>,
    /// How the program's payouts are paid: `manual`, `paypal`, `wise` or `connect`.
    #[serde(default)]
    pub payout_rail: Option<crate::model::PayoutRail>,
    /// When the scheduled job runs payouts: manual, weekly on a weekday, monthly on a day.
    #[serde(default)]
    pub payout_schedule: Option<crate::model::PayoutSchedule>,
    #[serde(default)]
    pub attribution_window_days: Option<u32>,
    #[serde(default)]
    pub click_id_param: Option<String>,
    /// Replaces the program's application questions as a whole.
    #[serde(default)]
    pub application_form_fields: Option<Vec<ApplicationFormField>>,
    /// Replaces the hostnames allowed to track clicks client-side without a key.
    #[serde(default)]
    pub allowed_hostnames: Option<Vec<String>>,
    /// Replaces the origins that may frame the embedded referral dashboard.
    #[serde(default)]
    pub embed_allowed_origins: Option<Vec<String>>,
    /// `#rrggbb`; null removes it.
    #[serde(default, deserialize_with = "crate::types::present")]
    pub embed_theme_color: Option<Option<String>>,
    /// An `https` URL; null removes it.
    #[serde(default, deserialize_with = "crate::types::present")]
    pub embed_logo_url: Option<Option<String>>,
}

fn unprocessable(message: &str) -> DomainError {
    DomainError::Unprocessable(message.into())
}

fn apply(settings: &mut ProgramSettings, patch: SettingsPatch) -> Result<(), DomainError> {
    if let Some(rate) = patch.default_commission_rate {
        settings.default_commission_rate = rate;
    }
    if let Some(days) = patch.holding_period_days {
        if !HOLDING_PERIODS.contains(&days) {
            return Err(unprocessable(
                "`settings.holdingPeriodDays` must be one of 0, 7, 14, 30, 60, 90.",
            ));
        }
        settings.holding_period_days = days;
    }
    if let Some(amount) = patch.min_payout_amount {
        if !crate::types::amount_in_range(amount) {
            return Err(DomainError::Unprocessable(format!(
                "`settings.minPayoutAmount` must be from 0 to {}.",
                crate::types::MAX_AMOUNT
            )));
        }
        settings.min_payout_amount = amount;
    }
    if let Some(rail) = patch.payout_rail {
        settings.payout_rail = rail;
    }
    if let Some(schedule) = patch.payout_schedule {
        schedule.check().map_err(DomainError::Unprocessable)?;
        settings.payout_schedule = schedule;
    }
    if let Some(days) = patch.attribution_window_days {
        if !(1..=365).contains(&days) {
            return Err(unprocessable(
                "`settings.attributionWindowDays` must be from 1 to 365.",
            ));
        }
        settings.attribution_window_days = days;
    }
    if let Some(param) = patch.click_id_param {
        let valid = (1..=64).contains(&param.len())
            && param
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid {
            return Err(unprocessable(
                "`settings.clickIdParam` must be 1 to 64 letters, digits, `_` or `-`.",
            ));
        }
        settings.click_id_param = param;
    }
    if let Some(hostnames) = patch.allowed_hostnames {
        settings.allowed_hostnames =
            parse_allowed_hostnames(&hostnames).map_err(DomainError::Unprocessable)?;
    }
    if let Some(origins) = patch.embed_allowed_origins {
        settings.embed_allowed_origins =
            parse_origins(&origins).map_err(DomainError::Unprocessable)?;
    }
    if let Some(color) = patch.embed_theme_color {
        settings.embed_theme_color = color
            .map(|color| parse_theme_color(&color))
            .transpose()
            .map_err(DomainError::Unprocessable)?;
    }
    if let Some(logo) = patch.embed_logo_url {
        settings.embed_logo_url = logo
            .map(|logo| parse_logo_url(&logo))
            .transpose()
            .map_err(DomainError::Unprocessable)?;
    }
    if let Some(fields) = patch.application_form_fields {
        check_form_fields(&fields)?;
        settings.application_form_fields = fields;
    }
    Ok(())
}

/// Changes a program's name and settings, checked against the version read.
pub async fn update_program(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    request: UpdateProgram,
) -> Result<Program, DomainError> {
    let read = authorized_program(ctx, principal, program_id, Scope::ProgramsWrite).await?;
    if request
        .version
        .is_some_and(|version| version != read.version)
    {
        return Err(DomainError::Conflict(
            "The program changed since that version; read it again and retry.".into(),
        ));
    }
    let mut program = read.clone();
    if let Some(name) = &request.name {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 190 {
            return Err(unprocessable("`name` must have 1 to 190 characters."));
        }
        program.name = name.to_owned();
    }
    if let Some(patch) = request.settings {
        apply(&mut program.settings, patch)?;
    }
    if program == read {
        return Ok(program);
    }
    program.version += 1;
    program.updated_at = ctx.clock.now();
    let event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &program.id,
        EventName::ProgramUpdated,
        principal.actor(),
        event_data(&ProgramSchema::of(&program)),
    );
    let ops = vec![
        repo::replace(&program, read.version)?,
        outbox::record(&event)?,
    ];
    let written = ctx.store.transact(ops).await;
    ctx.config.forget_program(&program.id);
    match written {
        Ok(()) => Ok(program),
        Err(error) if error.failed_condition_index() == Some(0) => Err(DomainError::Conflict(
            "The program changed while this request ran; read it again and retry.".into(),
        )),
        Err(error) => Err(error.into()),
    }
}
