//! SSRF protection: which addresses a webhook may reach. Checked when an endpoint is saved
//! and again at delivery time on the address actually connected to.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Whether plain-http loopback endpoints are allowed (the local stack only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AddressPolicy {
    pub allow_loopback_http: bool,
}

/// Whether an address is internal: loopback, private, link-local, CGNAT, unspecified/0.0.0.0/8,
/// multicast or broadcast, including the IPv6 forms that embed such an IPv4 address.
pub fn is_internal(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => is_internal_v6(v6),
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64/10
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240 // reserved
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    if ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() {
        return true;
    }
    // fc00::/7 unique local, fe80::/10 link-local, fec0::/10 site-local (deprecated).
    if (segments[0] & 0xfe00) == 0xfc00 || (segments[0] & 0xffc0) == 0xfe80 {
        return true;
    }
    if (segments[0] & 0xffc0) == 0xfec0 {
        return true;
    }
    embedded_v4(ip).is_some_and(is_internal_v4)
}

/// The IPv4 address an IPv6 address stands for: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible
/// (::a.b.c.d), 6to4 (2002:AABB:CCDD::/16), NAT64 (64:ff9b::/96 and 64:ff9b:1::/48).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let from = |high: u16, low: u16| {
        Ipv4Addr::new((high >> 8) as u8, high as u8, (low >> 8) as u8, low as u8)
    };
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    if s[..6] == [0; 6] {
        return Some(from(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return Some(from(s[1], s[2]));
    }
    if s[0] == 0x64 && s[1] == 0xff9b && (s[2..6] == [0; 4] || s[2] == 1) {
        return Some(from(s[6], s[7]));
    }
    None
}

impl AddressPolicy {
    /// Whether a connection to `address` is allowed for a URL with `scheme`.
    pub fn allows(&self, scheme: &str, address: IpAddr) -> bool {
        if self.allow_loopback_http && loopback(address) {
            return true;
        }
        scheme == "https" && !is_internal(address)
    }

    /// Checks every resolved address: one internal address refuses the host, so that DNS
    /// answers cannot mix a public and an internal address.
    pub fn check_all(&self, scheme: &str, addresses: &[SocketAddr]) -> Result<(), String> {
        if addresses.is_empty() {
            return Err("the host does not resolve".into());
        }
        match addresses.iter().find(|a| !self.allows(scheme, a.ip())) {
            Some(refused) => Err(format!(
                "the host resolves to {}, which webhooks may not reach",
                refused.ip()
            )),
            None => Ok(()),
        }
    }
}

fn loopback(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v| v.is_loopback()),
    }
}

/// Resolves a URL's host (IP literals in any form the URL parser accepts, e.g. decimal
/// `2130706433` or hex `0x7f.1`, are already normalised by it) and checks every address.
pub async fn resolve_checked(
    policy: AddressPolicy,
    url: &url::Url,
) -> Result<Vec<SocketAddr>, String> {
    let scheme = url.scheme();
    if scheme != "https" && !(scheme == "http" && policy.allow_loopback_http) {
        return Err("only https URLs are allowed".into());
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses: Vec<SocketAddr> = match url.host() {
        Some(url::Host::Ipv4(ip)) => vec![SocketAddr::new(ip.into(), port)],
        Some(url::Host::Ipv6(ip)) => vec![SocketAddr::new(ip.into(), port)],
        Some(url::Host::Domain(domain)) => tokio::net::lookup_host((domain, port))
            .await
            .map_err(|_| format!("the host {domain} does not resolve"))?
            .collect(),
        None => return Err("the URL has no host".into()),
    };
    policy.check_all(scheme, &addresses)?;
    Ok(addresses)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn internal(text: &str) -> bool {
        is_internal(text.parse().unwrap())
    }

    #[test]
    fn refuses_internal_ipv4() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
        ] {
            assert!(internal(ip), "{ip}");
        }
        for ip in ["8.8.8.8", "100.128.0.1", "93.184.216.34"] {
            assert!(!internal(ip), "{ip}");
        }
    }

    #[test]
    fn refuses_internal_ipv6_and_embedded_ipv4() {
        for ip in [
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::10.0.0.1",
        ] {
            assert!(internal(ip), "{ip}");
        }
        for ip in ["2606:4700::1111", "::ffff:8.8.8.8", "2002:0808:0808::1"] {
            assert!(!internal(ip), "{ip}");
        }
    }

    #[tokio::test]
    async fn refuses_decimal_octal_and_hex_ipv4_urls() {
        let policy = AddressPolicy::default();
        for url in [
            "https://2130706433/",
            "https://0x7f000001/",
            "https://0177.0.0.1/",
            "https://0x7f.1/",
            "https://127.1/",
            "https://[::ffff:7f00:1]/",
            "https://[::1]:8443/",
            "https://localhost/",
        ] {
            let parsed = url::Url::parse(url).unwrap();
            assert!(resolve_checked(policy, &parsed).await.is_err(), "{url}");
        }
    }

    #[tokio::test]
    async fn http_only_to_loopback_when_allowed() {
        let url = url::Url::parse("http://127.0.0.1:9000/hook").unwrap();
        assert!(
            resolve_checked(AddressPolicy::default(), &url)
                .await
                .is_err()
        );
        let local = AddressPolicy {
            allow_loopback_http: true,
        };
        assert!(resolve_checked(local, &url).await.is_ok());
        let private = url::Url::parse("http://10.0.0.1/").unwrap();
        assert!(resolve_checked(local, &private).await.is_err());
        let public_http = url::Url::parse("http://8.8.8.8/").unwrap();
        assert!(resolve_checked(local, &public_http).await.is_err());
    }
}
