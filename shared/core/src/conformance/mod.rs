//! One conformance suite for the storage and queue ports, run against every engine.
//!
//! Each case is a `pub async fn` taking the engine under test: store cases take an
//! `Arc<dyn ItemStore>` (they use fresh, unique partition keys, so cases may share one table);
//! queue cases take a [`QueueFactory`] that makes fresh queues. The cases only rely on what
//! DynamoDB and SQS themselves guarantee (eventually consistent index reads, pages that may end
//! with an empty one, receives that return fewer messages than asked).
//!
//! An engine's test file runs the whole suite with two macros:
//!
//! ```text
//! use shared::store::ItemStore;
//! use std::sync::Arc;
//! shared::store_conformance_tests!(async { Arc::new(MyStore::new()) as Arc<dyn ItemStore> });
//! shared::queue_conformance_tests!(async { Arc::new(MyFactory::new()) as Arc<dyn QueueFactory> });
//! ```
//!
//! The expression is awaited once per test. The test crate needs `tokio` (with `macros`).

mod embedded;
mod support;

pub mod queue;
pub mod store;

pub use support::unique;

use crate::queue::{MessageQueue, QueueSettings};
use async_trait::async_trait;
use std::sync::Arc;

/// Makes fresh queues for the queue cases.
#[async_trait]
pub trait QueueFactory: Send + Sync {
    /// A new queue with a unique name and these settings. When `settings.max_receive_count` is
    /// set, the factory also makes a new dead-letter queue, names it in
    /// `settings.dead_letter_queue` (any value there is replaced) and returns it second.
    async fn create(
        &self,
        settings: QueueSettings,
    ) -> (Arc<dyn MessageQueue>, Option<Arc<dyn MessageQueue>>);
}

/// Expands into one `#[tokio::test]` per case of a module of this suite.
#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_tests {
    ($module:ident, $engine:expr; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                $crate::conformance::$module::$case($engine.await).await;
            }
        )+
    };
}

/// One test per store case; the argument is a future of an `Arc<dyn ItemStore>`.
#[macro_export]
macro_rules! store_conformance_tests {
    ($store:expr) => {
        $crate::__conformance_tests!(store, $store;
            store_round_trip,
            store_put_replaces_whole_item,
            store_conditional_put_race,
            store_version_condition,
            store_condition_semantics,
            store_update_semantics,
            store_update_validation,
            store_counter_under_concurrency,
            store_transaction_rollback,
            store_transaction_applies_all,
            store_transaction_limits,
            store_index_pagination,
            store_index_range_conditions,
            store_index_query_rules,
            store_foreign_cursors_are_refused,
            store_table_pagination,
            store_table_range_conditions,
            store_consistent_query_sees_writes,
            store_batch_chunking,
            store_batch_write_rules,
            store_item_rules,
        );
    };
}

/// One test per queue case; the argument is a future of an `Arc<dyn QueueFactory>`.
#[macro_export]
macro_rules! queue_conformance_tests {
    ($factory:expr) => {
        $crate::__conformance_tests!(queue, $factory;
            queue_send_all_receive_all,
            queue_batch_rules,
            queue_redelivery_after_visibility_timeout,
            queue_change_visibility,
            queue_delete,
            queue_dead_letter,
            queue_delay,
            queue_long_poll_wakes_on_send,
            queue_concurrent_consumers,
        );
    };
}
