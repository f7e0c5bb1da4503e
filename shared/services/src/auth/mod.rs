//! Who is calling: program API keys and admin JWTs, and what they may do.

mod admin_token;
mod api_key;
pub mod api_key_store;
mod authenticator;
mod principal;
mod scope;

pub use admin_token::{
    AdminClaims, AdminTokenConfig, AdminTokenIssuer, AdminTokenVerifier, CREATE_PROGRAMS_SCOPE,
    JwtKey,
};
pub use api_key::{API_KEY_PREFIX, ApiKeyRecord, ApiKeyView, IssuedApiKey, hash_api_key};
pub use authenticator::{API_KEY_CACHE_TTL, AuthenticateError, Authenticator};
pub use principal::{Denied, Principal};
pub use scope::Scope;

/// Why a request could not be authenticated. The message is safe to show; it never echoes
/// the credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error(
        "Missing credentials: send `Authorization: Bearer <key or token>` or `x-api-key: <key>`."
    )]
    Missing,
    #[error("The API key is invalid, revoked or expired.")]
    InvalidApiKey,
    #[error("The token is invalid: {0}.")]
    InvalidToken(String),
}
