//! Dub's partner links: `POST /partners/links` creates a link for a partner on the program's
//! domain; `GET /partners/links` lists a partner's links. The partner is named by `partnerId`
//! or by its `tenantId` (its id in the business's own database).

use super::fields;
use super::key::LinkKey;
use super::manage::{default_destination, insert_new};
use super::repo;
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::Link;
use crate::partners;
use crate::programs::caller_program;
use crate::types::LinkId;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// Links listed per partner (Dub lists them all; a partner has few).
const MAX_LISTED: u32 = 100;

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatePartnerLink {
    pub program_id: Option<String>,
    pub partner_id: Option<String>,
    pub tenant_id: Option<String>,
    /// The partner's default link's destination when absent.
    pub url: Option<String>,
    pub key: Option<String>,
    pub link_props: Option<LinkProps>,
}

/// The optional settings of the new link.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkProps {
    /// The link's own tenant id; the partner's when absent.
    pub tenant_id: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    pub expired_url: Option<String>,
    pub disabled: Option<bool>,
    pub geo: Option<BTreeMap<String, String>>,
    pub ios: Option<String>,
    pub android: Option<String>,
    #[serde(flatten)]
    pub details: fields::DetailsInput,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

/// `POST /partners/links`.
pub async fn create_partner_link(
    ctx: &AppContext,
    principal: &Principal,
    request: CreatePartnerLink,
) -> Result<Link, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksWrite).await?;
    if request
        .program_id
        .as_deref()
        .is_some_and(|id| id != program.id.as_str())
    {
        return Err(DomainError::not_found("Program"));
    }
    let partner = partners::find_named(
        ctx.store.as_ref(),
        &program.id,
        request.partner_id.as_deref(),
        request.tenant_id.as_deref(),
    )
    .await?;
    let url = match request.url.as_deref() {
        Some(raw) => fields::url("url", raw)?,
        None => {
            let default_link = match &partner.default_link_id {
                Some(id) => repo::find(ctx.store.as_ref(), &program.id, id).await?,
                None => None,
            };
            default_destination(default_link.as_ref().map(|stored| &stored.link)).ok_or_else(
                || {
                    DomainError::Unprocessable(
                        "`url` is required: the partner has no default link.".into(),
                    )
                },
            )?
        }
    };
    let (key, random_key) = match request.key.as_deref() {
        Some(raw) => (LinkKey::parse(raw)?, false),
        None => (LinkKey::random(ctx.random.as_ref()), true),
    };
    let props = request.link_props.unwrap_or_default();
    fields::refuse_unknown(&props.unknown)?;
    let labels = crate::links::labels::read_labels(ctx.store.as_ref(), &program.id).await?;
    let mut details = crate::model::LinkDetails::default();
    props.details.apply(&mut details, &labels)?;
    let url = fields::with_utm(&url, &details)?;
    let place = (program.domain.clone(), key.as_str().to_owned());
    let link = Link {
        partner_id: Some(partner.id.clone()),
        tenant_id: match props.tenant_id {
            Some(tenant) => fields::tenant_id(Some(tenant))?,
            None => partner.tenant_id.clone(),
        },
        expires_at: props.expires_at,
        expired_url: fields::optional_url("expiredUrl", props.expired_url.as_deref())?,
        disabled: props.disabled.unwrap_or(false),
        geo: fields::geo(props.geo.unwrap_or_default())?,
        ios: fields::optional_url("ios", props.ios.as_deref())?,
        android: fields::optional_url("android", props.android.as_deref())?,
        details,
        ..Link::new(
            LinkId::generate(ctx.ids.as_ref()),
            &program.id,
            place,
            url,
            ctx.clock.now(),
        )
    };
    insert_new(ctx, principal.actor(), link, random_key, &labels).await
}

/// `GET /partners/links?partnerId=` (or `?tenantId=`).
pub async fn list_partner_links(
    ctx: &AppContext,
    principal: &Principal,
    partner_id: Option<&str>,
    tenant_id: Option<&str>,
) -> Result<Vec<Link>, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksRead).await?;
    let partner =
        partners::find_named(ctx.store.as_ref(), &program.id, partner_id, tenant_id).await?;
    let links =
        repo::list_for_partner(ctx.store.as_ref(), &program.id, &partner.id, MAX_LISTED).await?;
    Ok(links)
}

/// `PUT /partners/links/upsert`.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpsertPartnerLink {
    pub program_id: Option<String>,
    pub partner_id: Option<String>,
    pub tenant_id: Option<String>,
    pub url: String,
    pub key: Option<String>,
    pub comments: Option<String>,
    pub link_props: Option<LinkProps>,
}

/// The partner's link to `url` when it has one (then `key`, `comments` and the props given
/// change it), else a new link of the partner to `url`: Dub's upsert.
pub async fn upsert_partner_link(
    ctx: &AppContext,
    principal: &Principal,
    request: UpsertPartnerLink,
) -> Result<Link, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksWrite).await?;
    let partner = partners::find_named(
        ctx.store.as_ref(),
        &program.id,
        request.partner_id.as_deref(),
        request.tenant_id.as_deref(),
    )
    .await?;
    let url = fields::url("url", &request.url)?;
    let mut props = request.link_props.unwrap_or_default();
    if request.comments.is_some() {
        props.details.comments = Some(request.comments);
    }
    let links =
        repo::list_for_partner(ctx.store.as_ref(), &program.id, &partner.id, MAX_LISTED).await?;
    let Some(existing) = links.into_iter().find(|link| link.url == url) else {
        let create = CreatePartnerLink {
            program_id: request.program_id,
            partner_id: Some(partner.id.to_string()),
            tenant_id: None,
            url: Some(request.url),
            key: request.key,
            link_props: Some(props),
        };
        return create_partner_link(ctx, principal, create).await;
    };
    fields::refuse_unknown(&props.unknown)?;
    let update = super::manage::UpdateLink {
        key: request.key,
        tenant_id: props.tenant_id.map(Some),
        expires_at: props.expires_at.map(Some),
        expired_url: props.expired_url.map(Some),
        disabled: props.disabled,
        geo: props.geo.map(Some),
        ios: props.ios.map(Some),
        android: props.android.map(Some),
        details: props.details,
        ..Default::default()
    };
    super::manage::update_link(ctx, principal, existing.id.as_str(), update).await
}
