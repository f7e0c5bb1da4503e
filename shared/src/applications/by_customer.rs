use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::EnrolledPartner;
use crate::model::PartnerCheck;
use crate::model::{Partner, PartnerStatus};
use crate::partners;
use crate::programs;
use crate::programs::caller_program_id;
use crate::types::CustomerId;

fn stackbe_status(status: PartnerStatus) -> String {
    match status {
        PartnerStatus::Approved => "active".into(),
        other => serde_json::to_value(other)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default(),
    }
}

/// A partner as StackBE's lookups show it (also the partner portal's `GET /v1/affiliate`).
pub fn enrolled_partner(partner: Partner, minor_digits: u8) -> EnrolledPartner {
    let earned = partner.totals.total_commissions;
    EnrolledPartner {
        id: partner.id.to_string(),
        code: partner.referral_code.map(|code| code.to_string()),
        kind: "affiliate",
        status: stackbe_status(partner.status),
        total_earned: earned as f64 / 10f64.powi(minor_digits as i32),
        total_earned_in_minor_units: earned,
        customer_id: partner.customer_id.map(|id| id.to_string()),
        group_id: partner.group_id.to_string(),
        name: partner.name,
        email: partner.email.map(|email| email.to_string()),
    }
}

/// `GET /v1/affiliate/by-customer/:id`: needs `partners.read` (a server-side key).
pub async fn partner_by_customer(
    ctx: &AppContext,
    principal: &Principal,
    customer_id: &str,
) -> Result<PartnerCheck, DomainError> {
    let program_id = caller_program_id(principal, Scope::PartnersRead)?;
    let program =
        programs::authorized_program(ctx, principal, program_id.as_str(), Scope::PartnersRead)
            .await?;
    let found = match CustomerId::parse(customer_id) {
        Ok(id) => partners::find_by_customer(ctx.store.as_ref(), &program.id, &id).await?,
        Err(_) => None,
    };
    Ok(PartnerCheck {
        enrolled: found.is_some(),
        partner: found.map(|partner| enrolled_partner(partner, program.currency.minor_digits())),
    })
}
