use super::{ApiError, ErrorCode};
use http::{HeaderMap, Method};
use serde::de::DeserializeOwned;
use std::collections::HashMap;

/// Bodies larger than this get 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A parsed HTTP request, independent of where it came from (Lambda or the local stack).
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: Method,
    pub path: String,
    pub query: HashMap<String, String>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl ApiRequest {
    pub fn from_http<B: AsRef<[u8]>>(request: http::Request<B>) -> Self {
        let (parts, body) = request.into_parts();
        let query = parts
            .uri
            .query()
            .map(|query| {
                url::form_urlencoded::parse(query.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        Self {
            method: parts.method,
            path: parts.uri.path().to_owned(),
            query,
            headers: parts.headers,
            body: body.as_ref().to_vec(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str)
    }

    /// The `limit` query parameter of a list: `default` when absent, 400 unless 1 to 100 (never
    /// clamped silently).
    pub fn page_limit(&self, default: u32) -> Result<u32, ApiError> {
        match self.query("limit") {
            None => Ok(default),
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|limit| (1..=100).contains(limit))
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::BadRequest,
                        "`limit` must be a whole number from 1 to 100.",
                    )
                }),
        }
    }

    /// Parses a JSON body: 413 past the size limit, 400 for malformed JSON, 422 for a body of
    /// the wrong shape (wrong types, unknown fields where the type denies them).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        if self.body.len() > MAX_BODY_BYTES {
            return Err(ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
            ));
        }
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &self.body
        };
        serde_json::from_slice(body).map_err(|error| {
            use serde_json::error::Category;
            match error.classify() {
                Category::Data => ApiError::new(
                    ErrorCode::UnprocessableEntity,
                    format!("Invalid request body: {error}."),
                ),
                _ => ApiError::new(
                    ErrorCode::BadRequest,
                    format!("The request body is not valid JSON: {error}."),
                ),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
    }

    fn request(body: &[u8]) -> ApiRequest {
        ApiRequest::from_http(
            http::Request::post("/x?a=1&b=two%20words")
                .body(body.to_vec())
                .unwrap(),
        )
    }

    #[test]
    fn parses_query_parameters() {
        let request = request(b"");
        assert_eq!(request.query("a"), Some("1"));
        assert_eq!(request.query("b"), Some("two words"));
        assert_eq!(request.path, "/x");
    }

    #[test]
    fn body_errors_map_to_400_413_and_422() {
        assert!(request(br#"{"name":"x"}"#).json::<Body>().is_ok());
        assert_eq!(
            request(b"{not json").json::<Body>().unwrap_err().code,
            ErrorCode::BadRequest
        );
        assert_eq!(
            request(br#"{"name":1}"#).json::<Body>().unwrap_err().code,
            ErrorCode::UnprocessableEntity
        );
        assert_eq!(
            request(br#"{"name":"x","admin":true}"#)
                .json::<Body>()
                .unwrap_err()
                .code,
            ErrorCode::UnprocessableEntity
        );
        let big = format!(r#"{{"name":"{}"}}"#, "x".repeat(MAX_BODY_BYTES));
        assert_eq!(
            request(big.as_bytes()).json::<Body>().unwrap_err().code,
            ErrorCode::PayloadTooLarge
        );
    }
}
