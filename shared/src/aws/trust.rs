//! What the SDK's TLS trusts. AWS endpoints present certificates of Amazon Trust Services,
//! whose roots (Amazon Root CA 1-4 and the Starfield Services G2 root that cross-signs them)
//! are embedded here, as AWS publishes them. Trusting only those, rather than the operating
//! system's bundle:
//! - init neither reads nor parses the system's ~150 roots (the click redirect's init went
//!   from 8.5-11.8 ms to about 5 ms; docs/performance.md, "Cold start and size");
//! - a rogue or compromised CA elsewhere in the system store cannot intercept DynamoDB or SQS.
//!
//! An https `AWS_ENDPOINT_URL` names a non-AWS endpoint (a proxy, a TLS emulator), which may
//! present any CA: then the system's roots are used. (An http one, as the tests' moto, needs no
//! trust, so the tests start exactly as Lambda does.)

use aws_smithy_http_client::tls::{TlsContext, TrustStore};

/// Amazon Trust Services' root certificates, PEM.
const AMAZON_TRUST_SERVICES_ROOTS: [&str; 5] = [
    include_str!("roots/amazon-root-ca-1.pem"),
    include_str!("roots/amazon-root-ca-2.pem"),
    include_str!("roots/amazon-root-ca-3.pem"),
    include_str!("roots/amazon-root-ca-4.pem"),
    include_str!("roots/starfield-services-root-ca-g2.pem"),
];

/// The TLS context of the SDK's HTTPS client: AWS's roots, or the system's for a custom https
/// endpoint.
pub(super) fn tls_context(custom_https_endpoint: bool) -> TlsContext {
    let trust = if custom_https_endpoint {
        TrustStore::default()
    } else {
        AMAZON_TRUST_SERVICES_ROOTS
            .iter()
            .fold(TrustStore::empty(), |trust, pem| {
                trust.with_pem_certificate(pem.as_bytes())
            })
    };
    TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .expect("a trust store alone is a valid TLS context")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    #[test]
    fn every_embedded_root_is_one_valid_trust_anchor() {
        let mut roots = rustls::RootCertStore::empty();
        for pem in AMAZON_TRUST_SERVICES_ROOTS {
            let certs: Vec<_> = CertificateDer::pem_slice_iter(pem.as_bytes())
                .collect::<Result<_, _>>()
                .expect("PEM");
            assert_eq!(certs.len(), 1);
            let (valid, invalid) = roots.add_parsable_certificates(certs);
            assert_eq!((valid, invalid), (1, 0));
        }
        assert_eq!(roots.len(), 5);
    }
}
