use crate::error::DomainError;
use crate::store::StoreError;
use http::StatusCode;

/// Dub's error codes, plus `payload_too_large`, `unsupported_media_type`,
/// `request_timeout` and `method_not_allowed`, which Dub leaves to its platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    RequestTimeout,
    Conflict,
    InviteExpired,
    PayloadTooLarge,
    UnsupportedMediaType,
    UnprocessableEntity,
    RateLimitExceeded,
    InternalServerError,
}

impl ErrorCode {
    /// Every code, for the API's document.
    pub const ALL: [ErrorCode; 13] = [
        ErrorCode::BadRequest,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::RequestTimeout,
        ErrorCode::Conflict,
        ErrorCode::InviteExpired,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::UnprocessableEntity,
        ErrorCode::RateLimitExceeded,
        ErrorCode::InternalServerError,
    ];

    pub fn status(&self) -> StatusCode {
        match self {
            ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::InviteExpired => StatusCode::GONE,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnprocessableEntity => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::RateLimitExceeded => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::InternalServerError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::Conflict => "conflict",
            ErrorCode::InviteExpired => "invite_expired",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::UnprocessableEntity => "unprocessable_entity",
            ErrorCode::RateLimitExceeded => "rate_limit_exceeded",
            ErrorCode::InternalServerError => "internal_server_error",
        }
    }
}

/// An error as the API returns it: `{"error":{"code","message","doc_url"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub retry_after_seconds: Option<u64>,
}

/// Where each error code is explained (docs/api.md, "Errors").
const DOC_BASE: &str = "https://partnerline.dev/docs/errors";

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after_seconds: None,
        }
    }

    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "doc_url": format!("{DOC_BASE}#{}", self.code.as_str().replace('_', "-")),
            }
        })
    }
}

/// The one mapping from domain errors to HTTP. Internal failures are logged here and shown
/// without detail.
impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Unauthenticated(auth) => {
                ApiError::new(ErrorCode::Unauthorized, auth.to_string())
            }
            DomainError::MissingScope(_) => ApiError::new(ErrorCode::Forbidden, error.to_string()),
            DomainError::Forbidden(message) => ApiError::new(ErrorCode::Forbidden, message),
            DomainError::NotFound(message) => ApiError::new(ErrorCode::NotFound, message),
            DomainError::Conflict(message) => ApiError::new(ErrorCode::Conflict, message),
            DomainError::Unprocessable(message) => {
                ApiError::new(ErrorCode::UnprocessableEntity, message)
            }
            DomainError::BadRequest(message) => ApiError::new(ErrorCode::BadRequest, message),
            DomainError::RateLimited {
                message,
                retry_after_seconds,
            } => ApiError {
                retry_after_seconds: Some(retry_after_seconds),
                ..ApiError::new(ErrorCode::RateLimitExceeded, message)
            },
            DomainError::Store(StoreError::InvalidCursor(_)) => ApiError::new(
                ErrorCode::BadRequest,
                "The cursor is not one this list gave out; start again without it.",
            ),
            DomainError::Store(StoreError::OutOfRange { key, attribute, .. }) => {
                tracing::warn!(key = %key, attribute = %attribute, "a stored counter is out of range");
                ApiError::new(
                    ErrorCode::Conflict,
                    format!(
                        "A stored total of this record ({attribute}) is out of range, so nothing \
                         was recorded. A program admin can recompute it: POST \
                         /programs/{{programId}}/partners/{{partnerId}}/recompute-totals."
                    ),
                )
            }
            DomainError::Store(store) => {
                tracing::error!(error = %store, source = ?std::error::Error::source(&store), "storage failure");
                ApiError::new(
                    ErrorCode::InternalServerError,
                    "An internal error occurred. Please try again.",
                )
            }
            DomainError::Queue(queue) => {
                tracing::error!(error = %queue, "queue failure");
                ApiError::new(
                    ErrorCode::InternalServerError,
                    "An internal error occurred. Please try again.",
                )
            }
        }
    }
}

/// Lets an endpoint write `ctx.auth.authenticate(&request.headers).await?`.
impl From<crate::auth::AuthenticateError> for ApiError {
    fn from(error: crate::auth::AuthenticateError) -> Self {
        DomainError::from(error).into()
    }
}
