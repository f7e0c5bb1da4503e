//! The embedded referral dashboard (Dub's embed flow): the business's backend asks for a public
//! token (`POST /tokens/embed/referrals`), its page frames `/embed/referrals?token=…`, and the
//! page trades the token once for a short partner session (`POST /embed/referrals/session`)
//! with which it reads only that partner's figures (`GET /v1/affiliate/embed`,
//! `/v1/affiliate/analytics`, `/v1/affiliate/commissions`).
//!
//! Why a trade and not the token itself: the public token travels in a URL (the iframe's
//! `src`), where logs and browser history keep it; used once, it is worth nothing there after
//! the page has loaded. The session it becomes lives only in the page's memory.

mod exchange;
mod issue;
mod settings;
mod token;
mod view;
mod wording;

pub use crate::model::{
    EmbedLink, EmbedLook, EmbedReward, EmbedSession, EmbedView, IssuedEmbedToken,
    ReferralCommission,
};
pub use exchange::{TradeEmbedToken, exchange_embed_token};
pub use issue::{CreateEmbedToken, create_embed_token};
pub use settings::{DEFAULT_THEME_COLOR, embed_look};
pub use token::{EMBED_TOKEN_PREFIX, EMBED_TOKEN_TTL, EmbedTokenRecord, find_embed_token};
pub use view::{MAX_COMMISSIONS_PAGE, embed_view, mask_email, partner_commissions_page};
pub use wording::{discount_text, format_money, reward_text};
