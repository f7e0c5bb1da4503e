//! Dub's discount codes: `POST /discount-codes`, `GET /discount-codes`,
//! `DELETE /discount-codes/{idOrCode}`. A code belongs to a partner and one of its links (one
//! code per link). Besides the record, two claims are written in the code's transaction: the
//! code itself (unique per program ignoring case, naming the record, partner and link, so that
//! a billing integration attributes a sale paid with the code by one read: [`find_by_code`]),
//! and the link's (one code per link).

use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::groups;
use crate::layout;
use crate::links::repo as links_repo;
use crate::model::EventName;
use crate::model::{Actor, DiscountCode, DomainEvent, Partner};
use crate::outbox;
use crate::partners;
use crate::programs::caller_program;
use crate::store::records::{from_json_item, json_item, readable};
use crate::store::{
    Condition, Consistency, Delete, ItemStore, Put, Query, RangeCondition, StoreError, TxOp, get_s,
    s,
};
use crate::types::{DiscountCodeId, LinkId, PartnerId, ProgramId};

/// The longest code, in characters.
pub const MAX_CODE_CHARS: usize = 50;
/// Attempts at a free generated code before giving up.
const GENERATED_CODE_ATTEMPTS: usize = 3;
const OWNER: &str = "discountCodeId";

/// `POST /discount-codes`.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateDiscountCode {
    pub partner_id: String,
    /// One of the partner's links; a link has at most one code.
    pub link_id: String,
    /// Letters, digits, `-` and `_`, 1 to 50 characters (what Stripe accepts); made from the
    /// partner's name when absent.
    pub code: Option<String>,
}

/// `GET /discount-codes`' filters and page.
#[derive(Debug, Clone, Default)]
pub struct DiscountCodeQuery {
    pub partner_id: Option<String>,
    pub discount_id: Option<String>,
    pub code: Option<String>,
    pub page: u32,
    pub page_size: u32,
}

impl DiscountCodeQuery {
    fn keeps(&self, code: &DiscountCode) -> bool {
        let discount = code.discount_id.as_ref().map(|id| id.as_str());
        self.partner_id
            .as_deref()
            .is_none_or(|p| p == code.partner_id.as_str())
            && self
                .discount_id
                .as_deref()
                .is_none_or(|d| Some(d) == discount)
    }
}

/// A code as given: Stripe's characters, 1 to 50 of them.
fn check_code(raw: &str) -> Result<String, DomainError> {
    let code = raw.trim();
    let valid = !code.is_empty()
        && code.chars().count() <= MAX_CODE_CHARS
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(DomainError::Unprocessable(format!(
            "`code` must have 1 to {MAX_CODE_CHARS} letters, digits, `-` or `_`."
        )));
    }
    Ok(code.to_owned())
}

/// A code from the partner's name: its first letters and digits, upper-cased, and 4 random
/// digits (`JANEDOE4821`).
fn generated_code(ctx: &AppContext, partner_name: &str) -> String {
    let stem: String = partner_name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect::<String>()
        .to_ascii_uppercase();
    let mut bytes = [0u8; 2];
    ctx.random.fill(&mut bytes);
    let digits = u16::from_le_bytes(bytes) % 10_000;
    let stem = if stem.is_empty() { "PARTNER" } else { &stem };
    format!("{stem}{digits:04}")
}

fn event(ctx: &AppContext, actor: Actor, name: EventName, code: &DiscountCode) -> DomainEvent {
    outbox::new_event(
        ctx.ids.as_ref(),
        ctx.clock.as_ref(),
        &code.program_id,
        name,
        actor,
        serde_json::to_value(crate::wire::discount_codes::DiscountCodeSchema::of(code))
            .expect("a discount code serialises"),
    )
}

