use super::{
    API_KEY_PREFIX, AdminTokenVerifier, ApiKeyRecord, AuthError, Principal, api_key_store,
    hash_api_key,
};
use crate::cache::TtlCache;
use crate::ports::Clock;
use crate::store::{ItemStore, StoreError};
use crate::types::ApiKeyId;
use http::HeaderMap;
use std::sync::Arc;

/// A key's last-used time is written at most this often, so a busy key does not cost a write
/// per request.
const LAST_USED_PRECISION: time::Duration = time::Duration::minutes(5);

/// How long a process trusts a key record it read, saving the key's `GetItem` on most
/// requests. This bounds how late a revocation made by another process (another Lambda
/// function or container) takes effect; the revoking process forgets the key at once.
pub const API_KEY_CACHE_TTL: time::Duration = time::Duration::seconds(30);
/// Keys a process remembers; a business has a handful.
const API_KEY_CACHE_CAPACITY: usize = 1_000;

/// Turns request headers into a [`Principal`].
pub struct Authenticator {
    store: Arc<dyn ItemStore>,
    admin_tokens: Option<AdminTokenVerifier>,
    clock: Arc<dyn Clock>,
    /// Key records by the key's hash. Unknown keys are not remembered, so a new key works at
    /// once.
    keys: TtlCache<String, ApiKeyRecord>,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthenticateError {
    #[error(transparent)]
    Denied(#[from] AuthError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Authenticator {
    pub fn new(
        store: Arc<dyn ItemStore>,
        admin_tokens: Option<AdminTokenVerifier>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            keys: TtlCache::new(API_KEY_CACHE_CAPACITY),
            store,
            admin_tokens,
            clock,
        }
    }

    /// Stops trusting a key in this process (its revocation was just written).
    pub fn forget_key(&self, id: &ApiKeyId) {
        self.keys.forget_where(|_, record| record.id == *id);
    }

    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, AuthenticateError> {
        let credential = credential(headers).ok_or(AuthError::Missing)?;
        if credential.starts_with(API_KEY_PREFIX) {
            return self.api_key(credential).await;
        }
        let verifier = self
            .admin_tokens
            .as_ref()
            .ok_or_else(|| AuthError::InvalidToken("admin tokens are not configured".into()))?;
        Ok(Principal::Admin(verifier.verify(credential)?))
    }

    async fn api_key(&self, secret: &str) -> Result<Principal, AuthenticateError> {
        let now = self.clock.now();
        let hash = hash_api_key(secret);
        let record = match self.keys.get(&hash, now) {
            Some(record) => record,
            None => {
                let record = api_key_store::find_by_hash(self.store.as_ref(), &hash)
                    .await?
                    .ok_or(AuthError::InvalidApiKey)?;
                self.keys
                    .insert(hash.clone(), record.clone(), now + API_KEY_CACHE_TTL, now);
                record
            }
        };
        if !record.is_usable(now) {
            return Err(AuthError::InvalidApiKey.into());
        }
        let stale = record
            .last_used_at
            .is_none_or(|used| now - used >= LAST_USED_PRECISION);
        if stale {
            match api_key_store::touch(self.store.as_ref(), &record, now).await {
                Ok(()) => self.keys.refresh(
                    &hash,
                    ApiKeyRecord {
                        last_used_at: Some(now),
                        ..record.clone()
                    },
                    now,
                ),
                Err(error) => {
                    tracing::warn!(key_id = %record.id, %error, "could not record the key's last use");
                }
            }
        }
        Ok(Principal::ApiKey(record))
    }
}

/// `Authorization: Bearer <credential>` (Dub) or `x-api-key: <credential>` (StackBE).
fn credential(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, rest) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        });
    bearer
        .or_else(|| {
            headers
                .get("x-api-key")
                .and_then(|value| value.to_str().ok())
                .map(str::trim)
        })
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn reads_bearer_and_x_api_key() {
        assert_eq!(
            credential(&headers(&[("authorization", "Bearer abc")])),
            Some("abc")
        );
        assert_eq!(
            credential(&headers(&[("authorization", "bearer  abc ")])),
            Some("abc")
        );
        assert_eq!(credential(&headers(&[("x-api-key", "abc")])), Some("abc"));
        assert_eq!(
            credential(&headers(&[("authorization", "Basic abc")])),
            None
        );
        assert_eq!(credential(&headers(&[("authorization", "Bearer ")])), None);
        assert_eq!(credential(&headers(&[])), None);
    }
}
