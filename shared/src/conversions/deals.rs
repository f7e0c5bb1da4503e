//! StackBE's deal registration: a partner claims a prospect by email before the prospect signs
//! up; a later lead with that email and no click goes to the partner (see `attribution`).
//!
//! The claim is one item per program and email, written only if absent, in the same
//! transaction as its `deal.registered` event: of two partners registering one email, the first
//! wins and the second gets 409, whatever the timing. The same partner registering the same
//! email again changes nothing and gets its deal back.
//!
//! Two callers may register: the business's backend on behalf of a partner it names, and a
//! partner in their own session (StackBE's SDK), who can only ever register for themselves.

use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::idempotency::{self, IdempotencyKey, Recorded};
use crate::layout;
use crate::model::EventName;
use crate::model::{Actor, Deal, Partner, PartnerStatus};
use crate::outbox;
use crate::partners;
use crate::programs::caller_program_id;
use crate::store::records::{from_json_item, json_item};
use crate::store::{Condition, Consistency, Item, ItemStore, Put, StoreError, TxOp, get_s, s};
use crate::types::{DealId, Email, PartnerId, ProgramId};
use crate::wire::tracking::DealSchema;

const MAX_LEAD_NAME: usize = 190;
const MAX_NOTES: usize = 5_000;
/// The claim's attribute naming its partner, read by attribution without parsing the body.
const PARTNER: &str = "partnerId";

/// StackBE's `registerDeal` body, plus the partner it is registered for: the business's
/// backend calls on behalf of one of its partners, named by id or by the business's tenant id;
/// a partner in their own session may omit both (or name only themselves).
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterDealRequest {
    pub lead_email: Email,
    pub lead_name: String,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub partner_id: Option<PartnerId>,
    #[serde(default)]
    pub tenant_id: Option<String>,
}

/// Who registers a deal.
#[derive(Debug, Clone)]
pub enum DealRegistrant {
    /// The business's backend (a key with `conversions.write`, or an admin), for the partner
    /// the request names.
    Program(Principal),
    /// A partner signed in with their session (`portal::authenticate_partner`), for themselves
    /// in their own program.
    Partner(Box<Partner>),
}

impl DealRegistrant {
    fn actor(&self) -> Actor {
        match self {
            DealRegistrant::Program(principal) => principal.actor(),
            DealRegistrant::Partner(partner) => Actor::Partner {
                partner_id: partner.id.to_string(),
            },
        }
    }
}

/// The outcome: the deal as the API shows it (stored with a request's idempotency key, so
/// built here), and whether this request registered it.
#[derive(Debug, Clone, PartialEq)]
pub struct DealRegistration {
    pub deal: Recorded<DealSchema>,
    pub created: bool,
}

fn text(name: &str, value: Option<String>, max: usize) -> Result<Option<String>, DomainError> {
    let Some(value) = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(DomainError::Unprocessable(format!(
            "`{name}` must have at most {max} characters."
        )));
    }
    Ok(Some(value))
}

/// The partner named by the request: exactly one of `partnerId` and `tenantId`.
async fn named_partner(
    store: &dyn ItemStore,
    program: &ProgramId,
    partner_id: Option<&PartnerId>,
    tenant_id: Option<&str>,
) -> Result<Partner, DomainError> {
    let found = match (partner_id, tenant_id) {
        (Some(id), None) => partners::find_partner(store, program, id).await?,
        (None, Some(tenant)) => partners::find_by_tenant(store, program, tenant).await?,
        _ => {
            return Err(DomainError::Unprocessable(
                "Name the partner with exactly one of `partnerId` and `tenantId`.".into(),
            ));
        }
    };
    found.ok_or_else(|| DomainError::not_found("Partner"))
}

/// A partner may name a partner in the body only to name themselves: 403 for anyone else, so
/// a session never registers for another partner.
fn names_only_self(
    partner: &Partner,
    partner_id: Option<&PartnerId>,
    tenant_id: Option<&str>,
) -> Result<(), DomainError> {
    let other_id = partner_id.is_some_and(|id| *id != partner.id);
    let other_tenant = tenant_id.is_some_and(|tenant| partner.tenant_id.as_deref() != Some(tenant));
    if other_id || other_tenant {
        return Err(DomainError::Forbidden(
            "A partner session registers deals only for its own partner.".into(),
        ));
    }
    Ok(())
}

