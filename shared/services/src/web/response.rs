use super::ApiError;
use http::{HeaderValue, StatusCode, header};

/// A response with a byte body; Lambda and the local stack wrap it in their own body types.
pub type ApiResponse = http::Response<Vec<u8>>;

pub fn json<T: serde::Serialize>(status: StatusCode, body: &T) -> ApiResponse {
    let bytes = serde_json::to_vec(body).expect("response bodies always serialise");
    let mut response = http::Response::new(bytes);
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

pub fn no_content() -> ApiResponse {
    let mut response = http::Response::new(Vec::new());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

impl From<ApiError> for ApiResponse {
    fn from(error: ApiError) -> Self {
        let mut response = json(error.code.status(), &error.body());
        if let Some(seconds) = error.retry_after_seconds {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
