//! The caller's address, by one rule: trust only the hop that the edge in front of the function
//! sets itself, since everything else in a request can be written by the client.
//!
//! - Behind API Gateway (every API function): its `sourceIp`, the TCP peer it saw. API Gateway
//!   passes a client's `X-Forwarded-For` and `CloudFront-Viewer-Address` through unchanged, so
//!   neither is read there.
//! - Behind CloudFront (the redirect's Function URL): `CloudFront-Viewer-Address` (`ip:port`),
//!   which CloudFront sets and overwrites.
//! - Either way, with no such value (the local stack): the first `X-Forwarded-For` hop.
//!
//! The address serves rate limits (applications) and repeat-click detection (hashed in memory);
//! it is never stored.

use http::HeaderMap;

/// What stands in front of a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    ApiGateway,
    CloudFront,
}

/// The caller's address under the rule above; `source_ip` is API Gateway's (or the Function
/// URL's) `requestContext.http.sourceIp`.
pub fn client_ip(edge: Edge, headers: &HeaderMap, source_ip: Option<&str>) -> Option<String> {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let trusted = match edge {
        Edge::ApiGateway => source_ip,
        Edge::CloudFront => header("cloudfront-viewer-address")
            .map(|address| address.rsplit_once(':').map_or(address, |(ip, _)| ip)),
    };
    let forwarded = || header("x-forwarded-for").and_then(|hops| hops.split(',').next());
    let fallback = match edge {
        Edge::ApiGateway => forwarded(),
        // A Function URL's own peer is CloudFront; the viewer is the first forwarded hop.
        Edge::CloudFront => forwarded().or(source_ip),
    };
    trusted
        .or(fallback)
        .map(str::trim)
        .filter(|ip| !ip.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (http::HeaderName::from_static(name), value.parse().unwrap()))
            .collect()
    }

    #[test]
    fn behind_api_gateway_only_the_source_ip_counts() {
        let forged = headers(&[
            ("cloudfront-viewer-address", "203.0.113.9:443"),
            ("x-forwarded-for", "203.0.113.8"),
        ]);
        let ip = client_ip(Edge::ApiGateway, &forged, Some("198.51.100.1"));
        assert_eq!(ip.as_deref(), Some("198.51.100.1"));
        let local = headers(&[("x-forwarded-for", " 192.0.2.1 , 10.0.0.1")]);
        let ip = client_ip(Edge::ApiGateway, &local, None);
        assert_eq!(ip.as_deref(), Some("192.0.2.1"));
        assert_eq!(
            client_ip(Edge::ApiGateway, &HeaderMap::new(), Some("")),
            None
        );
    }

    #[test]
    fn behind_cloudfront_the_viewer_address_counts() {
        let viewer = headers(&[
            ("cloudfront-viewer-address", "2001:db8::1:51234"),
            ("x-forwarded-for", "203.0.113.8"),
        ]);
        let ip = client_ip(Edge::CloudFront, &viewer, Some("198.51.100.1"));
        assert_eq!(ip.as_deref(), Some("2001:db8::1"));
        let forwarded = headers(&[("x-forwarded-for", "203.0.113.8")]);
        let ip = client_ip(Edge::CloudFront, &forwarded, Some("198.51.100.1"));
        assert_eq!(ip.as_deref(), Some("203.0.113.8"));
        let ip = client_ip(Edge::CloudFront, &HeaderMap::new(), Some("198.51.100.1"));
        assert_eq!(ip.as_deref(), Some("198.51.100.1"));
    }
}
