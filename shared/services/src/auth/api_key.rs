use super::Scope;
use crate::ports::{IdSource, Random};
use crate::types::{ApiKeyId, ProgramId};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// Every Partnerline API key starts with this, so leaked keys are easy to spot and scan for.
pub const API_KEY_PREFIX: &str = "plk_";
const RANDOM_BYTES: usize = 32;

/// A stored API key: only a SHA-256 hash of the secret is kept.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyRecord {
    pub id: ApiKeyId,
    pub program_id: ProgramId,
    pub name: String,
    /// Hex SHA-256 of the whole key.
    pub hashed_key: String,
    /// For display only: the prefix and the last four characters.
    pub partial_key: String,
    pub scopes: Vec<Scope>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub revoked_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub last_used_at: Option<OffsetDateTime>,
}

impl ApiKeyRecord {
    pub fn is_usable(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|expires| expires > now)
    }

    pub fn allows(&self, needed: Scope) -> bool {
        self.scopes.iter().any(|scope| scope.grants(needed))
    }
}

/// A newly made key: the secret is shown once and never stored.
#[derive(Debug, Clone)]
pub struct IssuedApiKey {
    pub secret: String,
    pub record: ApiKeyRecord,
}

impl IssuedApiKey {
    pub fn generate(
        random: &dyn Random,
        ids: &dyn IdSource,
        program_id: ProgramId,
        name: String,
        scopes: Vec<Scope>,
        expires_at: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Self {
        let mut bytes = [0u8; RANDOM_BYTES];
        random.fill(&mut bytes);
        let secret = format!("{API_KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        let partial_key = format!("{API_KEY_PREFIX}...{}", &secret[secret.len() - 4..]);
        let record = ApiKeyRecord {
            id: ApiKeyId::generate(ids),
            program_id,
            name,
            hashed_key: hash_api_key(&secret),
            partial_key,
            scopes,
            created_at: now,
            expires_at,
            revoked_at: None,
            last_used_at: None,
        };
        Self { secret, record }
    }
}

/// Hex SHA-256 of a key, the form keys are stored and looked up by.
pub fn hash_api_key(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// An API key as listed: never the secret nor its hash. `key` is set only in the answer that
/// creates the key (`wire::programs::ApiKeySchema` is its wire form).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKeyView {
    pub id: ApiKeyId,
    pub name: String,
    pub key: Option<String>,
    pub partial_key: String,
    pub scopes: Vec<Scope>,
    pub created_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
    pub last_used_at: Option<OffsetDateTime>,
}

impl From<ApiKeyRecord> for ApiKeyView {
    fn from(record: ApiKeyRecord) -> Self {
        Self {
            id: record.id,
            name: record.name,
            key: None,
            partial_key: record.partial_key,
            scopes: record.scopes,
            created_at: record.created_at,
            expires_at: record.expires_at,
            revoked_at: record.revoked_at,
            last_used_at: record.last_used_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{SeededRandom, SequentialIds};
    use time::macros::datetime;

    fn issue() -> IssuedApiKey {
        IssuedApiKey::generate(
            &SeededRandom::new(1),
            &SequentialIds::default(),
            ProgramId::parse("prog_1").unwrap(),
            "server".into(),
            vec![Scope::PartnersRead],
            None,
            datetime!(2026-01-01 0:00 UTC),
        )
    }

    #[test]
    fn keys_have_a_prefix_and_enough_entropy_and_only_a_hash_is_kept() {
        let key = issue();
        assert!(key.secret.starts_with(API_KEY_PREFIX));
        assert_eq!(key.secret.len(), API_KEY_PREFIX.len() + 43);
        assert_eq!(key.record.hashed_key, hash_api_key(&key.secret));
        assert_eq!(key.record.hashed_key.len(), 64);
        let stored = serde_json::to_string(&key.record).unwrap();
        assert!(!stored.contains(&key.secret[API_KEY_PREFIX.len()..]));
        assert!(
            key.record
                .partial_key
                .ends_with(&key.secret[key.secret.len() - 4..])
        );
    }

    #[test]
    fn revoked_or_expired_keys_are_unusable() {
        let now = datetime!(2026-01-02 0:00 UTC);
        let mut record = issue().record;
        assert!(record.is_usable(now));
        record.expires_at = Some(datetime!(2026-01-01 12:00 UTC));
        assert!(!record.is_usable(now));
        record.expires_at = None;
        record.revoked_at = Some(now);
        assert!(!record.is_usable(now));
    }
}
