//! A persisted copy of a program's partner-list projection, so that a new process (a Lambda
//! cold start) loads its rows in a few large reads instead of reading every partner item
//! through the feed.
//!
//! The rows, with the feed stamp they are complete up to, are written as JSON, deflated, cut
//! into chunks of 350 KB (under DynamoDB's 400 KB item limit) under a new version, and then a
//! head item names that version: a reader never sees a half-written snapshot. A process that
//! loads a snapshot reads the feed from its stamp (less the re-read window), exactly as if it
//! had made those rows itself. A process writes a new snapshot when it loaded none (and the
//! program is big enough for it to matter) or when the feed it read on top of the snapshot
//! held many changes, so a cold start stays a snapshot and a bounded tail of changes. Chunks
//! expire after a week through the table's TTL; a head whose chunks are gone (or that does
//! not decode) is ignored, and the next load reads the feed whole and writes a fresh one.

use super::row::{Row, id_key};
use crate::layout;
use crate::model::{PartnerStatus, PartnerTotals};
use crate::store::{BatchWrite, Consistency, Item, ItemStore, StoreError, get_n, n, schema};
use crate::types::{PartnerId, ProgramId};
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use serde_dynamo::AttributeValue;
use std::io::{Read, Write};

const CHUNK_BYTES: usize = 350 * 1024;
const KEEP_SECONDS: i64 = 7 * 86_400;

/// One row as stored: short names, since there are hundreds of thousands.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredRow {
    i: PartnerId,
    c: i64,
    s: PartnerStatus,
    g: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    o: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    e: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    t: Option<String>,
    n: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    m: Option<String>,
    /// clicks, leads, conversions, sales, sale amount, commissions.
    x: [i64; 6],
    p: i64,
}

impl StoredRow {
    fn of(row: &Row) -> Self {
        let t = &row.totals;
        Self {
            i: row.id.clone(),
            c: i64::try_from(row.created_at_ns).unwrap_or(i64::MAX),
            s: row.status,
            g: row.group_id.clone(),
            o: row.country.clone(),
            e: row.email.clone(),
            t: row.tenant_id.clone(),
            n: row.name.clone(),
            m: row.company_name.clone(),
            x: [
                t.total_clicks,
                t.total_leads,
                t.total_conversions,
                t.total_sales,
                t.total_sale_amount,
                t.total_commissions,
            ],
            p: row.stamp,
        }
    }

    fn into_row(self) -> Row {
        let [clicks, leads, conversions, sales, sale_amount, commissions] = self.x;
        Row {
            id_key: id_key(&self.i),
            id: self.i,
            created_at_ns: i128::from(self.c),
            status: self.s,
            group_id: self.g,
            country: self.o,
            email: self.e,
            tenant_id: self.t,
            name: self.n,
            company_name: self.m,
            totals: PartnerTotals {
                total_clicks: clicks,
                total_leads: leads,
                total_conversions: conversions,
                total_sales: sales,
                total_sale_amount: sale_amount,
                total_commissions: commissions,
            },
            stamp: self.p,
        }
    }
}

