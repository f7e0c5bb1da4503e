//! Standard Webhooks signatures (`webhook-id`, `webhook-timestamp`, `webhook-signature`) and
//! Dub's `Dub-Signature`, plus a verifier for tests and receivers.

use crate::ports::Random;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

pub const SECRET_PREFIX: &str = "whsec_";
/// Receivers refuse timestamps further than this from their clock (reference libraries).
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

/// A new endpoint secret: `whsec_` + base64 of 32 random bytes.
pub fn generate_secret(random: &dyn Random) -> String {
    let mut bytes = [0u8; 32];
    random.fill(&mut bytes);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the secret is empty or not `whsec_` + base64")]
    BadSecret,
    #[error("a signature header is missing")]
    MissingHeader,
    #[error("the timestamp is outside the tolerance")]
    Timestamp,
    #[error("no signature matches")]
    NoMatch,
}

/// The secret's key bytes. Empty keys are refused: an HMAC with an empty key is forgeable.
fn key(secret: &str) -> Result<Vec<u8>, SignatureError> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    let bytes = STANDARD
        .decode(encoded)
        .map_err(|_| SignatureError::BadSecret)?;
    if bytes.is_empty() {
        return Err(SignatureError::BadSecret);
    }
    Ok(bytes)
}

fn mac(key: &[u8]) -> HmacSha256 {
    HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length")
}

/// `v1,<base64>` over `{id}.{timestamp}.{body}` with one secret.
pub fn standard_signature(
    secret: &str,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, SignatureError> {
    let mut mac = mac(&key(secret)?);
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// Dub's `Dub-Signature`: hex HMAC-SHA256 of the body, keyed with the whole secret string as
/// Dub does.
pub fn dub_signature(secret: &str, body: &[u8]) -> Result<String, SignatureError> {
    if secret.is_empty() {
        return Err(SignatureError::BadSecret);
    }
    let mut mac = mac(secret.as_bytes());
    mac.update(body);
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// The headers of one signed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeaders {
    pub webhook_id: String,
    pub webhook_timestamp: String,
    /// Space-separated `v1,...` entries: the current secret first, then a rotated-out one.
    pub webhook_signature: String,
    pub dub_signature: String,
}

impl SignatureHeaders {
    pub fn pairs(&self) -> [(&'static str, &str); 4] {
        [
            ("webhook-id", &self.webhook_id),
            ("webhook-timestamp", &self.webhook_timestamp),
            ("webhook-signature", &self.webhook_signature),
            ("dub-signature", &self.dub_signature),
        ]
    }
}

/// Signs a body with the current secret and, during a rotation, the previous one too.
pub fn sign(
    secrets: &[&str],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<SignatureHeaders, SignatureError> {
    let current = secrets.first().ok_or(SignatureError::BadSecret)?;
    let signatures = secrets
        .iter()
        .map(|secret| standard_signature(secret, id, timestamp, body))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SignatureHeaders {
        webhook_id: id.into(),
        webhook_timestamp: timestamp.to_string(),
        webhook_signature: signatures.join(" "),
        dub_signature: dub_signature(current, body)?,
    })
}

/// Verifies a request as a Standard Webhooks receiver does: timestamp within the tolerance of
/// `now`, and some non-empty `v1` signature matching, compared in constant time.
pub fn verify(
    secret: &str,
    id: &str,
    timestamp: &str,
    signature_header: &str,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let key = key(secret)?;
    let timestamp: i64 = timestamp.parse().map_err(|_| SignatureError::Timestamp)?;
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::Timestamp);
    }
    for entry in signature_header.split(' ') {
        let Some(encoded) = entry.strip_prefix("v1,") else {
            continue;
        };
        // An empty signature must never match (a known verifier bug compared prefixes).
        let Ok(signature) = STANDARD.decode(encoded) else {
            continue;
        };
        if signature.is_empty() {
            continue;
        }
        let mut mac = mac(&key);
        mac.update(format!("{id}.{timestamp}.").as_bytes());
        mac.update(body);
        if mac.verify_slice(&signature).is_ok() {
            return Ok(());
        }
    }
    Err(SignatureError::NoMatch)
}

/// Verifies `Dub-Signature` in constant time.
pub fn verify_dub(secret: &str, signature_hex: &str, body: &[u8]) -> Result<(), SignatureError> {
    if secret.is_empty() {
        return Err(SignatureError::BadSecret);
    }
    let signature = hex::decode(signature_hex).map_err(|_| SignatureError::NoMatch)?;
    if signature.is_empty() {
        return Err(SignatureError::NoMatch);
    }
    let mut mac = mac(secret.as_bytes());
    mac.update(body);
    mac.verify_slice(&signature)
        .map_err(|_| SignatureError::NoMatch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::SeededRandom;

    // The example of the Standard Webhooks specification's reference libraries.
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_TIMESTAMP: i64 = 1614265330;

    #[test]
    fn matches_the_reference_signature() {
        assert_eq!(
            standard_signature(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY).unwrap(),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn secrets_are_whsec_and_32_bytes() {
        let secret = generate_secret(&SeededRandom::new(1));
        assert!(secret.starts_with("whsec_"));
        assert_eq!(key(&secret).unwrap().len(), 32);
    }

    #[test]
    fn both_secrets_sign_during_rotation() {
        let old = generate_secret(&SeededRandom::new(1));
        let new = generate_secret(&SeededRandom::new(2));
        let headers = sign(&[&new, &old], "evt_1", 100, b"{}").unwrap();
        assert_eq!(headers.webhook_signature.split(' ').count(), 2);
        for secret in [&new, &old] {
            verify(
                secret,
                "evt_1",
                "100",
                &headers.webhook_signature,
                b"{}",
                100,
            )
            .unwrap();
        }
        let other = generate_secret(&SeededRandom::new(3));
        assert_eq!(
            verify(
                &other,
                "evt_1",
                "100",
                &headers.webhook_signature,
                b"{}",
                100
            ),
            Err(SignatureError::NoMatch)
        );
        verify_dub(&new, &headers.dub_signature, b"{}").unwrap();
    }

    #[test]
    fn refuses_empty_signatures_secrets_and_old_timestamps() {
        let secret = generate_secret(&SeededRandom::new(1));
        for header in ["v1,", "v1, v1,", "", "v2,abc"] {
            assert_eq!(
                verify(&secret, "evt_1", "100", header, b"{}", 100),
                Err(SignatureError::NoMatch),
                "{header:?}"
            );
        }
        assert_eq!(
            standard_signature("whsec_", "evt_1", 1, b"{}"),
            Err(SignatureError::BadSecret)
        );
        assert_eq!(
            verify("whsec_", "evt_1", "100", "v1,", b"{}", 100),
            Err(SignatureError::BadSecret)
        );
        assert_eq!(verify_dub("", "", b"{}"), Err(SignatureError::BadSecret));
        let headers = sign(&[&secret], "evt_1", 100, b"{}").unwrap();
        assert_eq!(
            verify(
                &secret,
                "evt_1",
                "100",
                &headers.webhook_signature,
                b"{}",
                100 + 301
            ),
            Err(SignatureError::Timestamp)
        );
        assert_eq!(
            verify(
                &secret,
                "evt_1",
                "100",
                &headers.webhook_signature,
                b"{ }",
                100
            ),
            Err(SignatureError::NoMatch)
        );
    }
}
