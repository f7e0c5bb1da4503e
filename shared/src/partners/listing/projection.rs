//! An in-process projection of each program's partners: one compact row per partner (what the
//! list filters and sorts on), kept fresh from the partner change feed (`partners::feed`).
//!
//! The first request of a program in a process reads its whole feed (every partner, once);
//! each later request re-reads only the partners stamped since the newest stamp it saw, less
//! the re-read window. Filtering and ordering then run in memory over the rows, so a request
//! costs the same at page 1 and at page 1,000, and no index per metric is needed.

use super::metrics::sort_value;
use super::query::{ListPartnersQuery, Lookup, SortOrder};
use crate::layout;
use crate::model::{PartnerStatus, PartnerTotals};
use crate::partners::feed::{REREAD_WINDOW_MS, item_stamp, stamp_key, stamp_now};
use crate::partners::totals::partner_totals_of;
use crate::store::records::from_json_item;
use crate::store::records::readable;
use crate::store::{Item, ItemStore, Query, RangeCondition, StoreError, schema};
use crate::types::{PartnerId, ProgramId};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// What the list filters and sorts on, per partner.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: PartnerId,
    pub created_at_ns: i128,
    pub status: PartnerStatus,
    pub group_id: String,
    pub country: Option<String>,
    /// Lower-cased.
    pub email: Option<String>,
    pub tenant_id: Option<String>,
    /// Lower-cased.
    pub name: String,
    /// Lower-cased.
    pub company_name: Option<String>,
    pub totals: PartnerTotals,
    /// The feed stamp of the state this row holds.
    pub stamp: i64,
}

/// The fields of a partner body a row needs (the rest of the JSON is skipped).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RowFields {
    id: PartnerId,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    status: PartnerStatus,
    group_id: String,
    country: Option<String>,
    email: Option<String>,
    tenant_id: Option<String>,
    name: String,
    company_name: Option<String>,
}

impl Row {
    pub fn of(item: &Item) -> Result<Self, StoreError> {
        let fields: RowFields = from_json_item(item)?;
        Ok(Self {
            id: fields.id,
            created_at_ns: fields.created_at.unix_timestamp_nanos(),
            status: fields.status,
            group_id: fields.group_id,
            country: fields.country,
            email: fields.email.map(|email| email.to_lowercase()),
            tenant_id: fields.tenant_id,
            name: fields.name.to_lowercase(),
            company_name: fields.company_name.map(|name| name.to_lowercase()),
            totals: partner_totals_of(item)?,
            stamp: item_stamp(item).unwrap_or(0),
        })
    }

    /// The row of a partner read whole.
    pub fn of_partner(partner: &crate::model::Partner) -> Self {
        Self {
            id: partner.id.clone(),
            created_at_ns: partner.created_at.unix_timestamp_nanos(),
            status: partner.status,
            group_id: partner.group_id.to_string(),
            country: partner.country.clone(),
            email: partner
                .email
                .as_ref()
                .map(|email| email.as_str().to_lowercase()),
            tenant_id: partner.tenant_id.clone(),
            name: partner.name.to_lowercase(),
            company_name: partner
                .company_name
                .as_ref()
                .map(|name| name.to_lowercase()),
            totals: partner.totals,
            stamp: 0,
        }
    }

    /// Whether the row passes every filter of `query`.
    pub fn matches(&self, query: &ListPartnersQuery) -> bool {
        let lookup = match &query.lookup {
            Lookup::All => true,
            Lookup::Tenant(tenant) => self.tenant_id.as_deref() == Some(tenant.as_str()),
            Lookup::Email(email) | Lookup::SearchEmail(email) => {
                self.email.as_deref() == Some(email.as_str())
            }
            Lookup::SearchId(id) => self.id.as_str() == id,
            Lookup::SearchText(text) => {
                self.name.contains(text.as_str())
                    || self
                        .email
                        .as_deref()
                        .is_some_and(|e| e.contains(text.as_str()))
                    || self
                        .company_name
                        .as_deref()
                        .is_some_and(|c| c.contains(text.as_str()))
            }
        };
        lookup
            && query.group_id.as_ref().is_none_or(|g| *g == self.group_id)
            && query.status.is_none_or(|s| s == self.status)
            && query
                .country
                .as_ref()
                .is_none_or(|c| self.country.as_deref() == Some(c.as_str()))
    }
}

/// Orders rows for `query`: by the sort value (null last in either order), then by id in the
/// same direction, so that every page is stable.
fn compare(
    query: &ListPartnersQuery,
    a: &(Option<f64>, &Row),
    b: &(Option<f64>, &Row),
) -> Ordering {
    let by_value = match (a.0, b.0) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => return Ordering::Greater,
        (Some(_), None) => return Ordering::Less,
        (Some(x), Some(y)) => x.total_cmp(&y),
    };
    let ordered = by_value.then_with(|| a.1.id.as_str().cmp(b.1.id.as_str()));
    match query.sort_order {
        SortOrder::Asc => ordered,
        SortOrder::Desc => ordered.reverse(),
    }
}

