//! Fixed-window rate limits, counted in the store so that every Lambda instance shares them:
//! one atomic `ADD` per request on the window's counter, which expires through the TTL.

use crate::error::DomainError;
use crate::layout;
use crate::store::{ItemStore, Update, UpdateItem, get_n, n, schema};
use time::OffsetDateTime;

/// At most `limit` requests per `window_seconds`, per subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedWindow {
    /// Names the limit in its counters' keys.
    pub name: &'static str,
    pub limit: i64,
    pub window_seconds: i64,
}

impl FixedWindow {
    /// Counts one request of `subject`; past the limit, 429 with the seconds until the window ends.
    pub async fn hit(
        &self,
        store: &dyn ItemStore,
        now: OffsetDateTime,
        subject: &str,
    ) -> Result<(), DomainError> {
        let now_seconds = now.unix_timestamp();
        let window_start = now_seconds - now_seconds.rem_euclid(self.window_seconds);
        let window_end = window_start + self.window_seconds;
        let counted = store
            .update(UpdateItem {
                key: layout::rate_counter(self.name, subject, window_start),
                update: Update::new()
                    .add("count", 1)
                    // Kept a minute past the window so a late reader still sees it.
                    .set_if_absent(schema::TTL, n(window_end + 60)),
                condition: None,
            })
            .await?;
        if get_n(&counted, "count").unwrap_or(0) > self.limit {
            return Err(DomainError::RateLimited {
                message: format!(
                    "Too many requests: at most {} per {} seconds. Retry later.",
                    self.limit, self.window_seconds
                ),
                retry_after_seconds: (window_end - now_seconds).max(1) as u64,
            });
        }
        Ok(())
    }
}
