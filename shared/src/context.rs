//! What the use cases run with: the storage port, the small ports and the authenticator.
//! Lambda mains and the local stack build one at start-up and share it across requests.

use crate::auth::Authenticator;
use crate::ports::{Clock, IdSource, Random};
use crate::store::ItemStore;
use std::sync::Arc;

pub struct AppContext {
    pub store: Arc<dyn ItemStore>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdSource>,
    pub random: Arc<dyn Random>,
    pub auth: Authenticator,
}
