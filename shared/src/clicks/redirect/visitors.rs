//! Repeat clicks: one counted click per visitor and link per hour. A visitor is the SHA-256 of
//! the link id, the client IP and the user agent; only the first 128 bits of the hash are kept,
//! in memory, and the raw IP is never stored.
//!
//! The memory is per process (per Lambda instance): a repeat that lands on another instance,
//! or after the instance was recycled, counts again. The click-id cookie covers visitors who
//! keep cookies; this covers those who do not, as far as one instance sees.

use crate::types::ClickId;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use time::OffsetDateTime;

pub struct RepeatVisitors {
    seen: Mutex<HashMap<u128, (ClickId, OffsetDateTime)>>,
    capacity: usize,
}

/// The hash that stands for a visitor of a link.
pub fn visitor_key(link_id: &str, client_ip: &str, user_agent: &str) -> u128 {
    let mut hasher = Sha256::new();
    hasher.update(link_id.as_bytes());
    hasher.update([0]);
    hasher.update(client_ip.as_bytes());
    hasher.update([0]);
    hasher.update(user_agent.as_bytes());
    let digest = hasher.finalize();
    u128::from_be_bytes(digest[..16].try_into().expect("16 bytes"))
}

impl RepeatVisitors {
    pub fn new(capacity: usize) -> Self {
        Self {
            seen: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// The click id this visitor got within the window, if any.
    pub fn repeat(&self, visitor: u128, now: OffsetDateTime) -> Option<ClickId> {
        let seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.get(&visitor)
            .filter(|(_, until)| *until > now)
            .map(|(id, _)| id.clone())
    }

    pub fn remember(&self, visitor: u128, id: ClickId, until: OffsetDateTime, now: OffsetDateTime) {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.len() >= self.capacity {
            seen.retain(|_, (_, at)| *at > now);
            if seen.len() >= self.capacity {
                seen.clear();
            }
        }
        seen.insert(visitor, (id, until));
    }
}
