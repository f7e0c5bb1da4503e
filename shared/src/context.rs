//! What the use cases run with: the storage port, the small ports and the authenticator.
//! Lambda mains and the local stack build one at start-up and share it across requests.

use crate::auth::{AdminTokenVerifier, Authenticator};
use crate::payouts::transfers::TransferSender;
use crate::ports::{Clock, IdSource, Random, UlidIds};
use crate::programs::ProgramConfigCache;
use crate::store::ItemStore;
use std::sync::Arc;

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
    /// Each day's figures per link and partner, for the program's tops (`analytics::tops`).
    pub tops: crate::analytics::tops::TopsCache,
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
            tops: Default::default(),
        }
    }

    /// With a rail that makes Stripe Connect transfers.
    pub fn with_transfers(mut self, transfers: Option<Arc<dyn TransferSender>>) -> Self {
        self.transfers = transfers;
        self
    }
}
