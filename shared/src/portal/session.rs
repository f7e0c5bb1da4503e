//! Partner session tokens: opaque `pst_` + 32 random bytes, stored only as a SHA-256 hash (as API
//! keys are), so a leaked table does not leak usable tokens and a check is one strong read.

use crate::model::PartnerSessionRecord;
use crate::ports::Random;
use crate::types::{PartnerId, ProgramId};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// Every partner session token starts with this, so it is never mistaken for an API key.
pub const SESSION_PREFIX: &str = "pst_";
const RANDOM_BYTES: usize = 32;

/// How long a session lasts unless the backend asks for less.
pub const DEFAULT_SESSION_TTL: Duration = Duration::hours(24);
/// The longest session a backend may ask for.
pub const MAX_SESSION_TTL: Duration = Duration::days(30);

/// A new session: the token is shown once to the backend and never stored.
#[derive(Debug, Clone)]
pub struct IssuedSession {
    pub token: String,
    pub record: PartnerSessionRecord,
}

impl IssuedSession {
    pub fn generate(
        random: &dyn Random,
        program_id: ProgramId,
        partner_id: PartnerId,
        now: OffsetDateTime,
        ttl: Duration,
    ) -> Self {
        let mut bytes = [0u8; RANDOM_BYTES];
        random.fill(&mut bytes);
        let token = format!("{SESSION_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        let record = PartnerSessionRecord {
            hashed_token: hash_session_token(&token),
            program_id,
            partner_id,
            created_at: now,
            expires_at: now + ttl,
            revoked_at: None,
        };
        Self { token, record }
    }
}

/// Hex SHA-256 of a token, the form sessions are stored and looked up by.
pub fn hash_session_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::SeededRandom;
    use time::macros::datetime;

    #[test]
    fn tokens_have_a_prefix_and_only_a_hash_is_kept_and_they_expire() {
        let now = datetime!(2026-01-01 0:00 UTC);
        let issued = IssuedSession::generate(
            &SeededRandom::new(7),
            ProgramId::parse("prog_1").unwrap(),
            PartnerId::parse("pn_1").unwrap(),
            now,
            DEFAULT_SESSION_TTL,
        );
        assert!(issued.token.starts_with(SESSION_PREFIX));
        assert_eq!(issued.token.len(), SESSION_PREFIX.len() + 43);
        assert_eq!(
            issued.record.hashed_token,
            hash_session_token(&issued.token)
        );
        let stored = serde_json::to_string(&issued.record).unwrap();
        assert!(!stored.contains(&issued.token[SESSION_PREFIX.len()..]));
        assert!(issued.record.is_usable(now + Duration::hours(23)));
        assert!(!issued.record.is_usable(now + Duration::hours(24)));
        let mut revoked = issued.record.clone();
        revoked.revoked_at = Some(now);
        assert!(!revoked.is_usable(now));
    }
}
