//! Dub's `GET /links` and `GET /links/count`: a program's links, newest first, read from the
//! program's link index (gsi2) with Dub's filters applied as the index is read. A page is filled
//! to `pageSize` whatever the filters drop, because Dub's SDKs stop paging at a short page.

use super::repo::link_of;
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::layout;
use crate::model::Link;
use crate::model::LinkLabels;
use crate::programs::caller_program;
use crate::store::records::readable;
use crate::store::{Consistency, Query, RangeCondition, schema};
use crate::types::{LinkId, ProgramId, TagId};
use std::collections::BTreeSet;

/// Dub's link filters.
#[derive(Debug, Clone, Default)]
pub struct LinkFilter {
    pub domain: Option<String>,
    pub tenant_id: Option<String>,
    /// Links in this folder (a deleted folder holds none).
    pub folder_id: Option<String>,
    /// Matched, case-insensitively, against the key and the destination URL.
    pub search: Option<String>,
    pub show_archived: bool,
    /// Links with at least one of these tags (Dub's `tagId`, `tagIds`)...
    pub tag_ids: Vec<String>,
    /// ... or of the tags of these names, ignoring case (`tagNames`); both empty: any link.
    pub tag_names: Vec<String>,
}

/// A filter with its tags and folder resolved against the program's labels.
struct Resolved<'a> {
    filter: &'a LinkFilter,
    labels: &'a LinkLabels,
    /// `None`: no tag filter; otherwise the existing tags asked for (maybe none).
    tags: Option<BTreeSet<TagId>>,
}

impl<'a> Resolved<'a> {
    fn new(filter: &'a LinkFilter, labels: &'a LinkLabels) -> Self {
        let asked = !filter.tag_ids.is_empty() || !filter.tag_names.is_empty();
        let tags = asked.then(|| {
            let by_id = filter
                .tag_ids
                .iter()
                .filter_map(|id| TagId::parse(id.trim()).ok())
                .filter(|id| labels.tags.contains_key(id));
            let by_name = filter
                .tag_names
                .iter()
                .filter_map(|name| labels.tag_named(name).map(|tag| tag.id.clone()));
            by_id.chain(by_name).collect()
        });
        Self {
            filter,
            labels,
            tags,
        }
    }

    fn keeps(&self, link: &Link) -> bool {
        let folder = || self.labels.folder_of(link).map(|f| f.id.as_str());
        self.tags.as_ref().is_none_or(|wanted| {
            self.labels
                .tags_of(link)
                .any(|tag| wanted.contains(&tag.id))
        }) && self
            .filter
            .folder_id
            .as_deref()
            .is_none_or(|f| folder() == Some(f))
            && self.filter.keeps(link)
    }
}

impl LinkFilter {
    /// The filters that need no labels.
    fn keeps(&self, link: &Link) -> bool {
        let search = self.search.as_ref().map(|s| s.to_lowercase());
        (self.show_archived || !link.details.archived)
            && self
                .domain
                .as_ref()
                .is_none_or(|d| d.eq_ignore_ascii_case(&link.domain))
            && self
                .tenant_id
                .as_ref()
                .is_none_or(|t| link.tenant_id.as_ref() == Some(t))
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
    filter: &Resolved<'_>,
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
    let program = caller_program(ctx, principal, Scope::LinksRead).await?;
    let labels = crate::links::labels::read_labels(ctx.store.as_ref(), &program.id).await?;
    let filter = Resolved::new(&filter, &labels);
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
    TagId,
}

/// What `GET /links/count` answers: a number, or the number per value of the grouping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkCount {
    Total(u64),
    Grouped(Vec<(Option<String>, u64)>),
}

/// `GET /links/count`: the number of links the filter keeps, or the numbers per domain, folder
/// or tag (a link with two tags counts for both; links without tags are not counted by tag).
pub async fn count_links(
    ctx: &AppContext,
    principal: &Principal,
    filter: LinkFilter,
    by: CountBy,
) -> Result<LinkCount, DomainError> {
    let program = caller_program(ctx, principal, Scope::LinksRead).await?;
    let labels = crate::links::labels::read_labels(ctx.store.as_ref(), &program.id).await?;
    let resolved = Resolved::new(&filter, &labels);
    let links = walk(ctx, &program.id, &resolved, None, false, 0, 0).await?;
    let groups = |link: &Link| -> Vec<Option<String>> {
        match by {
            CountBy::Nothing => Vec::new(),
            CountBy::Domain => vec![Some(link.domain.clone())],
            CountBy::FolderId => vec![labels.folder_of(link).map(|f| f.id.to_string())],
            CountBy::TagId => labels
                .tags_of(link)
                .map(|t| Some(t.id.to_string()))
                .collect(),
        }
    };
    if by == CountBy::Nothing {
        return Ok(LinkCount::Total(links.len() as u64));
    }
    let mut counts: std::collections::BTreeMap<Option<String>, u64> = Default::default();
    for link in &links {
        for group in groups(link) {
            *counts.entry(group).or_default() += 1;
        }
    }
    Ok(LinkCount::Grouped(counts.into_iter().collect()))
}
