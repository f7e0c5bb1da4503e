//! Clicks on short links: where they are recorded (the redirect and client-side tracking,
//! `POST /track/click`), the signed, self-verifying click id that the redirect hands out and
//! that lead attribution reads back; the click queue's batches, their sender-side buffer, and
//! the aggregator that turns them into link and partner counters exactly once.

pub mod agent;
pub mod aggregate;
pub mod batch;
pub mod buffer;
pub mod click_id;
mod counter;
pub mod fold;
mod journal;
pub mod record;
pub mod redirect;
pub mod shard;
pub mod track;

pub use agent::{Agent, AgentParser, Platform};
pub use aggregate::{AggregateReport, ClickAggregator, MalformedBatch};
pub use batch::{ClickBatch, MAX_BATCH_BYTES};
pub use buffer::{ClickBuffer, ReadyBatch, send_batches};
pub use click_id::{ClickClaims, ClickIdError, ClickIdSigner};
pub use fold::{FoldOutcome, FoldPolicy, FoldTotals};
pub use redirect::{RedirectPorts, RedirectResponse, RedirectSettings, Redirector, Visit};
pub use shard::{SHARDS, shard_of};
