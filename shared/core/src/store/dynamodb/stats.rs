//! Cheap counters of requests and consumed capacity per operation, for cost reports.

use aws_sdk_dynamodb::types::ConsumedCapacity;
use std::sync::atomic::{AtomicU64, Ordering};

/// The DynamoDB operations the engine sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    GetItem,
    PutItem,
    UpdateItem,
    DeleteItem,
    TransactWriteItems,
    Query,
    BatchGetItem,
    BatchWriteItem,
}

impl Operation {
    pub const ALL: [Operation; 8] = [
        Operation::GetItem,
        Operation::PutItem,
        Operation::UpdateItem,
        Operation::DeleteItem,
        Operation::TransactWriteItems,
        Operation::Query,
        Operation::BatchGetItem,
        Operation::BatchWriteItem,
    ];

    fn reads(self) -> bool {
        matches!(
            self,
            Operation::GetItem | Operation::Query | Operation::BatchGetItem
        )
    }
}

/// What one operation cost so far. Requests count every call sent, retries included.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct OperationStats {
    pub requests: u64,
    pub read_units: f64,
    pub write_units: f64,
}

/// A snapshot of [`Stats`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StatsSnapshot {
    pub operations: Vec<(Operation, OperationStats)>,
}

impl StatsSnapshot {
    pub fn get(&self, operation: Operation) -> OperationStats {
        self.operations
            .iter()
            .find(|(op, _)| *op == operation)
            .map(|(_, stats)| *stats)
            .unwrap_or_default()
    }

    pub fn total(&self) -> OperationStats {
        self.operations
            .iter()
            .fold(OperationStats::default(), |sum, (_, stats)| {
                OperationStats {
                    requests: sum.requests + stats.requests,
                    read_units: sum.read_units + stats.read_units,
                    write_units: sum.write_units + stats.write_units,
                }
            })
    }
}

// Capacity units are kept in thousandths so that plain atomics suffice.
const MILLI: f64 = 1000.0;

#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    read_milli: AtomicU64,
    write_milli: AtomicU64,
}

/// Request and capacity counters of one store.
#[derive(Debug, Default)]
pub struct Stats {
    counters: [Counters; 8],
}

impl Stats {
    fn counters(&self, operation: Operation) -> &Counters {
        &self.counters[operation as usize]
    }

    pub fn request(&self, operation: Operation) {
        self.counters(operation)
            .requests
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Adds the consumed capacity a response reported. When DynamoDB (or a local emulator)
    /// reports only the total, it is read or write capacity by the kind of operation.
    pub fn consumed<'a>(
        &self,
        operation: Operation,
        capacities: impl IntoIterator<Item = &'a ConsumedCapacity>,
    ) {
        let counters = self.counters(operation);
        for capacity in capacities {
            let (read, write) = match (
                capacity.read_capacity_units(),
                capacity.write_capacity_units(),
            ) {
                (None, None) => {
                    let total = capacity.capacity_units().unwrap_or(0.0);
                    if operation.reads() {
                        (total, 0.0)
                    } else {
                        (0.0, total)
                    }
                }
                (read, write) => (read.unwrap_or(0.0), write.unwrap_or(0.0)),
            };
            counters
                .read_milli
                .fetch_add((read * MILLI).round() as u64, Ordering::Relaxed);
            counters
                .write_milli
                .fetch_add((write * MILLI).round() as u64, Ordering::Relaxed);
        }
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        let operations = Operation::ALL
            .iter()
            .map(|&operation| {
                let counters = self.counters(operation);
                let stats = OperationStats {
                    requests: counters.requests.load(Ordering::Relaxed),
                    read_units: counters.read_milli.load(Ordering::Relaxed) as f64 / MILLI,
                    write_units: counters.write_milli.load(Ordering::Relaxed) as f64 / MILLI,
                };
                (operation, stats)
            })
            .collect();
        StatsSnapshot { operations }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_requests_and_units_per_operation() {
        let stats = Stats::default();
        stats.request(Operation::PutItem);
        stats.request(Operation::PutItem);
        stats.request(Operation::GetItem);
        let total = ConsumedCapacity::builder().capacity_units(1.0).build();
        stats.consumed(Operation::PutItem, [&total]);
        stats.consumed(Operation::GetItem, [&total]);
        let split = ConsumedCapacity::builder()
            .read_capacity_units(0.5)
            .write_capacity_units(2.0)
            .build();
        stats.consumed(Operation::TransactWriteItems, [&split]);

        let snapshot = stats.snapshot();
        assert_eq!(snapshot.get(Operation::PutItem).requests, 2);
        assert_eq!(snapshot.get(Operation::PutItem).write_units, 1.0);
        assert_eq!(snapshot.get(Operation::GetItem).read_units, 1.0);
        assert_eq!(snapshot.get(Operation::TransactWriteItems).read_units, 0.5);
        let total = snapshot.total();
        assert_eq!(total.requests, 3);
        assert_eq!(total.write_units, 3.0);
        assert_eq!(total.read_units, 1.5);
    }
}