/// The record, the code's claim (fails when the code is taken), the link's claim (fails when
/// the link has a code), a check that the link exists, the event.
fn insert(code: &DiscountCode, created: &DomainEvent) -> Result<Vec<TxOp>, StoreError> {
    let mut claim =
        layout::discount_code_claim(&code.program_id, &code.code.to_ascii_uppercase()).to_item();
    claim.insert(OWNER.into(), s(code.id.as_str()));
    claim.insert("partnerId".into(), s(code.partner_id.as_str()));
    claim.insert("linkId".into(), s(code.link_id.as_str()));
    let mut link_claim = layout::link_discount_code_claim(&code.link_id).to_item();
    link_claim.insert(OWNER.into(), s(code.id.as_str()));
    Ok(vec![
        TxOp::Put(Put {
            item: json_item(&layout::discount_code(&code.program_id, &code.id), code, 1)?,
            condition: Some(Condition::NotExists),
        }),
        TxOp::Put(Put {
            item: claim,
            condition: Some(Condition::NotExists),
        }),
        TxOp::Put(Put {
            item: link_claim,
            condition: Some(Condition::NotExists),
        }),
        // The link still exists (deleting a link checks it has no code, in its transaction).
        TxOp::Check {
            key: layout::link(&code.link_id),
            condition: Condition::Exists,
        },
        outbox::record(created)?,
    ])
}

/// The partner and its link a new code is for (404 for another program's, or another
/// partner's link).
async fn partner_and_link(
    ctx: &AppContext,
    program: &ProgramId,
    request: &CreateDiscountCode,
) -> Result<(Partner, LinkId), DomainError> {
    let partner_id =
        PartnerId::parse(&request.partner_id).map_err(|_| DomainError::not_found("Partner"))?;
    let partner = partners::find_partner(ctx.store.as_ref(), program, &partner_id)
        .await?
        .ok_or_else(|| DomainError::not_found("Partner"))?;
    let link_id = LinkId::parse(&request.link_id).map_err(|_| DomainError::not_found("Link"))?;
    let link = links_repo::find(ctx.store.as_ref(), program, &link_id)
        .await?
        .filter(|stored| stored.link.partner_id.as_ref() == Some(&partner.id))
        .ok_or_else(|| DomainError::not_found("Link"))?;
    Ok((partner, link.link.id))
}

/// What a failed create means, by the failing action of [`insert`] (`None`: draw another
/// generated code).
fn refusal(index: usize, generated: bool) -> Option<DomainError> {
    match index {
        1 if generated => None,
        1 => Some(DomainError::Conflict(
            "Another discount code of the program is this code.".into(),
        )),
        2 => Some(DomainError::Conflict(
            "This link already has a discount code; delete it first.".into(),
        )),
        3 => Some(DomainError::not_found("Link")),
        _ => Some(DomainError::Conflict("Retry the request.".into())),
    }
}

/// `POST /discount-codes`: a code for one of the partner's links, carrying the discount of the
/// partner's group (none when the group has none).
pub async fn create_discount_code(
    ctx: &AppContext,
    principal: &Principal,
    request: CreateDiscountCode,
) -> Result<DiscountCode, DomainError> {
    let program = caller_program(ctx, principal, Scope::PartnersWrite).await?;
    let given = request.code.as_deref().map(check_code).transpose()?;
    let (partner, link_id) = partner_and_link(ctx, &program.id, &request).await?;
    let group = groups::find_group(ctx.store.as_ref(), &program.id, &partner.group_id).await?;
    let mut code = DiscountCode {
        id: DiscountCodeId::generate(ctx.ids.as_ref()),
        program_id: program.id.clone(),
        code: given
            .clone()
            .unwrap_or_else(|| generated_code(ctx, &partner.name)),
        partner_id: partner.id.clone(),
        link_id,
        discount_id: group.and_then(|g| g.discount).map(|discount| discount.id),
        created_at: ctx.clock.now(),
    };
    for _ in 0..GENERATED_CODE_ATTEMPTS {
        let created = event(
            ctx,
            principal.actor(),
            EventName::DiscountCodeCreated,
            &code,
        );
        let Err(error) = ctx.store.transact(insert(&code, &created)?).await else {
            return Ok(code);
        };
        let Some(index) = error.failed_condition_index() else {
            return Err(error.into());
        };
        if let Some(refused) = refusal(index, given.is_none()) {
            return Err(refused);
        }
        code.code = generated_code(ctx, &partner.name);
    }
    Err(DomainError::Conflict(
        "No free code was found; retry or choose a code.".into(),
    ))
}

