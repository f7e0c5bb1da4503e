//! Recording one click, the same for the redirect and for client-side tracking
//! (`POST /track/click`): a signed click id from the click's claims, and the click the
//! aggregator counts. Where the click goes next differs on purpose: the redirect buffers it
//! (one batch per shard, flushed as batches close, on later requests and at shutdown), while
//! tracking sends it before answering, since an API function has no shutdown flush and its
//! caller waits for the id anyway.

use super::agent::Agent;
use super::click_id::{ClickClaims, ClickIdError, ClickIdSigner};
use crate::model::Click;
use crate::ports::Random;
use crate::types::{ClickId, LinkId, PartnerId, ProgramId};
use time::OffsetDateTime;

/// What a click is recorded from.
pub struct NewClick<'a> {
    pub link_id: &'a LinkId,
    pub partner_id: Option<&'a PartnerId>,
    pub program_id: &'a ProgramId,
    /// Two letters, upper-cased (`redirect::country_code`).
    pub country: Option<String>,
    pub agent: &'a Agent,
    /// The referring page's host (`redirect::referer_domain`).
    pub referer: Option<String>,
    pub qr: bool,
    pub at: OffsetDateTime,
}

/// The click's id, signed over its claims, and the click itself.
pub fn record_click(
    signer: &ClickIdSigner,
    random: &dyn Random,
    new: NewClick<'_>,
) -> Result<(ClickId, Click), ClickIdError> {
    let claims = ClickClaims {
        clicked_at: new.at,
        link_id: new.link_id.clone(),
        country: new.country.clone(),
    };
    let id = signer.issue(&claims, random)?;
    let click = Click {
        id: id.clone(),
        timestamp: new.at,
        link_id: new.link_id.clone(),
        partner_id: new.partner_id.cloned(),
        program_id: new.program_id.clone(),
        country: new.country,
        device: new.agent.device.into(),
        browser: new.agent.browser.clone(),
        os: new.agent.os.clone(),
        referer: new.referer,
        qr: new.qr,
    };
    Ok((id, click))
}
