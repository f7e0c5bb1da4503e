//! An in-process projection of each program's partners: one compact row per partner (what the
//! list filters and sorts on), kept fresh from the partner change feed (`partners::feed`).
//!
//! The first request of a program in a process reads its whole feed (every partner, once);
//! each later request re-reads only the partners stamped since the newest stamp it saw, less
//! the re-read window. Filtering and ordering then run in memory over the rows, so a request
//! costs the same at page 1 and at page 1,000, and no index per metric is needed.

use super::metrics::sort_value;
use super::query::{ListPartnersQuery, Lookup, SortOrder};
use super::row::Row;
use super::row::id_key;
use super::snapshot;
use crate::layout;
use crate::model::PartnerStatus;
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

/// A row's place in the list as three integers, so that ordering 300,000 rows compares
/// integers rather than chasing each row's id: whether the value is missing (missing values
/// last in either order) with the value's total-order bits, then the id's first 32 bytes
/// (a partner id is 29). Descending order flips them. Ids longer than 32 bytes that share
/// those fall back to comparing whole ids, so the order is exactly "value, then id" and every
/// page is stable across processes.
type SortKey = (u128, u128, u128);

fn sort_key(value: Option<f64>, row: &Row, order: SortOrder) -> SortKey {
    let value_key = match value {
        // `f64::total_cmp`'s order, as an unsigned integer.
        Some(x) => {
            let bits = x.to_bits() as i64;
            let ordered = bits ^ ((((bits >> 63) as u64) >> 1) as i64);
            (ordered as u64 ^ (1 << 63)) as u128
        }
        None => 0,
    };
    let (high, low) = row.id_key;
    let missing = u128::from(value.is_none()) << 64;
    match order {
        SortOrder::Asc => (missing | value_key, high, low),
        SortOrder::Desc => (missing | (!value_key & u128::from(u64::MAX)), !high, !low),
    }
}

fn compare(order: SortOrder, a: &(SortKey, &Row), b: &(SortKey, &Row)) -> Ordering {
    a.0.cmp(&b.0).then_with(|| {
        let by_id = a.1.id.as_str().cmp(b.1.id.as_str());
        match order {
            SortOrder::Asc => by_id,
            SortOrder::Desc => by_id.reverse(),
        }
    })
}

/// The ids of one page of `rows` for `query`: filter, then a partial selection of the page's
/// window (linear in the rows, whatever the page number), then a sort of the page only.
pub fn select_page<'a>(
    rows: impl Iterator<Item = &'a Row>,
    query: &ListPartnersQuery,
) -> Vec<PartnerId> {
    let order = query.sort_order;
    let mut keyed: Vec<(SortKey, &Row)> = rows
        .filter(|row| row.matches(query))
        .map(|row| {
            let value = sort_value(query.sort_by, &row.totals, row.created_at_ns);
            (sort_key(value, row, order), row)
        })
        .collect();
    let offset = query.offset();
    if offset >= keyed.len() {
        return Vec::new();
    }
    let cmp = |a: &(SortKey, &Row), b: &(SortKey, &Row)| compare(order, a, b);
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
    /// Bumped when a row is added or its name, email or company changes.
    text_version: u64,
    search: SearchText,
}

/// Every row's searchable text (name, email, company) in one string, so a text search scans
/// contiguous memory instead of following three strings per row to the heap. Rebuilt only
/// when that text changed, not when counters do.
#[derive(Debug, Default)]
struct SearchText {
    built_for: Option<u64>,
    haystack: String,
    /// Where each row's text starts, by row position.
    starts: Vec<usize>,
}

/// Separates a row's fields (`\u{1}`) and rows (`\u{0}`) in the haystack; a search holding
/// either is answered by the plain scan.
const FIELD_END: char = '\u{1}';
const ROW_END: char = '\u{0}';

impl SearchText {
    fn build(rows: &[Row], version: u64) -> Self {
        let mut haystack = String::with_capacity(rows.len() * 48);
        let mut starts = Vec::with_capacity(rows.len());
        for row in rows {
            starts.push(haystack.len());
            haystack.push_str(&row.name);
            haystack.push(FIELD_END);
            haystack.push_str(row.email.as_deref().unwrap_or_default());
            haystack.push(FIELD_END);
            haystack.push_str(row.company_name.as_deref().unwrap_or_default());
            haystack.push(ROW_END);
        }
        Self {
            built_for: Some(version),
            haystack,
            starts,
        }
    }

