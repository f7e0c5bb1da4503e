use super::{ApiError, ErrorCode};
use http::Method;
use std::collections::HashMap;

/// A route: a method and a path pattern with `{name}` segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route<E> {
    pub method: Method,
    pub pattern: &'static str,
    pub endpoint: E,
}

impl<E> Route<E> {
    pub const fn new(method: Method, pattern: &'static str, endpoint: E) -> Self {
        Self {
            method,
            pattern,
            endpoint,
        }
    }
}

/// Path parameters by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(HashMap<&'static str, String>);

impl Params {
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or_default()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(name, value)| (*name, value.as_str()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch<E> {
    pub endpoint: E,
    pub pattern: &'static str,
    pub params: Params,
}

/// Finds the route for a request: 404 when no pattern matches the path, 405 when one matches
/// with another method.
pub fn match_route<E: Copy>(
    routes: &[Route<E>],
    method: &Method,
    path: &str,
) -> Result<RouteMatch<E>, ApiError> {
    let mut path_matched = false;
    for route in routes {
        if let Some(params) = match_pattern(route.pattern, path) {
            if route.method == *method || (*method == Method::HEAD && route.method == Method::GET) {
                return Ok(RouteMatch {
                    endpoint: route.endpoint,
                    pattern: route.pattern,
                    params,
                });
            }
            path_matched = true;
        }
    }
    Err(if path_matched {
        ApiError::new(
            ErrorCode::MethodNotAllowed,
            format!("{method} is not allowed on {path}."),
        )
    } else {
        ApiError::new(
            ErrorCode::NotFound,
            format!("No route for {method} {path}."),
        )
    })
}

/// Whether any route's pattern matches the path (the local stack uses it to pick a function).
pub fn matches_any<E>(routes: &[Route<E>], path: &str) -> bool {
    routes
        .iter()
        .any(|route| match_pattern(route.pattern, path).is_some())
}

fn match_pattern(pattern: &'static str, path: &str) -> Option<Params> {
    let mut params = HashMap::new();
    let mut pattern_segments = pattern.trim_end_matches('/').split('/');
    let mut path_segments = path.trim_end_matches('/').split('/');
    loop {
        match (pattern_segments.next(), path_segments.next()) {
            (None, None) => return Some(Params(params)),
            (Some(expected), Some(actual)) => {
                if let Some(name) = expected
                    .strip_prefix('{')
                    .and_then(|rest| rest.strip_suffix('}'))
                {
                    if actual.is_empty() {
                        return None;
                    }
                    let decoded = url::form_urlencoded::parse(format!("v={actual}").as_bytes())
                        .next()
                        .map(|(_, value)| value.into_owned())?;
                    params.insert(name, decoded);
                } else if expected != actual {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTES: &[Route<u8>] = &[
        Route::new(Method::GET, "/programs/{programId}", 1),
        Route::new(Method::POST, "/programs", 2),
        Route::new(Method::DELETE, "/programs/{programId}/api-keys/{keyId}", 3),
    ];

    #[test]
    fn matches_patterns_and_extracts_params() {
        let found =
            match_route(ROUTES, &Method::DELETE, "/programs/prog_1/api-keys/key_2").unwrap();
        assert_eq!(found.endpoint, 3);
        assert_eq!(found.params.get("programId"), "prog_1");
        assert_eq!(found.params.get("keyId"), "key_2");
        assert_eq!(
            match_route(ROUTES, &Method::POST, "/programs/")
                .unwrap()
                .endpoint,
            2
        );
    }

    #[test]
    fn unknown_paths_are_404_and_wrong_methods_405() {
        assert_eq!(
            match_route(ROUTES, &Method::GET, "/nope").unwrap_err().code,
            ErrorCode::NotFound
        );
        assert_eq!(
            match_route(ROUTES, &Method::GET, "/programs/prog_1/x")
                .unwrap_err()
                .code,
            ErrorCode::NotFound
        );
        assert_eq!(
            match_route(ROUTES, &Method::PUT, "/programs")
                .unwrap_err()
                .code,
            ErrorCode::MethodNotAllowed
        );
        assert!(matches_any(ROUTES, "/programs/prog_1"));
        assert!(!matches_any(ROUTES, "/links"));
    }
}
