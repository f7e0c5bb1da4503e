//! One partner as the listing holds it in memory: what the list filters and sorts on. The
//! projection builds rows from the feed; snapshots store them.

use crate::model::PartnerStatus;
use crate::model::PartnerTotals;
use crate::types::PartnerId;

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
    /// The id's first 32 bytes as integers ([`id_key`]): sorting compares these, so it never
    /// follows each row's id to the heap.
    pub id_key: (u128, u128),
}

/// An id's first 32 bytes (a partner id is 29) as two big-endian integers: comparing them
/// compares the ids as strings, up to 32 bytes.
pub fn id_key(id: &PartnerId) -> (u128, u128) {
    let mut bytes = [0u8; 32];
    let n = id.as_str().len().min(32);
    bytes[..n].copy_from_slice(&id.as_str().as_bytes()[..n]);
    let (high, low) = bytes.split_at(16);
    (
        u128::from_be_bytes(high.try_into().expect("16 bytes")),
        u128::from_be_bytes(low.try_into().expect("16 bytes")),
    )
}