    /// Which rows hold `needle` in a field.
    fn matching(&self, needle: &str) -> Vec<bool> {
        let mut found = vec![false; self.starts.len()];
        for (at, _) in self.haystack.match_indices(needle) {
            let row = self.starts.partition_point(|&start| start <= at) - 1;
            found[row] = true;
        }
        found
    }
}

impl ProgramRows {
    /// The ids of one page for `query` ([`select_page`]); a text search first finds its rows
    /// in the search text.
    pub fn select_page(&self, query: &ListPartnersQuery) -> Vec<PartnerId> {
        if let Lookup::SearchText(needle) = &query.lookup {
            let fresh = self.search.built_for == Some(self.text_version);
            if fresh && !needle.is_empty() && !needle.contains([FIELD_END, ROW_END]) {
                let found = self.search.matching(needle);
                let rows = self
                    .rows
                    .iter()
                    .zip(found)
                    .filter_map(|(row, hit)| hit.then_some(row));
                return select_page(rows, query);
            }
        }
        select_page(self.rows.iter(), query)
    }

    /// Brings the search text up to date with the rows.
    fn index_text(&mut self) {
        if self.search.built_for != Some(self.text_version) {
            self.search = SearchText::build(&self.rows, self.text_version);
        }
    }

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
            Some(&at) => {
                let old = &self.rows[at];
                if old.name != row.name
                    || old.email != row.email
                    || old.company_name != row.company_name
                {
                    self.text_version += 1;
                }
                self.rows[at] = row;
            }
            None => {
                self.positions.insert(row.id.clone(), self.rows.len());
                self.rows.push(row);
                self.text_version += 1;
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
    snapshots: SnapshotPolicy,
}

/// When a process writes a program's snapshot (`snapshot`): after loading none, for a program
/// of at least `min_rows` partners (a smaller one reads its feed whole in a few queries); after
/// loading one, when the feed on top of it held at least `rewrite_after` changed partners.
#[derive(Debug, Clone, Copy)]
pub struct SnapshotPolicy {
    pub min_rows: usize,
    pub rewrite_after: u64,
}

impl Default for SnapshotPolicy {
    fn default() -> Self {
        Self {
            min_rows: 2_000,
            rewrite_after: 5_000,
        }
    }
}

impl PartnerDirectory {
    pub fn new(refresh_every: Duration) -> Self {
        Self {
            programs: Mutex::new(HashMap::new()),
            refresh_every,
            // Rows are ~200 bytes: 8 programs of 100,000 partners stay under 200 MB.
            max_programs: 8,
            snapshots: SnapshotPolicy::default(),
        }
    }

