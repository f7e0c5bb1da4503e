//! Self-verifying click ids.
//!
//! The redirect sends clicks to a queue in batches, so a click event can be lost between the
//! redirect and the aggregator (a crash before a flush). A click id that carries its own link,
//! time and country, signed with a deployment secret, keeps every lead attributable anyway:
//! attribution verifies the signature and reads the link, and never depends on the click
//! record having arrived.
//!
//! Layout, before base64url (no padding), 41 bytes → 55 characters after `clk_`:
//!
//! | bytes | field                                                         |
//! |-------|---------------------------------------------------------------|
//! | 1     | format version (1)                                            |
//! | 6     | click time, Unix milliseconds, big-endian                     |
//! | 6     | random bytes: two clicks in one millisecond never collide     |
//! | 16    | the link id's 26-character Crockford part, as a 128-bit value |
//! | 2     | ISO country code, ASCII, or `00` when unknown                 |
//! | 10    | HMAC-SHA256 over the 31 bytes before it, truncated            |
//!
//! An 80-bit tag is far beyond online guessing: an attacker gets one try per request.

use crate::ports::Random;
use crate::types::{ClickId, LinkId};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

type HmacSha256 = Hmac<Sha256>;

const VERSION: u8 = 1;
const SIGNED_LEN: usize = 31;
const TAG_LEN: usize = 10;
const TOTAL_LEN: usize = SIGNED_LEN + TAG_LEN;
const NO_COUNTRY: [u8; 2] = *b"00";
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// What a click id says about its click.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClickClaims {
    /// Millisecond precision.
    pub clicked_at: OffsetDateTime,
    pub link_id: LinkId,
    /// Upper-case ISO 3166-1 alpha-2 code.
    pub country: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClickIdError {
    #[error("the click id is malformed")]
    Malformed,
    #[error("the click id's signature does not verify")]
    BadSignature,
    #[error("the link id cannot be carried in a click id")]
    UnsupportedLinkId,
}

/// Signs click ids with the current secret and verifies them with the current or any previous
/// one, so that the secret can be rotated without orphaning clicks inside the attribution
/// window.
pub struct ClickIdSigner {
    keys: Vec<HmacSha256>,
}

impl ClickIdSigner {
    /// `current` signs; `current` and `previous` verify.
    pub fn new(current: &[u8], previous: &[&[u8]]) -> Self {
        let keys = std::iter::once(current)
            .chain(previous.iter().copied())
            .map(|key| HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length"))
            .collect();
        Self { keys }
    }

    /// A new click id for a click on `claims.link_id` at `claims.clicked_at`.
    pub fn issue(
        &self,
        claims: &ClickClaims,
        random: &dyn Random,
    ) -> Result<ClickId, ClickIdError> {
        let mut bytes = [0u8; TOTAL_LEN];
        bytes[0] = VERSION;
        let millis = (claims.clicked_at.unix_timestamp_nanos() / 1_000_000).max(0) as u64;
        bytes[1..7].copy_from_slice(&millis.to_be_bytes()[2..]);
        random.fill(&mut bytes[7..13]);
        let link = decode_crockford(
            claims
                .link_id
                .as_str()
                .strip_prefix(LinkId::PREFIX)
                .unwrap_or_default(),
        )
        .ok_or(ClickIdError::UnsupportedLinkId)?;
        bytes[13..29].copy_from_slice(&link.to_be_bytes());
        bytes[29..31].copy_from_slice(&country_bytes(claims.country.as_deref()));
        let tag = self.tag(&self.keys[0], &bytes[..SIGNED_LEN]);
        bytes[SIGNED_LEN..].copy_from_slice(&tag);
        let id = format!("{}{}", ClickId::PREFIX, URL_SAFE_NO_PAD.encode(bytes));
        Ok(ClickId::parse(&id).expect("a click id is within the id alphabet"))
    }

    /// The claims of a click id this deployment issued; anything else is an error.
    pub fn verify(&self, id: &str) -> Result<ClickClaims, ClickIdError> {
        let encoded = id
            .strip_prefix(ClickId::PREFIX)
            .ok_or(ClickIdError::Malformed)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| ClickIdError::Malformed)?;
        if bytes.len() != TOTAL_LEN || bytes[0] != VERSION {
            return Err(ClickIdError::Malformed);
        }
        let (signed, tag) = bytes.split_at(SIGNED_LEN);
        if !self.keys.iter().any(|key| {
            let mut mac = key.clone();
            mac.update(signed);
            mac.verify_truncated_left(tag).is_ok()
        }) {
            return Err(ClickIdError::BadSignature);
        }
        let mut millis = [0u8; 8];
        millis[2..].copy_from_slice(&signed[1..7]);
        let clicked_at = OffsetDateTime::from_unix_timestamp_nanos(
            i128::from(u64::from_be_bytes(millis)) * 1_000_000,
        )
        .map_err(|_| ClickIdError::Malformed)?;
        let link = u128::from_be_bytes(signed[13..29].try_into().expect("16 bytes"));
        let link_id = LinkId::parse(&format!("{}{}", LinkId::PREFIX, encode_crockford(link)))
            .map_err(|_| ClickIdError::Malformed)?;
        let country = match [signed[29], signed[30]] {
            NO_COUNTRY => None,
            code if code.iter().all(u8::is_ascii_uppercase) => {
                Some(String::from_utf8(code.to_vec()).expect("ASCII"))
            }
            _ => return Err(ClickIdError::Malformed),
        };
        Ok(ClickClaims {
            clicked_at,
            link_id,
            country,
        })
    }