/// Rows as deflated JSON.
pub fn encode<'a>(rows: impl Iterator<Item = &'a Row>) -> Vec<u8> {
    let stored: Vec<StoredRow> = rows.map(StoredRow::of).collect();
    let json = serde_json::to_vec(&stored).expect("rows serialise");
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(&json).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

pub fn decode(bytes: &[u8]) -> Option<Vec<Row>> {
    let mut json = Vec::new();
    DeflateDecoder::new(bytes).read_to_end(&mut json).ok()?;
    let stored: Vec<StoredRow> = serde_json::from_slice(&json).ok()?;
    Some(stored.into_iter().map(StoredRow::into_row).collect())
}

/// Rows complete up to feed stamp `stamp`.
pub struct Snapshot {
    pub rows: Vec<Row>,
    pub stamp: i64,
}

/// The program's current snapshot, if there is one that reads whole.
pub async fn load(
    store: &dyn ItemStore,
    program: &ProgramId,
) -> Result<Option<Snapshot>, StoreError> {
    let Some(head) = store
        .get(
            &layout::listing_snapshot_head(program),
            Consistency::Eventual,
        )
        .await?
    else {
        return Ok(None);
    };
    let (Some(version), Some(stamp), Some(chunks)) = (
        get_n(&head, "version"),
        get_n(&head, "stamp"),
        get_n(&head, "chunks"),
    ) else {
        return Ok(None);
    };
    let keys: Vec<_> = (0..chunks as usize)
        .map(|index| layout::listing_snapshot_chunk(program, version, index))
        .collect();
    let mut found: Vec<(String, Vec<u8>)> = store
        .batch_get(keys)
        .await?
        .into_iter()
        .filter_map(|item| {
            let sk = crate::store::get_s(&item, schema::SK)?.to_owned();
            match item.into_inner().remove("data") {
                Some(AttributeValue::B(bytes)) => Some((sk, bytes)),
                _ => None,
            }
        })
        .collect();
    if found.len() as i64 != chunks {
        tracing::warn!(program_id = %program, "partner list snapshot incomplete; reading the feed");
        return Ok(None);
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    let bytes: Vec<u8> = found.into_iter().flat_map(|(_, chunk)| chunk).collect();
    match decode(&bytes) {
        Some(rows) => Ok(Some(Snapshot { rows, stamp })),
        None => {
            tracing::warn!(program_id = %program, "partner list snapshot unreadable; reading the feed");
            Ok(None)
        }
    }
}

/// Writes `rows` (complete up to `stamp`) as the program's snapshot: the chunks first, then
/// the head. Returns the number of chunks.
pub async fn save<'a>(
    store: &dyn ItemStore,
    program: &ProgramId,
    rows: impl Iterator<Item = &'a Row>,
    stamp: i64,
    now_unix: i64,
) -> Result<usize, StoreError> {
    let bytes = encode(rows);
    let version = stamp;
    let expires = now_unix + KEEP_SECONDS;
    let chunks: Vec<BatchWrite> = bytes
        .chunks(CHUNK_BYTES)
        .enumerate()
        .map(|(index, chunk)| {
            let mut item: Item = layout::listing_snapshot_chunk(program, version, index).to_item();
            item.insert("data".into(), AttributeValue::B(chunk.to_vec()));
            item.insert(schema::TTL.into(), n(expires));
            BatchWrite::Put(item)
        })
        .collect();
    let count = chunks.len();
    store.batch_write(chunks).await?;
    let mut head = layout::listing_snapshot_head(program).to_item();
    head.insert("version".into(), n(version));
    head.insert("stamp".into(), n(stamp));
    head.insert("chunks".into(), n(count as i64));
    head.insert(schema::TTL.into(), n(expires));
    store.batch_write(vec![BatchWrite::Put(head)]).await?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_survive_encoding() {
        let rows: Vec<Row> = (0..1_000)
            .map(|i| Row {
                id_key: super::id_key(&PartnerId::parse(&format!("pn_{i:026}")).unwrap()),
                id: PartnerId::parse(&format!("pn_{i:026}")).unwrap(),
                created_at_ns: 1_700_000_000_000_000_000 + i,
                status: PartnerStatus::Approved,
                group_id: "grp_default".into(),
                country: (i % 2 == 0).then(|| "US".into()),
                email: Some(format!("p{i}@example.com")),
                tenant_id: (i % 3 == 0).then(|| format!("t{i}")),
                name: format!("partner {i}"),
                company_name: None,
                totals: PartnerTotals {
                    total_clicks: i as i64 * 7,
                    total_sale_amount: i as i64 * 1_000,
                    ..Default::default()
                },
                stamp: 42 + i as i64,
            })
            .collect();
        let bytes = encode(rows.iter());
        assert!(bytes.len() < 40 * rows.len(), "{} bytes", bytes.len());
        assert_eq!(decode(&bytes), Some(rows));
        assert_eq!(decode(&bytes[..bytes.len() / 2]), None);
    }
}
