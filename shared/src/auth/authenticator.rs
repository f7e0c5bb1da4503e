use super::{
    API_KEY_PREFIX, AdminTokenVerifier, AuthError, Principal, api_key_store, hash_api_key,
};
use crate::ports::Clock;
use crate::store::{ItemStore, StoreError};
use http::HeaderMap;
use std::sync::Arc;

/// A key's last-used time is written at most this often, so a busy key does not cost a write
/// per request.
const LAST_USED_PRECISION: time::Duration = time::Duration::minutes(5);

/// Turns request headers into a [`Principal`].
pub struct Authenticator {
    store: Arc<dyn ItemStore>,
    admin_tokens: Option<AdminTokenVerifier>,
    clock: Arc<dyn Clock>,
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
            store,
            admin_tokens,
            clock,
        }
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
        let record = api_key_store::find_by_hash(self.store.as_ref(), &hash_api_key(secret))
            .await?
            .filter(|record| record.is_usable(now))
            .ok_or(AuthError::InvalidApiKey)?;
        let stale = record
            .last_used_at
            .is_none_or(|used| now - used >= LAST_USED_PRECISION);
        if stale && let Err(error) = api_key_store::touch(self.store.as_ref(), &record, now).await {
            tracing::warn!(key_id = %record.id, %error, "could not record the key's last use");
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