    fn tag(&self, key: &HmacSha256, signed: &[u8]) -> [u8; TAG_LEN] {
        let mut mac = key.clone();
        mac.update(signed);
        let full = mac.finalize().into_bytes();
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&full[..TAG_LEN]);
        tag
    }
}

fn country_bytes(country: Option<&str>) -> [u8; 2] {
    match country.map(str::as_bytes) {
        Some([a, b]) if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
            [a.to_ascii_uppercase(), b.to_ascii_uppercase()]
        }
        _ => NO_COUNTRY,
    }
}

/// The 128-bit value of a 26-character Crockford string (a ULID's text form).
fn decode_crockford(text: &str) -> Option<u128> {
    if text.len() != 26 {
        return None;
    }
    let mut value: u128 = 0;
    for (index, byte) in text.bytes().enumerate() {
        let digit = CROCKFORD
            .iter()
            .position(|c| *c == byte.to_ascii_uppercase())? as u128;
        // The first character carries only 3 bits (26 × 5 = 130 > 128).
        if index == 0 && digit > 7 {
            return None;
        }
        value = (value << 5) | digit;
    }
    Some(value)
}

fn encode_crockford(value: u128) -> String {
    (0..26)
        .rev()
        .map(|digit| CROCKFORD[((value >> (5 * digit)) & 0x1F) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{ManualClock, SeededRandom, SequentialIds, UlidIds};
    use std::sync::Arc;
    use time::macros::datetime;

    fn claims(link_id: LinkId) -> ClickClaims {
        ClickClaims {
            clicked_at: datetime!(2026-11-21 10:15:30.123 UTC),
            link_id,
            country: Some("DE".into()),
        }
    }

    fn ulid_link() -> LinkId {
        let clock = Arc::new(ManualClock::new(datetime!(2026-11-21 0:00 UTC)));
        LinkId::generate(&UlidIds::new(clock, Arc::new(SeededRandom::new(3))))
    }

    #[test]
    fn an_issued_id_verifies_to_its_claims() {
        let signer = ClickIdSigner::new(b"secret", &[]);
        for link in [ulid_link(), LinkId::generate(&SequentialIds::default())] {
            let id = signer
                .issue(&claims(link.clone()), &SeededRandom::new(1))
                .unwrap();
            assert!(id.as_str().starts_with("clk_"));
            assert_eq!(id.as_str().len(), 4 + 55);
            assert_eq!(signer.verify(id.as_str()).unwrap(), claims(link));
        }
    }

    #[test]
    fn unknown_country_round_trips_as_none() {
        let signer = ClickIdSigner::new(b"secret", &[]);
        let mut claims = claims(ulid_link());
        claims.country = None;
        let id = signer.issue(&claims, &SeededRandom::new(1)).unwrap();
        assert_eq!(signer.verify(id.as_str()).unwrap().country, None);
    }

    #[test]
    fn two_clicks_in_one_millisecond_get_different_ids() {
        let signer = ClickIdSigner::new(b"secret", &[]);
        let random = SeededRandom::new(1);
        let claims = claims(ulid_link());
        assert_ne!(
            signer.issue(&claims, &random).unwrap(),
            signer.issue(&claims, &random).unwrap()
        );
    }

    #[test]
    fn a_tampered_or_foreign_id_is_refused() {
        let signer = ClickIdSigner::new(b"secret", &[]);
        let id = signer
            .issue(&claims(ulid_link()), &SeededRandom::new(1))
            .unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(&id.as_str()[4..]).unwrap();
        bytes[20] ^= 1;
        let tampered = format!("clk_{}", URL_SAFE_NO_PAD.encode(&bytes));
        assert_eq!(signer.verify(&tampered), Err(ClickIdError::BadSignature));
        let other = ClickIdSigner::new(b"another deployment", &[]);
        assert_eq!(other.verify(id.as_str()), Err(ClickIdError::BadSignature));
        for junk in ["", "clk_", "clk_abc", "pn_123", "clk_!!!!"] {
            assert_eq!(signer.verify(junk), Err(ClickIdError::Malformed), "{junk}");
        }
    }

    #[test]
    fn a_previous_secret_still_verifies_after_rotation() {
        let old = ClickIdSigner::new(b"old", &[]);
        let id = old
            .issue(&claims(ulid_link()), &SeededRandom::new(1))
            .unwrap();
        let rotated = ClickIdSigner::new(b"new", &[b"old"]);
        assert!(rotated.verify(id.as_str()).is_ok());
        assert_eq!(
            ClickIdSigner::new(b"new", &[]).verify(id.as_str()),
            Err(ClickIdError::BadSignature)
        );
    }

    #[test]
    fn a_link_id_that_is_not_26_crockford_characters_is_refused() {
        let signer = ClickIdSigner::new(b"secret", &[]);
        let link = LinkId::parse("link_custom-key").unwrap();
        assert_eq!(
            signer.issue(&claims(link), &SeededRandom::new(1)),
            Err(ClickIdError::UnsupportedLinkId)
        );
    }
}
