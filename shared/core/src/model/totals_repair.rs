//! What a repair of a partner's counters answers (`totals_repair::recompute_totals`).

/// One counter the repair set (`wire::programs::RepairReportSchema` is the report's wire form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterChange {
    pub counter: &'static str,
    /// The stored value as it was (`null` when absent).
    pub before: Option<String>,
    pub after: i64,
}

/// The changed counters of one record (a partner or a link).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRepair {
    pub id: String,
    pub changes: Vec<CounterChange>,
}

/// A record left out of every total, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excluded {
    pub id: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairReport {
    pub partner: RecordRepair,
    pub links: Vec<RecordRepair>,
    pub excluded: Vec<Excluded>,
}
