//! A partner sets where they are paid, in their own session: `PATCH
//! /v1/affiliate/payout-settings` with `paypalEmail`, `stripeConnectId` and
//! `defaultPayoutMethod` (Dub's partner fields; `null` clears one, an absent field is left).
//! The partner record changes under its version, with `partner.payout_settings_updated` in the
//! audit trail. `payoutsEnabledAt` is set the first time a payout destination is given.

use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::EventName;
use crate::model::{Actor, Partner, PayoutMethod};
use crate::outbox;
use crate::partners::replace_partner;
use crate::portal::PartnerSession;
use crate::store::StoreError;
use crate::types::Email;

const MAX_ACCOUNT_ID: usize = 255;

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PayoutSettingsRequest {
    #[serde(default, deserialize_with = "crate::types::present")]
    #[schema(value_type = Option<String>)]
    pub paypal_email: Option<Option<String>>,
    /// The partner's Stripe connected account, `acct_...`.
    #[serde(default, deserialize_with = "crate::types::present")]
    #[schema(value_type = Option<String>)]
    pub stripe_connect_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::types::present")]
    #[schema(value_type = Option<PayoutMethod>)]
    pub default_payout_method: Option<Option<PayoutMethod>>,
}

/// The partner's payout settings as the session shows them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PayoutSettingsSchema {
    pub paypal_email: Option<String>,
    pub stripe_connect_id: Option<String>,
    pub default_payout_method: Option<PayoutMethod>,
    pub payouts_enabled_at: Option<String>,
}

impl PayoutSettingsSchema {
    pub fn of(partner: &Partner) -> Self {
        let profile = &partner.profile;
        Self {
            paypal_email: profile.paypal_email.clone(),
            stripe_connect_id: profile.stripe_connect_id.clone(),
            default_payout_method: profile.default_payout_method,
            payouts_enabled_at: profile.payouts_enabled_at.map(crate::wire::timestamp),
        }
    }
}

fn unprocessable(message: &str) -> DomainError {
    DomainError::Unprocessable(message.into())
}

/// The settings after the request. Pure.
fn changed(
    partner: &Partner,
    request: PayoutSettingsRequest,
    now: time::OffsetDateTime,
) -> Result<Partner, DomainError> {
    let mut next = partner.clone();
    if let Some(email) = request.paypal_email {
        next.profile.paypal_email = email
            .map(|email| Email::parse(&email).map(|email| email.as_str().to_owned()))
            .transpose()
            .map_err(|_| unprocessable("`paypalEmail` must be an email address."))?;
    }
    if let Some(account) = request.stripe_connect_id {
        let valid = |id: &String| {
            id.starts_with("acct_")
                && id.len() <= MAX_ACCOUNT_ID
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        };
        if account.as_ref().is_some_and(|id| !valid(id)) {
            return Err(unprocessable(
                "`stripeConnectId` must be a Stripe account id (`acct_...`).",
            ));
        }
        next.profile.stripe_connect_id = account;
    }
    if let Some(method) = request.default_payout_method {
        next.profile.default_payout_method = method;
    }
    let has_destination =
        next.profile.paypal_email.is_some() || next.profile.stripe_connect_id.is_some();
    if has_destination && next.profile.payouts_enabled_at.is_none() {
        next.profile.payouts_enabled_at = Some(now);
    }
    Ok(next)
}

pub async fn update_payout_settings(
    ctx: &AppContext,
    session: &PartnerSession,
    request: PayoutSettingsRequest,
) -> Result<Partner, DomainError> {
    let partner = &session.partner;
    let mut next = changed(partner, request, ctx.clock.now())?;
    if next == *partner {
        return Ok(next);
    }
    next.version = partner.version + 1;
    let data = serde_json::to_value(PayoutSettingsSchema::of(&next)).map_err(StoreError::engine)?;
    let actor = Actor::Partner {
        partner_id: partner.id.to_string(),
    };
    let event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &partner.program_id,
        EventName::PartnerPayoutSettingsUpdated,
        actor,
        data,
    );
    let ops = vec![
        replace_partner(&next, partner.version)?,
        outbox::record(&event)?,
    ];
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(next),
        Err(error) if error.is_condition_failure() => Err(DomainError::Conflict(
            "Your partner record changed while this request ran; read it again and retry.".into(),
        )),
        Err(error) => Err(error.into()),
    }
}