/// The ids of one page of `rows` for `query`: filter, then a partial selection of the page's
/// window (linear in the rows, whatever the page number), then a sort of the page only.
pub fn select_page<'a>(
    rows: impl Iterator<Item = &'a Row>,
    query: &ListPartnersQuery,
) -> Vec<PartnerId> {
    let mut keyed: Vec<(Option<f64>, &Row)> = rows
        .filter(|row| row.matches(query))
        .map(|row| {
            (
                sort_value(query.sort_by, &row.totals, row.created_at_ns),
                row,
            )
        })
        .collect();
    let offset = query.offset();
    if offset >= keyed.len() {
        return Vec::new();
    }
    let cmp = |a: &(Option<f64>, &Row), b: &(Option<f64>, &Row)| compare(query, a, b);
    if offset > 0 {
        keyed.select_nth_unstable_by(offset, cmp);
    }
    let window = &mut keyed[offset..];
    let size = (query.page_size as usize).min(window.len());
    if size < window.len() {
        window.select_nth_unstable_by(size - 1, cmp);
    }
    let page = &mut window[..size];
    page.sort_unstable_by(cmp);
    page.iter().map(|(_, row)| row.id.clone()).collect()
}

/// One program's rows and how far its feed has been read.
#[derive(Debug, Default)]
pub struct ProgramRows {
    rows: Vec<Row>,
    positions: HashMap<PartnerId, usize>,
    /// The wall-clock stamp at which the last refresh started (None before the first).
    last_read_from: Option<i64>,
    refreshed_at: Option<Instant>,
}

impl ProgramRows {
    pub fn rows(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Applies a row read from the feed, unless an index read returned an older state than
    /// one already applied.
    fn apply(&mut self, row: Row) {
        match self.positions.get(&row.id) {
            Some(&at) if self.rows[at].stamp > row.stamp => {}
            Some(&at) => self.rows[at] = row,
            None => {
                self.positions.insert(row.id.clone(), self.rows.len());
                self.rows.push(row);
            }
        }
    }
}

/// What one refresh read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RefreshReport {
    pub queries: u32,
    pub items: u64,
}

/// A program's rows behind their own lock (one refresh at a time), and when last used.
type SharedRows = (Arc<tokio::sync::Mutex<ProgramRows>>, Instant);

/// The projections of the programs a process has served, refreshed at most every
/// `refresh_every` (zero: on every request).
pub struct PartnerDirectory {
    programs: Mutex<HashMap<ProgramId, SharedRows>>,
    refresh_every: Duration,
    max_programs: usize,
}

impl PartnerDirectory {
    pub fn new(refresh_every: Duration) -> Self {
        Self {
            programs: Mutex::new(HashMap::new()),
            refresh_every,
            // Rows are ~200 bytes: 8 programs of 100,000 partners stay under 200 MB.
            max_programs: 8,
        }
    }

    fn entry(&self, program: &ProgramId) -> Arc<tokio::sync::Mutex<ProgramRows>> {
        let mut programs = self.programs.lock().expect("directory lock");
        if !programs.contains_key(program) && programs.len() >= self.max_programs {
            // Forget the program used longest ago.
            if let Some(oldest) = programs
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(id, _)| id.clone())
            {
                programs.remove(&oldest);
            }
        }
        let entry = programs
            .entry(program.clone())
            .or_insert_with(|| (Arc::default(), Instant::now()));
        entry.1 = Instant::now();
        entry.0.clone()
    }

    /// Runs `read` over the program's rows once they are fresh.
    pub async fn with_rows<T>(
        &self,
        store: &Arc<dyn ItemStore>,
        program: &ProgramId,
        read: impl FnOnce(&ProgramRows) -> T,
    ) -> Result<T, StoreError> {
        let entry = self.entry(program);
        let mut rows = entry.lock().await;
        let due = rows
            .refreshed_at
            .is_none_or(|at| at.elapsed() >= self.refresh_every);
        if due {
            refresh(store, program, &mut rows).await?;
        }
        Ok(read(&rows))
    }
}

/// Reads the feed of every shard, in parallel: whole on the first refresh, then from the start
/// of the previous refresh less the re-read window (a change that was not yet visible then
/// carries a stamp inside it).
pub async fn refresh(
    store: &Arc<dyn ItemStore>,
    program: &ProgramId,
    rows: &mut ProgramRows,
) -> Result<RefreshReport, StoreError> {
    let started = Instant::now();
    let started_stamp = stamp_now();
    let from = rows
        .last_read_from
        .map(|stamp| stamp_key(stamp - REREAD_WINDOW_MS));
    let mut reads = tokio::task::JoinSet::new();
    for shard in 0..layout::PARTNER_FEED_SHARDS {
        let store = store.clone();
        let partition = layout::partner_feed_shard_pk(program, shard);
        let from = from.clone();
        reads.spawn(async move { read_shard(store.as_ref(), partition, from).await });
    }
    let mut report = RefreshReport::default();
    while let Some(joined) = reads.join_next().await {
        let (items, queries) = joined.map_err(StoreError::engine)??;
        report.queries += queries;
        report.items += items.len() as u64;
        for row in items.iter().filter_map(|item| readable(item, Row::of)) {
            rows.apply(row);
        }
    }
    rows.last_read_from = Some(started_stamp);
    rows.refreshed_at = Some(started);
    Ok(report)
}

async fn read_shard(
    store: &dyn ItemStore,
    partition: String,
    from: Option<String>,
) -> Result<(Vec<Item>, u32), StoreError> {
    let mut items = Vec::new();
    let mut cursor = None;
    let mut queries = 0;
    loop {
        let mut query = Query::index(schema::GSI3.name, partition.clone()).cursor(cursor);
        if let Some(from) = &from {
            query = query.range(RangeCondition::GreaterOrEqual(from.clone()));
        }
        let page = store.query(query).await?;
        queries += 1;
        items.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok((items, queries)),
        }
    }
}
