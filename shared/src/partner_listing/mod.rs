//! `GET /partners`: Dub's partner list, filtered, sorted by any of its 13 metrics and paged.
//!
//! Lookups by tenant id, email or partner id read the partner directly (its claim, strongly
//! consistent); every other list runs over the program's in-process projection
//! ([`PartnerDirectory`]). The page's partners are then read whole, with their links, group and
//! application. Design and measured cost: `infra/TABLE_DESIGN.md` ("Partner listing").

mod metrics;
mod projection;
mod query;
mod row;
pub mod snapshot;

pub use crate::model::{DerivedMetrics, ListedPartner};
pub use metrics::sort_value;
pub use projection::{
    PartnerDirectory, ProgramRows, RefreshReport, SnapshotPolicy, load, refresh, select_page,
};
pub use query::{DEFAULT_PAGE_SIZE, ListPartnersQuery, Lookup, MAX_PAGE_SIZE, SortBy, SortOrder};
pub use row::Row;

use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::groups;
use crate::layout;
use crate::model::{Application, ApplicationFormField, Link, Partner, PartnerGroup, Program};
use crate::partners::{find_by_email, find_by_tenant, find_partner, partner_of};
use crate::programs::caller_program;

use crate::store::records::from_json_item;
use crate::store::records::readable;
use crate::store::{ItemStore, StoreError};
use crate::types::{Email, PartnerId, ProgramId};
use std::collections::HashMap;
use std::sync::Arc;

/// Listed partners and their program's application form, which their answers belong to.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerPage {
    pub partners: Vec<ListedPartner>,
    pub form_fields: Vec<ApplicationFormField>,
}

/// One page of the caller's partners.
pub async fn list_partners(
    ctx: &AppContext,
    directory: &PartnerDirectory,
    principal: &Principal,
    query: &ListPartnersQuery,
) -> Result<PartnerPage, DomainError> {
    let program = caller_program(ctx, principal, Scope::PartnersRead).await?;
    let store = ctx.store.as_ref();
    let direct = match &query.lookup {
        Lookup::Tenant(tenant) => Some(find_by_tenant(store, &program.id, tenant).await?),
        Lookup::Email(email) | Lookup::SearchEmail(email) => match Email::parse(email) {
            Ok(email) => Some(find_by_email(store, &program.id, &email).await?),
            Err(_) => Some(None),
        },
        Lookup::SearchId(id) => match PartnerId::parse(id) {
            Ok(id) => Some(find_partner(store, &program.id, &id).await?),
            Err(_) => Some(None),
        },
        Lookup::All | Lookup::SearchText(_) => None,
    };
    let partners = match direct {
        Some(found) => found
            .filter(|partner| {
                let row = Row::of_partner(partner);
                !select_page(std::iter::once(&row), query).is_empty()
            })
            .into_iter()
            .collect(),
        None => {
            let ids = directory
                .with_rows(&ctx.store, &program.id, |rows| rows.select_page(query))
                .await?;
            load_partners(store, &program.id, &ids).await?
        }
    };
    Ok(listed_partners(ctx, &program, partners).await?)
}

/// The partners of `ids` that belong to `program`, in the order of `ids`.
pub async fn load_partners(
    store: &dyn ItemStore,
    program: &ProgramId,
    ids: &[PartnerId],
) -> Result<Vec<Partner>, StoreError> {
    let items = store
        .batch_get(ids.iter().map(layout::partner).collect())
        .await?;
    let mut found: HashMap<PartnerId, Partner> = HashMap::with_capacity(items.len());
    for partner in items.iter().filter_map(|item| readable(item, partner_of)) {
        if &partner.program_id == program {
            found.insert(partner.id.clone(), partner);
        }
    }
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// A partner's links, oldest first.
pub async fn partner_links(
    store: &dyn ItemStore,
    program: &ProgramId,
    partner: &PartnerId,
) -> Result<Vec<Link>, StoreError> {
    let links = crate::links::repo::all_for_partner(store, program, partner).await?;
    Ok(links.into_iter().map(|stored| stored.link).collect())
}

/// The links of several partners, read concurrently.
async fn links_of(
    store: &Arc<dyn ItemStore>,
    partners: &[Partner],
) -> Result<HashMap<PartnerId, Vec<Link>>, StoreError> {
    let mut reads = tokio::task::JoinSet::new();
    for partner in partners {
        let store = store.clone();
        let id = partner.id.clone();
        let program = partner.program_id.clone();
        reads.spawn(async move {
            let links = partner_links(store.as_ref(), &program, &id).await;
            (id, links)
        });
    }
    let mut found = HashMap::with_capacity(partners.len());
    while let Some(joined) = reads.join_next().await {
        let (id, links) = joined.map_err(StoreError::engine)?;
        found.insert(id, links?);
    }
    Ok(found)
}

/// Each partner with its links, group and application.
pub async fn listed_partners(
    ctx: &AppContext,
    program: &Program,
    partners: Vec<Partner>,
) -> Result<PartnerPage, StoreError> {
    let form_fields = program.settings.application_form_fields.clone();
    if partners.is_empty() {
        return Ok(PartnerPage {
            partners: Vec::new(),
            form_fields,
        });
    }
    let store = ctx.store.as_ref();
    let groups: HashMap<String, PartnerGroup> = groups::all_groups(store, &program.id)
        .await?
        .into_iter()
        .map(|group| (group.id.to_string(), group))
        .collect();
    let application_keys: Vec<_> = partners
        .iter()
        .filter_map(|partner| partner.application_id.as_ref().map(layout::application))
        .collect();
    let mut applications: HashMap<String, Application> = if application_keys.is_empty() {
        HashMap::new()
    } else {
        store
            .batch_get(application_keys)
            .await?
            .iter()
            .map(from_json_item::<Application>)
            .filter_map(Result::ok)
            .filter(|application| application.program_id == program.id)
            .map(|application| (application.id.to_string(), application))
            .collect()
    };
    let mut links = links_of(&ctx.store, &partners).await?;
    let partners = partners
        .into_iter()
        .map(|partner| ListedPartner {
            links: links.remove(&partner.id).unwrap_or_default(),
            group: groups.get(partner.group_id.as_str()).cloned(),
            application: partner
                .application_id
                .as_ref()
                .and_then(|id| applications.remove(id.as_str())),
            partner,
        })
        .collect();
    Ok(PartnerPage {
        partners,
        form_fields,
    })
}
