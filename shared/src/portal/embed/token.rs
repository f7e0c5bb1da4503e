//! Public embed tokens: `pet_` + 32 random bytes, stored only as a SHA-256 hash (as sessions
//! and API keys are), valid two hours (Dub's), traded once for a session.

use crate::layout;
use crate::portal::hash_session_token;
use crate::ports::Random;
use crate::store::{
    Condition, Consistency, ItemStore, StoreError, TxOp, Update, UpdateItem, from_item, s,
};
use crate::types::{PartnerId, ProgramId};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// Every public embed token starts with this, so it is never mistaken for a session or a key.
pub const EMBED_TOKEN_PREFIX: &str = "pet_";
/// How long a public token can be traded (Dub's: two hours).
pub const EMBED_TOKEN_TTL: Duration = Duration::hours(2);

/// A stored public token: for whom, until when, and whether it was traded.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbedTokenRecord {
    pub hashed_token: String,
    pub program_id: ProgramId,
    pub partner_id: PartnerId,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub used_at: Option<OffsetDateTime>,
}

impl EmbedTokenRecord {
    /// A new token and its record; the token is shown once and never stored.
    pub fn generate(
        random: &dyn Random,
        program_id: ProgramId,
        partner_id: PartnerId,
        now: OffsetDateTime,
    ) -> (String, Self) {
        let mut bytes = [0u8; 32];
        random.fill(&mut bytes);
        let token = format!("{EMBED_TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        let record = Self {
            hashed_token: hash_session_token(&token),
            program_id,
            partner_id,
            created_at: now,
            expires_at: now + EMBED_TOKEN_TTL,
            used_at: None,
        };
        (token, record)
    }

    /// Not yet traded and not expired (the TTL deletes only eventually).
    pub fn is_tradable(&self, now: OffsetDateTime) -> bool {
        self.used_at.is_none() && self.expires_at > now
    }
}

pub(super) fn insert(record: &EmbedTokenRecord) -> Result<TxOp, StoreError> {
    crate::portal::session_store::insert_expiring(
        record,
        layout::embed_token(&record.hashed_token),
        record.expires_at,
    )
}

/// The record of a token as given (any string: one that is not a token finds nothing).
/// Strong read: a traded token must stop working at once.
pub async fn find_embed_token(
    store: &dyn ItemStore,
    token: &str,
) -> Result<Option<EmbedTokenRecord>, StoreError> {
    let token = token.trim();
    if !token.starts_with(EMBED_TOKEN_PREFIX) {
        return Ok(None);
    }
    let key = layout::embed_token(&hash_session_token(token));
    match store.get(&key, Consistency::Strong).await? {
        Some(item) => Ok(Some(from_item(item)?)),
        None => Ok(None),
    }
}

/// Marks a token traded; the condition makes two concurrent trades of one token end in one
/// session, not two.
pub(super) fn mark_used(hashed_token: &str, now: OffsetDateTime) -> TxOp {
    TxOp::Update(UpdateItem {
        key: layout::embed_token(hashed_token),
        update: Update::new().set("usedAt", s(now.format(&Rfc3339).expect("UTC formats"))),
        condition: Some(Condition::Exists.and(Condition::AttributeNotExists("usedAt".into()))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::SeededRandom;
    use time::macros::datetime;

    #[test]
    fn tokens_have_a_prefix_last_two_hours_and_only_a_hash_is_kept() {
        let now = datetime!(2026-12-04 9:00 UTC);
        let (token, record) = EmbedTokenRecord::generate(
            &SeededRandom::new(3),
            ProgramId::parse("prog_1").unwrap(),
            PartnerId::parse("pn_1").unwrap(),
            now,
        );
        assert!(token.starts_with(EMBED_TOKEN_PREFIX));
        assert_eq!(record.hashed_token, hash_session_token(&token));
        assert!(
            !serde_json::to_string(&record)
                .unwrap()
                .contains(&token[4..])
        );
        assert!(record.is_tradable(now + Duration::minutes(119)));
        assert!(!record.is_tradable(now + Duration::hours(2)));
        let used = EmbedTokenRecord {
            used_at: Some(now),
            ..record
        };
        assert!(!used.is_tradable(now));
    }
}
