//! `POST /partners` (Dub's create partner): enrolls a partner directly, approved, in the chosen
//! or the `default` group, with its referral code and default link, in one transaction. A
//! partner already enrolled with the same tenant id or email is returned as it is (Dub upserts).

mod seed;
pub use seed::{PartnerSeed, seed_writes};

use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::groups;
use crate::links::{default_referral_link, insert_link};
use crate::model::EventName;
use crate::model::{Actor, DEFAULT_GROUP_SLUG, Link, Partner, PartnerGroup, PartnerProfile};
use crate::outbox;
use crate::partners::{
    PartnerWrite, find_by_email, find_by_tenant, generate_referral_code, insert_partner,
};
use crate::programs::caller_program;
use crate::store::{ItemStore, StoreError, TxOp};
use crate::types::{Email, GroupId, PartnerId, ProgramId, ReferralCode, WebUrl};
use time::OffsetDateTime;

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

/// Enrolls a partner: read whether it is already enrolled and its group, decide the partner and
/// its default link, write them in one transaction; a generated referral code that is taken is
/// replaced by the next candidate.
pub async fn create_partner(
    ctx: &AppContext,
    principal: &Principal,
    request: CreatePartner,
) -> Result<Created, DomainError> {
    let program = caller_program(ctx, principal, Scope::PartnersWrite).await?;
    let fields = PartnerFields::check(&request)?;
    let store = ctx.store.as_ref();
    if let Some(partner) = already_enrolled(store, &program.id, &fields).await? {
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
    for attempt in 0..CODE_ATTEMPTS {
        let code = match &chosen_code {
            Some(code) => code.clone(),
            None => generate_referral_code(&fields.name, attempt, ctx.random.as_ref()),
        };
        let now = ctx.clock.now();
        let id = PartnerId::generate(ctx.ids.as_ref());
        let link = default_referral_link(&program, &id, &code, ctx.ids.as_ref(), now)?;
        let partner = new_partner(&request, &fields, &group, id, code.clone(), &link, now);
        match enroll(ctx, principal.actor(), &group, &partner, &link).await? {
            Enrolled::Done => {
                return Ok(Created {
                    partner,
                    created: true,
                });
            }
            Enrolled::CodeTaken if chosen_code.is_some() => {
                return Err(DomainError::Conflict(format!(
                    "The username `{code}` is already taken as a referral code."
                )));
            }
            Enrolled::CodeTaken => {}
        }
    }
    Err(DomainError::Conflict(
        "No free referral code was found; choose one with `username`.".into(),
    ))
}

/// The request's checked fields.
struct PartnerFields {
    email: Email,
    /// The name, else the email's local part.
    name: String,
    tenant_id: Option<String>,
    country: Option<String>,
}

impl PartnerFields {
    fn check(request: &CreatePartner) -> Result<Self, DomainError> {
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
        Ok(Self {
            email,
            name,
            tenant_id,
            country,
        })
    }
}

/// The partner already enrolled with the tenant id or, else, the email (Dub upserts).
async fn already_enrolled(
    store: &dyn ItemStore,
    program: &ProgramId,
    fields: &PartnerFields,
) -> Result<Option<Partner>, DomainError> {
    if let Some(tenant) = &fields.tenant_id
        && let Some(partner) = find_by_tenant(store, program, tenant).await?
    {
        return Ok(Some(partner));
    }
    Ok(find_by_email(store, program, &fields.email).await?)
}

/// The approved partner with its referral code and default link. Pure.
fn new_partner(
    request: &CreatePartner,
    fields: &PartnerFields,
    group: &PartnerGroup,
    id: PartnerId,
    code: ReferralCode,
    link: &Link,
    now: OffsetDateTime,
) -> Partner {
    Partner {
        tenant_id: fields.tenant_id.clone(),
        email: Some(fields.email.clone()),
        company_name: request.company_name.clone(),
        country: fields.country.clone(),
        referral_code: Some(code),
        default_link_id: Some(link.id.clone()),
        profile: PartnerProfile {
            username: request.username.clone(),
            image: request.image.clone(),
            description: request.description.clone(),
            website: request.website.as_ref().map(ToString::to_string),
            ..Default::default()
        },
        ..Partner::approved(id, (&group.program_id, &group.id), fields.name.clone(), now)
    }
}

/// What an enrollment's transaction came to.
enum Enrolled {
    Done,
    /// The referral code (or its link key) is another partner's.
    CodeTaken,
}

/// The partner with its unique claims, its link with its key, the group as read and
/// `partner.enrolled`, in one transaction.
async fn enroll(
    ctx: &AppContext,
    actor: Actor,
    group: &PartnerGroup,
    partner: &Partner,
    link: &Link,
) -> Result<Enrolled, DomainError> {
    let mut enrolled = serde_json::to_value(partner).map_err(StoreError::engine)?;
    enrolled["links"] = serde_json::json!([link]);
    let event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &partner.program_id,
        EventName::PartnerEnrolled,
        actor,
        enrolled,
    );
    let (writes, mut ops): (Vec<Option<PartnerWrite>>, Vec<TxOp>) = insert_partner(partner)?
        .into_iter()
        .map(|(write, op)| (Some(write), op))
        .unzip();
    let [link_op, key_op] = insert_link(link)?;
    ops.extend([
        link_op,
        key_op,
        groups::group_unchanged(group),
        outbox::record(&event)?,
    ]);
    ops.extend(crate::links::repo::destination_entries(None, Some(link)));
    let error = match ctx.store.transact(ops).await {
        Ok(()) => return Ok(Enrolled::Done),
        Err(error) => error,
    };
    let Some(index) = error.failed_condition_index() else {
        return Err(error.into());
    };
    match writes.get(index) {
        Some(Some(PartnerWrite::ReferralCode)) => Ok(Enrolled::CodeTaken),
        Some(Some(PartnerWrite::Email | PartnerWrite::Tenant)) => Err(DomainError::Conflict(
            "A partner with this email or tenant id was enrolled meanwhile; retry.".into(),
        )),
        Some(_) => Err(error.into()),
        // The link key claim (index after the partner's writes + 1).
        None if index == writes.len() + 1 => Ok(Enrolled::CodeTaken),
        // The group.
        None => Err(DomainError::Conflict(
            "The group changed while this request ran; retry.".into(),
        )),
    }
}
