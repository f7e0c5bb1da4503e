//! Dub's `GET /links` and `GET /links/count`: a program's links, newest first, read from the
//! program's link index (gsi2) with Dub's filters applied as the index is read. A page is filled
//! to `pageSize` whatever the filters drop, because Dub's SDKs stop paging at a short page.

use super::manage::links_program;
use super::repo::link_of;
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::layout;
use crate::model::Link;
use crate::store::records::readable;
use crate::store::{Consistency, Query, RangeCondition, schema};
use crate::types::{LinkId, ProgramId};

/// Dub's link filters. Tags are not offered: a tag filter matches no link.
#[derive(Debug, Clone, Default)]
pub struct LinkFilter {
    pub domain: Option<String>,
    pub tenant_id: Option<String>,
    pub folder_id: Option<String>,
    /// Matched, case-insensitively, against the key and the destination URL.
    pub search: Option<String>,
    pub show_archived: bool,
    pub by_tag: bool,
}

impl LinkFilter {
    fn keeps(&self, link: &Link) -> bool {
        let search = self.search.as_ref().map(|s| s.to_lowercase());
        !self.by_tag
            && (self.show_archived || !link.details.archived)
            && self
                .domain
                .as_ref()
                .is_none_or(|d| d.eq_ignore_ascii_case(&link.domain))
            && self
                .tenant_id
                .as_ref()
                .is_none_or(|t| link.tenant_id.as_ref() == Some(t))
            && self
                .folder_id
                .as_ref()
                .is_none_or(|f| link.details.folder_id.as_ref() == Some(f))
            && search.as_ref().is_none_or(|s| {
                link.key.contains(s.as_str()) || link.url.as_str().to_lowercase().contains(s)
            })
    }
}

/// Where a page starts: a page number, or after / before a link (Dub's cursors are link ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkPage {
    Number(u32),
    StartingAfter(String),
    EndingBefore(String),
}

/// The index sort key of a link of the program, for a cursor.
async fn sort_key_of(
    ctx: &AppContext,
    program: &ProgramId,
    id: &str,
) -> Result<String, DomainError> {
    let id =
        LinkId::parse(id).map_err(|_| DomainError::BadRequest("Unknown cursor link.".into()))?;
    let item = ctx
        .store
        .get(&layout::link(&id), Consistency::Eventual)
        .await?;
    let link = item
        .as_ref()
        .and_then(|item| readable(item, link_of))
        .filter(|stored| &stored.link.program_id == program)
        .ok_or_else(|| DomainError::BadRequest("Unknown cursor link.".into()))?;
    Ok(layout::time_sk(link.link.created_at, link.link.id.as_str()))
}

/// Reads the index from `start` in `forward` order, keeping what the filter keeps, until
/// `skip + take` links were kept or the index ends (`take` of 0: to the end, for counts).
async fn walk(
    ctx: &AppContext,
    program: &ProgramId,
    filter: &LinkFilter,
    range: Option<RangeCondition>,
    forward: bool,
    skip: usize,
    take: usize,
) -> Result<Vec<Link>, DomainError> {
    let mut kept = Vec::new();
    let mut cursor = None;
    loop {
        let mut query = Query::index(schema::GSI2.name, layout::program_links_index_pk(program))
            .limit(100)
            .cursor(cursor);
        query.range = range.clone();
        query.forward = forward;
        let page = ctx.store.query(query).await?;
        for item in &page.items {
            if let Some(stored) = readable(item, link_of)
                && filter.keeps(&stored.link)
            {
                kept.push(stored.link);
            }
        }
        cursor = page.next;
        if cursor.is_none() || (take > 0 && kept.len() >= skip + take) {
            break;
        }
    }
    Ok(kept
        .into_iter()
        .skip(skip)
        .take(if take == 0 { usize::MAX } else { take })
        .collect())
}

/// `GET /links`: one page of the program's links, newest first.
pub async fn list_links(
    ctx: &AppContext,
    principal: &Principal,
    filter: LinkFilter,
    page: LinkPage,
    size: u32,
) -> Result<Vec<Link>, DomainError> {
    let program = links_program(ctx, principal, Scope::LinksRead).await?;
    let size = size as usize;
    match page {
        LinkPage::Number(number) => {
            let skip = (number as usize - 1) * size;
            walk(ctx, &program.id, &filter, None, false, skip, size).await
        }
        LinkPage::StartingAfter(id) => {
            let before = RangeCondition::LessThan(sort_key_of(ctx, &program.id, &id).await?);
            walk(ctx, &program.id, &filter, Some(before), false, 0, size).await
        }
        LinkPage::EndingBefore(id) => {
            let after = RangeCondition::GreaterThan(sort_key_of(ctx, &program.id, &id).await?);
            let mut links = walk(ctx, &program.id, &filter, Some(after), true, 0, size).await?;
            links.reverse();
            Ok(links)
        }
    }
}

/// What `GET /links/count` groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountBy {
    Nothing,
    Domain,
    FolderId,
}

/// What `GET /links/count` answers: a number, or the number per value of the grouping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkCount {
    Total(u64),
    Grouped(Vec<(Option<String>, u64)>),
}

/// `GET /links/count`: the number of links the filter keeps, or the numbers per domain or
/// folder.
pub async fn count_links(
    ctx: &AppContext,
    principal: &Principal,
    filter: LinkFilter,
    by: CountBy,
) -> Result<LinkCount, DomainError> {
    let program = links_program(ctx, principal, Scope::LinksRead).await?;
    let links = walk(ctx, &program.id, &filter, None, false, 0, 0).await?;
    let group: fn(&Link) -> Option<String> = match by {
        CountBy::Nothing => return Ok(LinkCount::Total(links.len() as u64)),
        CountBy::Domain => |link| Some(link.domain.clone()),
        CountBy::FolderId => |link| link.details.folder_id.clone(),
    };
    let mut counts: std::collections::BTreeMap<Option<String>, u64> = Default::default();
    for link in &links {
        *counts.entry(group(link)).or_default() += 1;
    }
    Ok(LinkCount::Grouped(counts.into_iter().collect()))
}