    pub fn with_snapshots(mut self, policy: SnapshotPolicy) -> Self {
        self.snapshots = policy;
        self
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
        if rows.last_read_from.is_none() {
            load(store, program, &mut rows, self.snapshots).await?;
        } else if rows
            .refreshed_at
            .is_none_or(|at| at.elapsed() >= self.refresh_every)
        {
            refresh(store, program, &mut rows).await?;
        }
        rows.index_text();
        Ok(read(&rows))
    }
}

/// A process's first read of a program: its snapshot, if any, then the feed from the
/// snapshot's stamp (or the whole feed); a new snapshot when this one was missing or stale.
/// A snapshot that cannot be written costs only the next cold start its speed.
pub async fn load(
    store: &Arc<dyn ItemStore>,
    program: &ProgramId,
    rows: &mut ProgramRows,
    policy: SnapshotPolicy,
) -> Result<RefreshReport, StoreError> {
    let loaded = snapshot::load(store.as_ref(), program).await?;
    let had_snapshot = loaded.is_some();
    if let Some(loaded) = loaded {
        for row in loaded.rows {
            rows.apply(row);
        }
        rows.last_read_from = Some(loaded.stamp);
    }
    let report = refresh(store, program, rows).await?;
    let write = if had_snapshot {
        report.items >= policy.rewrite_after
    } else {
        rows.len() >= policy.min_rows
    };
    if let (true, Some(stamp)) = (write, rows.last_read_from) {
        let now = stamp_now() / 1_000;
        if let Err(error) = snapshot::save(store.as_ref(), program, rows.rows(), stamp, now).await {
            tracing::warn!(program_id = %program, %error, "partner list snapshot not written");
        }
    }
    Ok(report)
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

impl Row {
    pub fn of(item: &Item) -> Result<Self, StoreError> {
        let fields: RowFields = from_json_item(item)?;
        Ok(Self {
            id_key: id_key(&fields.id),
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
            id_key: id_key(&partner.id),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PartnerTotals;

    fn row(id: &str) -> Row {
        let id = PartnerId::parse(id).unwrap();
        Row {
            id_key: id_key(&id),
            id,
            created_at_ns: 0,
            status: PartnerStatus::Approved,
            group_id: "grp_1".into(),
            country: None,
            email: None,
            tenant_id: None,
            name: String::new(),
            company_name: None,
            totals: PartnerTotals::default(),
            stamp: 0,
        }
    }

    /// The plain rule the keys stand for: present values first; by value, then id, in order.
    fn plain(order: SortOrder, a: &(Option<f64>, &str), b: &(Option<f64>, &str)) -> Ordering {
        let ordered = match (a.0, b.0) {
            (None, Some(_)) => return Ordering::Greater,
            (Some(_), None) => return Ordering::Less,
            (None, None) => a.1.cmp(b.1),
            (Some(x), Some(y)) => x.total_cmp(&y).then_with(|| a.1.cmp(b.1)),
        };
        match order {
            SortOrder::Asc => ordered,
            SortOrder::Desc => ordered.reverse(),
        }
    }

    #[test]
    fn a_text_search_over_the_search_text_finds_what_a_scan_finds() {
        let mut rows = ProgramRows::default();
        let people = [
            ("pn_1", "ana smith", Some("ana@x.io"), None),
            ("pn_2", "bob", Some("smithy@y.io"), None),
            ("pn_3", "cat", None, Some("smith & co")),
            ("pn_4", "dan", Some("dan@x.io"), Some("acme")),
        ];
        for (id, name, email, company) in people {
            let mut added = row(id);
            added.name = name.into();
            added.email = email.map(Into::into);
            added.company_name = company.map(Into::into);
            rows.apply(added);
        }
        rows.index_text();
        let search = |rows: &ProgramRows, text: &str| {
            let query = ListPartnersQuery {
                lookup: Lookup::SearchText(text.into()),
                ..Default::default()
            };
            let mut fast = rows.select_page(&query);
            let mut scan = select_page(rows.rows(), &query);
            fast.sort();
            scan.sort();
            assert_eq!(fast, scan, "{text}");
            fast.iter().map(|id| id.to_string()).collect::<Vec<_>>()
        };
        assert_eq!(search(&rows, "smith"), ["pn_1", "pn_2", "pn_3"]);
        assert_eq!(search(&rows, "x.io"), ["pn_1", "pn_4"]);
        assert!(search(&rows, "ana smith@").is_empty());
        // A name change rebuilds the text; a counter change does not need to.
        let mut renamed = row("pn_4");
        renamed.name = "dan smith".into();
        renamed.stamp = 1;
        rows.apply(renamed);
        rows.index_text();
        assert_eq!(search(&rows, "smith"), ["pn_1", "pn_2", "pn_3", "pn_4"]);
        let version = rows.text_version;
        let mut counted = row("pn_4");
        counted.name = "dan smith".into();
        counted.stamp = 2;
        counted.totals.total_clicks = 5;
        rows.apply(counted);
        assert_eq!(rows.text_version, version);
    }

    #[test]
    fn sort_keys_order_as_value_then_id_with_missing_values_last() {
        let values = [
            None,
            Some(0.0),
            Some(0.0),
            Some(-1.5),
            Some(2.0),
            Some(1e18),
            None,
            Some(0.0),
        ];
        // Ids of every length, some sharing their first 16 bytes.
        let ids = [
            "pn_01AAAAAAAAAAAAAAAAAAAAAAAA",
            "pn_01AAAAAAAAAAAAAZ",
            "pn_01AAAAAAAAAAAAAY",
            "pn_1",
            "pn_01BBBBBBBBBBBBBBBBBBBBBBBB",
            "pn_01AAAAAAAAAAAAAAAAAAAAAAAB",
            "pn_01AAAAAAAAAAAAAAAAAAAAAAAAA",
            "pn_jane",
        ];
        let rows: Vec<Row> = ids.iter().map(|id| row(id)).collect();
        for order in [SortOrder::Asc, SortOrder::Desc] {
            let mut keyed: Vec<(SortKey, &Row)> = rows
                .iter()
                .zip(values)
                .map(|(row, value)| (sort_key(value, row, order), row))
                .collect();
            keyed.sort_by(|a, b| compare(order, a, b));
            let got: Vec<&str> = keyed.iter().map(|(_, row)| row.id.as_str()).collect();
            let mut expected: Vec<(Option<f64>, &str)> =
                values.iter().copied().zip(ids.iter().copied()).collect();
            expected.sort_by(|a, b| plain(order, a, b));
            let expected: Vec<&str> = expected.iter().map(|(_, id)| *id).collect();
            assert_eq!(got, expected, "{order:?}");
        }
    }
}
