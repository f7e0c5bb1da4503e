//! The HTTP edge shared by every HTTP function: request parsing with limits, routing, Dub's
//! error envelope, JSON responses. Generic over `http` types so that it serves both Lambda
//! (`lambda_http`) and the local stack without knowing either.

mod client;
mod error;
pub mod limits;
pub mod openapi;
pub mod pages;
mod request;
mod response;
mod router;
mod serve;
pub mod static_page;

pub use client::{Edge, client_ip};
pub use error::{ApiError, ErrorCode};
pub use request::{ApiRequest, MAX_BODY_BYTES};
pub use response::{ApiResponse, json, no_content};
pub use router::{Params, Route, RouteMatch, match_route, matches_any};
pub use serve::serve;
