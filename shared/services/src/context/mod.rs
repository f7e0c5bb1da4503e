//! What the use cases run with: the storage port, the small ports and the authenticator.
//! Lambda mains and the local stack build one at start-up and share it across requests.

use crate::auth::{AdminTokenVerifier, Authenticator};
use crate::ports::{Clock, IdSource, Random, UlidIds};
use crate::store::ItemStore;
use std::sync::Arc;

mod kept;
mod program_config;
mod transfers;

pub use kept::Kept;
pub use program_config::{PROGRAM_CONFIG_TTL, ProgramConfigCache};
pub use transfers::{Transfer, TransferError, TransferRequest, TransferSender};

pub struct AppContext {
    pub store: Arc<dyn ItemStore>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdSource>,
    pub random: Arc<dyn Random>,
    pub auth: Authenticator,
    /// Program settings and group rewards for the tracking path (short TTL).
    pub config: ProgramConfigCache,
    /// The Stripe Connect rail of payouts; `None` when no Stripe key is configured.
    pub transfers: Option<Arc<dyn TransferSender>>,
    /// What features keep per process for themselves (the tops' day figures, `analytics::tops`).
    pub kept: Kept,
}

impl AppContext {
    /// The usual wiring: time-ordered ids from the clock and the random source, and an
    /// authenticator over the same store (admin tokens only when a verifier is given).
    pub fn new(
        store: Arc<dyn ItemStore>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
        admin_tokens: Option<AdminTokenVerifier>,
    ) -> Self {
        Self {
            auth: Authenticator::new(store.clone(), admin_tokens, clock.clone()),
            config: ProgramConfigCache::new(clock.clone()),
            ids: Arc::new(UlidIds::new(clock.clone(), random.clone())),
            store,
            clock,
            random,
            transfers: None,
            kept: Kept::default(),
        }
    }

    /// With a rail that makes Stripe Connect transfers.
    pub fn with_transfers(mut self, transfers: Option<Arc<dyn TransferSender>>) -> Self {
        self.transfers = transfers;
        self
    }
}
