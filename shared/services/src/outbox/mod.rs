//! The transactional outbox. A use case adds [`record`] to the same transaction as the change
//! that caused the event, so the event exists if and only if the change committed. The
//! [`relay`] then moves waiting events to the events queue; a crash between commit and enqueue
//! only delays the event until the next relay run.

mod record;
mod relay;

pub use record::{new_event, record};
pub use relay::{OutboxRelay, RelayError, RelayReport};
