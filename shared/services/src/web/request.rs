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
        // A parameter given more than once (`ids=a&ids=b`, an OpenAPI array sent exploded)
        // reads as its values joined by commas (`a,b`), the form unexploded arrays take.
        let mut query: HashMap<String, String> = HashMap::new();
        let pairs = parts
            .uri
            .query()
            .map(|q| url::form_urlencoded::parse(q.as_bytes()));
        for (name, value) in pairs.into_iter().flatten() {
            query
                .entry(name.into_owned())
                .and_modify(|joined| {
                    joined.push(',');
                    joined.push_str(&value);
                })
                .or_insert_with(|| value.into_owned());
        }
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

    /// A body must be declared JSON: `application/json` or a `+json` type, any parameters.
    /// Otherwise 415. A browser posts `text/plain`, form and multipart bodies cross-site
    /// without asking first; refusing them keeps a page that authenticates with a cookie safe
    /// from a forged form.
    fn require_json_content_type(&self) -> Result<(), ApiError> {
        let media_type = self
            .header("content-type")
            .and_then(|value| value.split(';').next())
            .map(|value| value.trim().to_ascii_lowercase());
        let json = media_type.as_deref().is_some_and(|media| {
            media == "application/json"
                || (media.starts_with("application/") && media.ends_with("+json"))
        });
        if json {
            return Ok(());
        }
        Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "The request body must be JSON, sent with `Content-Type: application/json`.",
        ))
    }

    /// A list's page size: Dub's `pageSize`, else our `limit` (`page_limit`), else `default`;
    /// 400 unless 1 to 100.
    pub fn page_size(&self, default: u32) -> Result<u32, ApiError> {
        match self.query("pageSize") {
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|size| (1..=100).contains(size))
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::BadRequest,
                        "`pageSize` must be a whole number from 1 to 100.",
                    )
                }),
            None => self.page_limit(default),
        }
    }

    /// Parses a JSON body: 413 past the size limit, 415 unless declared JSON, 400 for
    /// malformed JSON, 422 for a body of the wrong shape (wrong types, unknown fields where the
    /// type denies them).
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
            self.require_json_content_type()?;
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
        typed(body, Some("application/json"))
    }

    fn typed(body: &[u8], content_type: Option<&str>) -> ApiRequest {
        let mut builder = http::Request::post("/x?a=1&b=two%20words");
        if let Some(content_type) = content_type {
            builder = builder.header("content-type", content_type);
        }
        ApiRequest::from_http(builder.body(body.to_vec()).unwrap())
    }

    #[test]
    fn a_body_must_be_declared_json() {
        let body = br#"{"name":"x"}"#;
        for accepted in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/merge-patch+json",
        ] {
            assert!(
                typed(body, Some(accepted)).json::<Body>().is_ok(),
                "{accepted}"
            );
        }
        for refused in [
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("text/json"),
            None,
        ] {
            assert_eq!(
                typed(body, refused).json::<Body>().unwrap_err().code,
                ErrorCode::UnsupportedMediaType,
                "{refused:?}"
            );
        }
        // No body needs no type (many POSTs carry none).
        assert!(typed(b"", None).json::<serde_json::Value>().is_ok());
    }

    #[test]
    fn parses_query_parameters() {
        let request = request(b"");
        assert_eq!(request.query("a"), Some("1"));
        assert_eq!(request.query("b"), Some("two words"));
        assert_eq!(request.path, "/x");
        let repeated = ApiRequest::from_http(
            http::Request::get("/tags?ids=tag_1&ids=tag_2&page=1")
                .body(Vec::<u8>::new())
                .unwrap(),
        );
        assert_eq!(repeated.query("ids"), Some("tag_1,tag_2"));
        assert_eq!(repeated.query("page"), Some("1"));
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
