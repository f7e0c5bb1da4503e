//! Clicks on short links: the signed, self-verifying click id that the redirect hands out and
//! that lead attribution reads back.

pub mod batch;
pub mod click_id;

pub use batch::{ClickBatch, MAX_BATCH_BYTES};
pub use click_id::{ClickClaims, ClickIdError, ClickIdSigner};
