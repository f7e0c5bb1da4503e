//! Stripe's webhook signature, checked as Stripe documents it: the `Stripe-Signature` header
//! carries `t=<unix seconds>` and one or more `v1=<hex>` schemes, each an HMAC-SHA256 of
//! `"{t}.{raw body}"` under an endpoint secret. Any `v1` matching any of the endpoint's secrets
//! passes (Stripe signs with both the old and the new secret while a secret is being rolled),
//! compared in constant time; a timestamp more than [`TOLERANCE`] away from now fails, so a
//! captured request cannot be replayed later.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

/// How far the signed timestamp may be from now (Stripe's libraries' default).
pub const TOLERANCE: time::Duration = time::Duration::minutes(5);
/// The header's name.
pub const HEADER: &str = "stripe-signature";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("The `Stripe-Signature` header is missing.")]
    Missing,
    #[error("The `Stripe-Signature` header has no `t=` timestamp or no `v1=` signature.")]
    Malformed,
    #[error("The `Stripe-Signature` timestamp is outside the tolerance of 5 minutes.")]
    Expired,
    #[error("No `v1` signature of the `Stripe-Signature` header matches the endpoint's secret.")]
    Mismatch,
}

/// An endpoint's signing secret, `whsec_...`. Stripe uses the whole string as the HMAC key.
#[derive(Clone)]
pub struct StripeSecret(String);

impl StripeSecret {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    fn mac(&self) -> Hmac<Sha256> {
        Hmac::<Sha256>::new_from_slice(self.0.as_bytes()).expect("HMAC takes keys of any length")
    }

    /// The `v1` signature of `body` at `timestamp`, hex (what Stripe sends; for tests and the
    /// local stack's examples).
    pub fn sign(&self, timestamp: i64, body: &[u8]) -> String {
        let mut mac = self.mac();
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }
}

impl std::fmt::Debug for StripeSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StripeSecret(..)")
    }
}

/// The header's parts: its timestamp and every `v1` value (other schemes, such as Stripe's
/// test-mode `v0`, are ignored, as Stripe's libraries do).
fn parse(header: &str) -> Result<(i64, Vec<Vec<u8>>), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let Some((name, value)) = part.trim().split_once('=') else {
            continue;
        };
        match name {
            "t" => timestamp = value.parse::<i64>().ok(),
            "v1" => signatures.extend(hex::decode(value).ok()),
            _ => {}
        }
    }
    match timestamp {
        Some(t) if !signatures.is_empty() => Ok((t, signatures)),
        _ => Err(SignatureError::Malformed),
    }
}

/// Checks a request's `Stripe-Signature` against the endpoint's secrets. Returns the index of
/// the secret that matched.
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secrets: &[StripeSecret],
    now: OffsetDateTime,
) -> Result<usize, SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let (timestamp, signatures) = parse(header)?;
    let matched = secrets.iter().position(|secret| {
        signatures.iter().any(|signature| {
            let mut mac = secret.mac();
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(body);
            mac.verify_slice(signature).is_ok()
        })
    });
    let matched = matched.ok_or(SignatureError::Mismatch)?;
    // Checked after the signature, so that an unsigned timestamp says nothing about the clock.
    let age = now.unix_timestamp().saturating_sub(timestamp);
    if age.abs() > TOLERANCE.whole_seconds() {
        return Err(SignatureError::Expired);
    }
    Ok(matched)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"id":"evt_1","type":"invoice.paid"}"#;

    fn now() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap()
    }

    fn header(secret: &str, t: i64, body: &[u8]) -> String {
        format!("t={t},v1={}", StripeSecret::new(secret).sign(t, body))
    }

    #[test]
    fn a_signature_of_the_body_under_the_secret_passes() {
        let secrets = [StripeSecret::new("whsec_a")];
        let t = now().unix_timestamp();
        assert_eq!(
            verify(Some(&header("whsec_a", t, BODY)), BODY, &secrets, now()),
            Ok(0)
        );
    }

    #[test]
    fn a_wrong_secret_or_a_tampered_body_fails() {
        let secrets = [StripeSecret::new("whsec_a")];
        let t = now().unix_timestamp();
        let wrong = header("whsec_b", t, BODY);
        assert_eq!(
            verify(Some(&wrong), BODY, &secrets, now()),
            Err(SignatureError::Mismatch)
        );
        let good = header("whsec_a", t, BODY);
        let tampered = br#"{"id":"evt_1","type":"invoice.paid" }"#;
        assert_eq!(
            verify(Some(&good), tampered, &secrets, now()),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn any_of_two_v1_values_may_match_during_a_secret_roll() {
        let t = now().unix_timestamp();
        let old = StripeSecret::new("whsec_old").sign(t, BODY);
        let new = StripeSecret::new("whsec_new").sign(t, BODY);
        let both = format!("t={t},v1={old},v1={new},v0=ignored");
        assert_eq!(
            verify(Some(&both), BODY, &[StripeSecret::new("whsec_new")], now()),
            Ok(0)
        );
        assert_eq!(
            verify(Some(&both), BODY, &[StripeSecret::new("whsec_old")], now()),
            Ok(0)
        );
        // The endpoint may hold both secrets itself while it rolls them.
        let only_new = header("whsec_new", t, BODY);
        let held = [
            StripeSecret::new("whsec_old"),
            StripeSecret::new("whsec_new"),
        ];
        assert_eq!(verify(Some(&only_new), BODY, &held, now()), Ok(1));
    }

    #[test]
    fn a_timestamp_past_the_tolerance_fails_either_way() {
        let secrets = [StripeSecret::new("whsec_a")];
        let t = now().unix_timestamp();
        for (offset, expected) in [
            (-300, Ok(0)),
            (300, Ok(0)),
            (-301, Err(SignatureError::Expired)),
            (301, Err(SignatureError::Expired)),
        ] {
            let signed = header("whsec_a", t + offset, BODY);
            assert_eq!(
                verify(Some(&signed), BODY, &secrets, now()),
                expected,
                "{offset}"
            );
        }
    }

    #[test]
    fn a_missing_or_malformed_header_fails() {
        let secrets = [StripeSecret::new("whsec_a")];
        assert_eq!(
            verify(None, BODY, &secrets, now()),
            Err(SignatureError::Missing)
        );
        for bad in ["", "t=1", "v1=00", "t=abc,v1=00", "t=1,v1=zz"] {
            assert_eq!(
                verify(Some(bad), BODY, &secrets, now()),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
    }
}
