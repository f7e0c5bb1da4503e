//! The error of the domain's use cases. The web layer maps it to a status and Dub's envelope in
//! one place (`web::ApiError`).

use crate::auth::{AuthError, AuthenticateError, Denied, Scope};
use crate::queue::QueueError;
use crate::store::StoreError;
use crate::types::InvalidValue;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error(transparent)]
    Unauthenticated(#[from] AuthError),
    #[error("This API key lacks the `{0}` scope.")]
    MissingScope(Scope),
    #[error("{0}")]
    Forbidden(String),
    /// Also returned for records of another program, so their existence is not revealed.
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// The request is well-formed but breaks a rule (a bad value, a forbidden transition).
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_seconds: u64,
    },
    #[error("storage failure")]
    Store(#[from] StoreError),
    #[error("queue failure")]
    Queue(#[from] QueueError),
}

impl DomainError {
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        DomainError::NotFound(format!("{what} not found."))
    }

    /// Maps an authorization refusal; `what` names the record for a not-found message.
    pub fn denied(denied: Denied, what: impl std::fmt::Display) -> Self {
        match denied {
            Denied::NotFound => Self::not_found(what),
            Denied::MissingScope(scope) => DomainError::MissingScope(scope),
        }
    }
}

impl From<InvalidValue> for DomainError {
    fn from(error: InvalidValue) -> Self {
        DomainError::Unprocessable(error.0)
    }
}

impl From<AuthenticateError> for DomainError {
    fn from(error: AuthenticateError) -> Self {
        match error {
            AuthenticateError::Denied(denied) => DomainError::Unauthenticated(denied),
            AuthenticateError::Store(store) => DomainError::Store(store),
        }
    }
}