/// Every discount code of the program, oldest first.
async fn all(store: &dyn ItemStore, program: &ProgramId) -> Result<Vec<DiscountCode>, StoreError> {
    let mut codes = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .query(
                Query::table(layout::program_pk(program))
                    .range(RangeCondition::BeginsWith(
                        layout::DISCOUNT_CODE_SK_PREFIX.into(),
                    ))
                    .consistent()
                    .cursor(cursor),
            )
            .await?;
        codes.extend(
            page.items
                .iter()
                .filter_map(|item| readable(item, from_json_item)),
        );
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(codes),
        }
    }
}

/// `GET /discount-codes`: the program's codes, oldest first, by partner, discount or code
/// (ignoring case).
pub async fn list_discount_codes(
    ctx: &AppContext,
    principal: &Principal,
    query: DiscountCodeQuery,
) -> Result<Vec<DiscountCode>, DomainError> {
    let program = caller_program(ctx, principal, Scope::PartnersRead).await?;
    let size = query.page_size.max(1) as usize;
    let skip = (query.page.max(1) as usize - 1) * size;
    let codes = match &query.code {
        // One read through the claim rather than the whole list.
        Some(code) => find_by_code(ctx.store.as_ref(), &program.id, code)
            .await?
            .into_iter()
            .collect(),
        None => all(ctx.store.as_ref(), &program.id).await?,
    };
    Ok(codes
        .into_iter()
        .filter(|code| query.keeps(code))
        .skip(skip)
        .take(size)
        .collect())
}

/// The program's discount code `code` (ignoring case), strongly read: the lookup a sale paid
/// with a code makes.
pub async fn find_by_code(
    store: &dyn ItemStore,
    program: &ProgramId,
    code: &str,
) -> Result<Option<DiscountCode>, StoreError> {
    let claim = layout::discount_code_claim(program, &code.trim().to_ascii_uppercase());
    let Some(item) = store.get(&claim, Consistency::Strong).await? else {
        return Ok(None);
    };
    let Some(id) = get_s(&item, OWNER).and_then(|id| DiscountCodeId::parse(id).ok()) else {
        return Ok(None);
    };
    find(store, program, &id).await
}

async fn find(
    store: &dyn ItemStore,
    program: &ProgramId,
    id: &DiscountCodeId,
) -> Result<Option<DiscountCode>, StoreError> {
    store
        .get(&layout::discount_code(program, id), Consistency::Strong)
        .await?
        .as_ref()
        .map(from_json_item)
        .transpose()
}

/// `DELETE /discount-codes/{idOrCode}`: the code's id. The record and both claims go in one
/// transaction, so the code and the link are free again.
pub async fn delete_discount_code(
    ctx: &AppContext,
    principal: &Principal,
    id_or_code: &str,
) -> Result<DiscountCodeId, DomainError> {
    let program = caller_program(ctx, principal, Scope::PartnersWrite).await?;
    let store = ctx.store.as_ref();
    let found = match DiscountCodeId::parse(id_or_code) {
        Ok(id) => find(store, &program.id, &id).await?,
        Err(_) => find_by_code(store, &program.id, id_or_code).await?,
    };
    let code = found.ok_or_else(|| DomainError::not_found("Discount code"))?;
    let owned = || Some(Condition::equals(OWNER, s(code.id.as_str())));
    let deleted = event(
        ctx,
        principal.actor(),
        EventName::DiscountCodeDeleted,
        &code,
    );
    let ops = vec![
        TxOp::Delete(Delete {
            key: layout::discount_code(&program.id, &code.id),
            condition: Some(Condition::Exists),
        }),
        TxOp::Delete(Delete {
            key: layout::discount_code_claim(&program.id, &code.code.to_ascii_uppercase()),
            condition: owned(),
        }),
        TxOp::Delete(Delete {
            key: layout::link_discount_code_claim(&code.link_id),
            condition: owned(),
        }),
        outbox::record(&deleted)?,
    ];
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(code.id),
        Err(error) if error.failed_condition_index().is_some() => Err(DomainError::Conflict(
            "The discount code changed meanwhile; retry.".into(),
        )),
        Err(error) => Err(error.into()),
    }
}