/// Registers a deal: for a partner of the caller's program (`conversions.write`), or for the
/// signed-in partner.
pub async fn register_deal(
    ctx: &AppContext,
    registrant: &DealRegistrant,
    request: RegisterDealRequest,
    key: Option<IdempotencyKey>,
) -> Result<DealRegistration, DomainError> {
    let tenant = request.tenant_id.as_deref().map(str::trim);
    let (program, key) = program_and_key(registrant, &request, tenant, key)?;
    let lead_name = text("leadName", Some(request.lead_name), MAX_LEAD_NAME)?
        .ok_or_else(|| DomainError::Unprocessable("`leadName` is required.".into()))?;
    let notes = text("notes", request.notes, MAX_NOTES)?;
    let store = ctx.store.as_ref();
    let now = ctx.clock.now();
    if let Some(key) = &key
        && let Some(stored) = idempotency::replay(store, &program, key, now).await?
    {
        return Ok(DealRegistration {
            deal: Recorded::Stored(stored),
            created: true,
        });
    }
    let partner = match registrant {
        DealRegistrant::Program(_) => {
            named_partner(store, &program, request.partner_id.as_ref(), tenant).await?
        }
        // Read fresh by the session's authentication, which refuses unapproved partners.
        DealRegistrant::Partner(partner) => partner.as_ref().clone(),
    };
    if partner.status != PartnerStatus::Approved {
        return Err(DomainError::Unprocessable(
            "Only approved partners can register deals.".into(),
        ));
    }
    let deal = Deal {
        id: DealId::generate(ctx.ids.as_ref()),
        program_id: program.clone(),
        partner_id: partner.id,
        lead_email: request.lead_email,
        lead_name,
        notes,
        created_at: now,
    };
    commit_deal(ctx, registrant, deal, key.as_ref()).await
}

/// The program a registrant registers in, and its idempotency key: a partner's keys are
/// scoped to the partner, since partners of one program pick keys independently.
fn program_and_key(
    registrant: &DealRegistrant,
    request: &RegisterDealRequest,
    tenant: Option<&str>,
    key: Option<IdempotencyKey>,
) -> Result<(ProgramId, Option<IdempotencyKey>), DomainError> {
    match registrant {
        DealRegistrant::Program(principal) => {
            let program = caller_program_id(principal, Scope::ConversionsWrite)?;
            Ok((program, key))
        }
        DealRegistrant::Partner(partner) => {
            names_only_self(partner, request.partner_id.as_ref(), tenant)?;
            let key = key.map(|key| key.scoped(partner.id.as_str()));
            Ok((partner.program_id.clone(), key))
        }
    }
}

/// Writes the deal's claim and `deal.registered` in one transaction. A failed claim is a deal
/// already registered for the email: the same partner's comes back unchanged, another's is 409.
async fn commit_deal(
    ctx: &AppContext,
    registrant: &DealRegistrant,
    deal: Deal,
    key: Option<&IdempotencyKey>,
) -> Result<DealRegistration, DomainError> {
    let store = ctx.store.as_ref();
    let program = &deal.program_id;
    let now = deal.created_at;
    let body = DealSchema::of(&deal);
    let mut ops = Vec::new();
    let key_index = key.map(|key| {
        ops.push(idempotency::record(program, key, &body, now));
        ops.len() - 1
    });
    let claim_index = ops.len();
    ops.push(claim(&deal)?);
    let data = serde_json::to_value(&body).map_err(StoreError::engine)?;
    let event = outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        program,
        EventName::DealRegistered,
        registrant.actor(),
        data,
    );
    ops.push(outbox::record(&event)?);
    let retry = || DomainError::Conflict("Retry the request.".into());
    match store.transact(ops).await {
        Ok(()) => Ok(DealRegistration {
            deal: Recorded::Built(body),
            created: true,
        }),
        Err(error) if key_index.is_some() && error.failed_condition_index() == key_index => {
            let key = key.expect("an index means a key");
            let stored = idempotency::replay(store, program, key, now)
                .await?
                .ok_or_else(retry)?;
            Ok(DealRegistration {
                deal: Recorded::Stored(stored),
                created: true,
            })
        }
        Err(error) if error.failed_condition_index() == Some(claim_index) => {
            let first = find_deal(store, program, &deal.lead_email, Consistency::Strong)
                .await?
                .ok_or_else(retry)?;
            if first.partner_id != deal.partner_id {
                return Err(DomainError::Conflict(
                    "A deal for this email is already registered by another partner.".into(),
                ));
            }
            Ok(DealRegistration {
                deal: Recorded::Built(DealSchema::of(&first)),
                created: false,
            })
        }
        Err(error) => Err(error.into()),
    }
}

/// The deal's claim: written only if no deal holds the email.
fn claim(deal: &Deal) -> Result<TxOp, StoreError> {
    let mut item = json_item(
        &layout::deal_claim(&deal.program_id, &deal.lead_email),
        deal,
        1,
    )?;
    item.insert(PARTNER.into(), s(deal.partner_id.as_str()));
    Ok(TxOp::Put(Put {
        item,
        condition: Some(Condition::NotExists),
    }))
}

/// The deal registered for `email` in `program`, if any.
pub async fn find_deal(
    store: &dyn ItemStore,
    program: &ProgramId,
    email: &Email,
    consistency: Consistency,
) -> Result<Option<Deal>, StoreError> {
    store
        .get(&layout::deal_claim(program, email), consistency)
        .await?
        .as_ref()
        .map(from_json_item)
        .transpose()
}

/// The partner of a deal claim's item.
pub fn deal_partner(item: &Item) -> Option<PartnerId> {
    get_s(item, PARTNER).and_then(|id| PartnerId::parse(id).ok())
}
