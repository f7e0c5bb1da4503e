//! `POST /partners` (Dub's create partner): enrolls a partner directly, approved, in the chosen
//! or the `default` group, with its referral code and default link, in one transaction. A
//! partner already enrolled with the same tenant id or email is returned as it is (Dub upserts).

use super::listing::caller_program;
use super::{
    PartnerWrite, default_referral_link, find_by_email, find_by_tenant, generate_referral_code,
    insert_link, insert_partner,
};
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::groups;
use crate::model::{
    DEFAULT_GROUP_SLUG, Partner, PartnerGroup, PartnerProfile, PartnerStatus, PartnerTotals,
};
use crate::outbox;
use crate::store::TxOp;
use crate::types::{Email, GroupId, PartnerId, ReferralCode, WebUrl};

/// Tries of generated codes: three readable, then wide ones (`generate_referral_code`).
const CODE_ATTEMPTS: u32 = 8;
const MAX_NAME: usize = 190;
const MAX_DESCRIPTION: usize = 5000;

/// Dub's body. `linkProps` is accepted for compatibility; the partner's link is its default
/// referral link (key = the referral code).
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatePartner {
    pub email: String,
    pub name: Option<String>,
    /// Also the referral code (and link key) when it is a valid code.
    pub username: Option<String>,
    pub image: Option<String>,
    pub tenant_id: Option<String>,
    pub group_id: Option<GroupId>,
    pub country: Option<String>,
    pub description: Option<String>,
    pub company_name: Option<String>,
    pub website: Option<WebUrl>,
    pub link_props: Option<serde_json::Value>,
}

/// Whether the partner was enrolled now or already was.
pub struct Created {
    pub partner: Partner,
    pub created: bool,
}

fn check_length(name: &str, value: Option<&str>, max: usize) -> Result<(), DomainError> {
    match value {
        Some(value) if value.chars().count() > max => Err(DomainError::Unprocessable(format!(
            "`{name}` is longer than {max} characters."
        ))),
        _ => Ok(()),
    }
}

fn country(value: Option<&str>) -> Result<Option<String>, DomainError> {
    value
        .map(|code| {
            let upper = code.trim().to_ascii_uppercase();
            if upper.len() == 2 && upper.bytes().all(|b| b.is_ascii_uppercase()) {
                Ok(upper)
            } else {
                Err(DomainError::Unprocessable(
                    "`country` must be an ISO 3166-1 alpha-2 code.".into(),
                ))
            }
        })
        .transpose()
}

pub async fn create_partner(
    ctx: &AppContext,
    principal: &Principal,
    request: CreatePartner,
) -> Result<Created, DomainError> {
    let program = caller_program(ctx, principal, Scope::PartnersWrite).await?;
    let email = Email::parse(&request.email)?;
    check_length("name", request.name.as_deref(), MAX_NAME)?;
    check_length("companyName", request.company_name.as_deref(), MAX_NAME)?;
    check_length(
        "description",
        request.description.as_deref(),
        MAX_DESCRIPTION,
    )?;
    check_length("tenantId", request.tenant_id.as_deref(), MAX_NAME)?;
    let country = country(request.country.as_deref())?;
    let tenant_id = request.tenant_id.clone().filter(|t| !t.trim().is_empty());
    let store = ctx.store.as_ref();
    if let Some(tenant) = &tenant_id
        && let Some(partner) = find_by_tenant(store, &program.id, tenant).await?
    {
        return Ok(Created {
            partner,
            created: false,
        });
    }
    if let Some(partner) = find_by_email(store, &program.id, &email).await? {
        return Ok(Created {
            partner,
            created: false,
        });
    }
    let group: PartnerGroup = match &request.group_id {
        Some(id) => groups::find_group(store, &program.id, id).await?,
        None => groups::find_group_by_slug(store, &program.id, DEFAULT_GROUP_SLUG).await?,
    }
    .ok_or_else(|| DomainError::not_found("Group"))?;
    let chosen_code = request
        .username
        .as_deref()
        .map(ReferralCode::parse)
        .transpose()?;
    let name = request
        .name
        .clone()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| {
            email
                .as_str()
                .split('@')
                .next()
                .unwrap_or_default()
                .to_owned()
        });
    for attempt in 0..CODE_ATTEMPTS {
        let code = match &chosen_code {
            Some(code) => code.clone(),
            None => generate_referral_code(&name, attempt, ctx.random.as_ref()),
        };
        let now = ctx.clock.now();
        let id = PartnerId::generate(ctx.ids.as_ref());
        let link = default_referral_link(&program, &id, &code, ctx.ids.as_ref(), now)?;
        let partner = Partner {
            id,
            program_id: program.id.clone(),
            tenant_id: tenant_id.clone(),
            name: name.clone(),
            email: Some(email.clone()),
            company_name: request.company_name.clone(),
            country: country.clone(),
            group_id: group.id.clone(),
            status: PartnerStatus::Approved,
            referral_code: Some(code.clone()),
            application_id: None,
            customer_id: None,
            default_link_id: Some(link.id.clone()),
            banned_at: None,
            banned_reason: None,
            exclude_from_moves: false,
            profile: PartnerProfile {
                username: request.username.clone(),
                image: request.image.clone(),
                description: request.description.clone(),
                website: request.website.as_ref().map(ToString::to_string),
                ..Default::default()
            },
            tags: Vec::new(),
            totals: PartnerTotals::default(),
            created_at: now,
            version: 1,
        };
        let mut enrolled =
            serde_json::to_value(&partner).map_err(crate::store::StoreError::engine)?;
        enrolled["links"] = serde_json::json!([link]);
        let event = outbox::new_event(
            ctx.ids.as_ref(),
            ctx.clock.as_ref(),
            &program.id,
            "partner.enrolled",
            principal.actor(),
            enrolled,
        );
        let (writes, mut ops): (Vec<Option<PartnerWrite>>, Vec<TxOp>) = insert_partner(&partner)?
            .into_iter()
            .map(|(write, op)| (Some(write), op))
            .unzip();
        let [link_op, key_op] = insert_link(&link)?;
        ops.extend([
            link_op,
            key_op,
            groups::group_unchanged(&group),
            outbox::record(&event)?,
        ]);
        ops.extend(crate::links::repo::destination_entries(None, Some(&link)));
        let error = match ctx.store.transact(ops).await {
            Ok(()) => {
                return Ok(Created {
                    partner,
                    created: true,
                });
            }
            Err(error) => error,
        };
        let Some(index) = error.failed_condition_index() else {
            return Err(error.into());
        };
        let code_taken = match writes.get(index) {
            Some(Some(PartnerWrite::ReferralCode)) => true,
            Some(Some(PartnerWrite::Email | PartnerWrite::Tenant)) => {
                return Err(DomainError::Conflict(
                    "A partner with this email or tenant id was enrolled meanwhile; retry.".into(),
                ));
            }
            Some(_) => return Err(error.into()),
            // The link key claim (index after the partner's writes + 1) or the group.
            None => index == writes.len() + 1,
        };
        if !code_taken {
            return Err(DomainError::Conflict(
                "The group changed while this request ran; retry.".into(),
            ));
        }
        if chosen_code.is_some() {
            return Err(DomainError::Conflict(format!(
                "The username `{code}` is already taken as a referral code."
            )));
        }
    }
    Err(DomainError::Conflict(
        "No free referral code was found; choose one with `username`.".into(),
    ))
}
