//! The single table's key schema. The full design (entities, keys, access patterns) is in
//! `infra/TABLE_DESIGN.md`.

/// Partition key attribute of the table.
pub const PK: &str = "pk";
/// Sort key attribute of the table.
pub const SK: &str = "sk";
/// Expiry attribute (epoch seconds) used as the DynamoDB TTL attribute. Expired items may stay
/// readable until removed, so code that cares about expiry also checks the time itself.
pub const TTL: &str = "ttl";

/// A global secondary index: string partition and sort keys, all attributes projected.
/// An item appears in an index only when it carries both key attributes as strings (sparse index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexDef {
    pub name: &'static str,
    pub pk: &'static str,
    pub sk: &'static str,
}

/// Secondary index 1: lists inside a program (keys by program, applications by status, ...).
pub const GSI1: IndexDef = IndexDef {
    name: "gsi1",
    pk: "gsi1pk",
    sk: "gsi1sk",
};

/// Secondary index 2: a second list inside a program (applications by status, partners by
/// group). Unique values (email, code, tenant id) are claim items instead: a strong `GetItem`
/// finds them, and `attribute_not_exists` in the creating transaction keeps them unique.
pub const GSI2: IndexDef = IndexDef {
    name: "gsi2",
    pk: "gsi2pk",
    sk: "gsi2sk",
};

/// Secondary index 3: a program's partner change feed (partners by the time their listing
/// fields or counters last changed) and a partner's links.
pub const GSI3: IndexDef = IndexDef {
    name: "gsi3",
    pk: "gsi3pk",
    sk: "gsi3sk",
};

/// Every index of the table.
pub const INDEXES: [IndexDef; 3] = [GSI1, GSI2, GSI3];

/// The definition of an index by name.
pub fn index(name: &str) -> Option<IndexDef> {
    INDEXES.iter().copied().find(|index| index.name == name)
}
