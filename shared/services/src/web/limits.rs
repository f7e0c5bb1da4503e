//! The longest identifier each request may carry, checked for every route before its endpoint
//! runs: ids, keys, codes and external ids become parts of table keys, and a DynamoDB key holds
//! at most 2,048 bytes (partition) and 1,024 bytes (sort key). One rule for every function, so
//! a new route cannot forget it:
//!
//! - every path parameter, every query parameter, and every string field of a JSON body whose
//!   name is an identifier (`*Id`, `*Ids`, `id`, `key`, `code`, `referralCode`, `domain`,
//!   `slug`): at most [`MAX_ID_CHARS`] characters; `email` and `*Email`: [`MAX_EMAIL_CHARS`];
//! - a query parameter named `cursor`: at most [`MAX_CURSOR_CHARS`]; `url`, `search` and the
//!   lists `ids`, `tagIds`, `tagNames` (comma-separated): at most [`MAX_URL_CHARS`];
//! - none of them may hold a control character.
//!
//! Anything over is 422 in the error envelope, and nothing is read or written. The specific
//! checks of each use case (an external id of at most 100 characters, an email's syntax) still
//! apply after this one.

use super::{ApiError, ApiRequest, ErrorCode, Params};

/// Ids, keys, codes and external ids: 190 characters (760 bytes of UTF-8 at most, which
/// leaves room for the prefixes a table key adds).
pub const MAX_ID_CHARS: usize = 190;
/// A paging cursor (an encoded table key).
pub const MAX_CURSOR_CHARS: usize = 2_048;
/// URLs and free-text searches.
pub const MAX_URL_CHARS: usize = 2_048;
/// Emails (RFC 5321's longest path).
pub const MAX_EMAIL_CHARS: usize = 254;

fn too_long(place: &str, name: &str, max: usize) -> ApiError {
    ApiError::new(
        ErrorCode::UnprocessableEntity,
        format!("The {place} `{name}` can have at most {max} characters."),
    )
}

fn check(place: &str, name: &str, value: &str, max: usize) -> Result<(), ApiError> {
    if value.chars().any(char::is_control) {
        return Err(ApiError::new(
            ErrorCode::UnprocessableEntity,
            format!("The {place} `{name}` cannot hold control characters."),
        ));
    }
    // Counting stops past the limit: a huge value costs no more than a valid one.
    if value.chars().nth(max).is_some() {
        return Err(too_long(place, name, max));
    }
    Ok(())
}

fn is_email(name: &str) -> bool {
    name == "email" || name.ends_with("Email")
}

/// Whether a JSON field of this name holds an identifier.
fn is_identifier(name: &str) -> bool {
    matches!(
        name,
        "id" | "key" | "code" | "referralCode" | "domain" | "slug"
    ) || name.ends_with("Id")
        || name.ends_with("Ids")
        || is_email(name)
}

fn limit_of(name: &str) -> usize {
    match name {
        "cursor" => MAX_CURSOR_CHARS,
        "url" | "search" => MAX_URL_CHARS,
        // Lists in a query (`ids=a,b`, `tagIds`, `tagNames`): each item is checked where the
        // list is read, against the ids and names that exist.
        "ids" | "tagIds" | "tagNames" => MAX_URL_CHARS,
        _ if is_email(name) => MAX_EMAIL_CHARS,
        _ => MAX_ID_CHARS,
    }
}

/// Checks the identifiers of a request (see the module's rules).
pub fn check_identifiers(params: &Params, request: &ApiRequest) -> Result<(), ApiError> {
    for (name, value) in params.iter() {
        check("path parameter", name, value, MAX_ID_CHARS)?;
    }
    for (name, value) in &request.query {
        check("query parameter", name, value, limit_of(name))?;
    }
    // A body that is not JSON is refused by the endpoint's own parsing.
    if let Ok(body) = serde_json::from_slice::<serde_json::Value>(&request.body) {
        check_body(&body)?;
    }
    Ok(())
}

/// Walks a JSON body's objects (not `metadata`, which is the caller's own).
fn check_body(value: &serde_json::Value) -> Result<(), ApiError> {
    use serde_json::Value;
    match value {
        Value::Object(fields) => {
            for (name, field) in fields {
                match field {
                    Value::String(text) if is_identifier(name) => {
                        check("field", name, text, limit_of(name))?
                    }
                    Value::Array(items) if is_identifier(name) => {
                        for text in items.iter().filter_map(Value::as_str) {
                            check("field", name, text, limit_of(name))?;
                        }
                    }
                    _ if name == "metadata" => {}
                    other => check_body(other)?,
                }
            }
            Ok(())
        }
        Value::Array(items) => items.iter().try_for_each(check_body),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path_and_query: &str, body: serde_json::Value) -> ApiRequest {
        ApiRequest::from_http(
            http::Request::post(path_and_query)
                .body(serde_json::to_vec(&body).unwrap())
                .unwrap(),
        )
    }

    fn checked(path_and_query: &str, body: serde_json::Value) -> Result<(), ApiError> {
        check_identifiers(&Params::default(), &request(path_and_query, body))
    }

    #[test]
    fn long_identifiers_anywhere_are_422() {
        let long = "t".repeat(MAX_ID_CHARS + 1);
        let fine = "t".repeat(MAX_ID_CHARS);
        assert!(checked(&format!("/partners?tenantId={fine}"), serde_json::json!({})).is_ok());
        for (query, body) in [
            (format!("/partners?tenantId={long}"), serde_json::json!({})),
            ("/x".into(), serde_json::json!({"tenantId": long})),
            (
                "/x".into(),
                serde_json::json!({"partner": {"tenantId": long}}),
            ),
            ("/x".into(), serde_json::json!({"partnerIds": ["a", long]})),
            (
                "/x".into(),
                serde_json::json!({"customerEmail": "e".repeat(255)}),
            ),
            ("/x?key=a%00b".into(), serde_json::json!({})),
            (
                format!("/x?cursor={}", "c".repeat(MAX_CURSOR_CHARS + 1)),
                serde_json::json!({}),
            ),
        ] {
            let error = checked(&query, body.clone()).unwrap_err();
            assert_eq!(error.code, ErrorCode::UnprocessableEntity, "{query} {body}");
        }
    }

    #[test]
    fn other_fields_and_metadata_are_left_to_the_use_cases() {
        let long = "m".repeat(5_000);
        let body = serde_json::json!({"name": long, "metadata": {"orderId": long}});
        assert!(checked("/x", body).is_ok());
        assert!(
            checked(
                &format!("/x?cursor={}", "c".repeat(1_000)),
                serde_json::json!({})
            )
            .is_ok()
        );
        assert!(checked("/x", serde_json::json!(null)).is_ok());
    }
}
