//! The hosted partner portal link: `{base}?program=…&partner=…&expires=…&signature=…`, an
//! HMAC-SHA256 of the three values under a deployment secret, valid 24 hours. The portal
//! verifies it with [`PortalLinkSigner::verify`] before it shows anything; no state is stored.

use crate::model::PortalLink;
use crate::types::{PartnerId, ProgramId};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use time::{Duration, OffsetDateTime};

type HmacSha256 = Hmac<Sha256>;

/// How long a portal link works (StackBE: "valid 24h").
pub const PORTAL_LINK_TTL: Duration = Duration::hours(24);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortalLinkError {
    #[error("the portal link is malformed")]
    Malformed,
    #[error("the portal link's signature does not match")]
    BadSignature,
    #[error("the portal link has expired")]
    Expired,
}

pub struct PortalLinkSigner {
    key: HmacSha256,
    base_url: url::Url,
}

impl PortalLinkSigner {
    /// `secret`: at least 32 bytes (checked by `config::portal_link_signer`).
    pub fn new(secret: &[u8], base_url: url::Url) -> Self {
        Self {
            key: HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length"),
            base_url,
        }
    }

    fn mac(&self, program: &str, partner: &str, expires: i64) -> HmacSha256 {
        let mut mac = self.key.clone();
        // Newline-separated: ids never hold a newline, so no two triples sign the same bytes.
        mac.update(format!("{program}\n{partner}\n{expires}").as_bytes());
        mac
    }

    pub fn sign(
        &self,
        program: &ProgramId,
        partner: &PartnerId,
        now: OffsetDateTime,
    ) -> PortalLink {
        let expires_at = now + PORTAL_LINK_TTL;
        let expires = expires_at.unix_timestamp();
        let signature = hex::encode(
            self.mac(program.as_str(), partner.as_str(), expires)
                .finalize()
                .into_bytes(),
        );
        let mut url = self.base_url.clone();
        url.query_pairs_mut()
            .append_pair("program", program.as_str())
            .append_pair("partner", partner.as_str())
            .append_pair("expires", &expires.to_string())
            .append_pair("signature", &signature);
        PortalLink {
            url: url.into(),
            expires_at: OffsetDateTime::from_unix_timestamp(expires).unwrap_or(expires_at),
        }
    }

    /// The program and partner a link was signed for, if its signature holds and it has not
    /// expired. Compares in constant time.
    pub fn verify(
        &self,
        url: &str,
        now: OffsetDateTime,
    ) -> Result<(ProgramId, PartnerId), PortalLinkError> {
        let url = url::Url::parse(url).map_err(|_| PortalLinkError::Malformed)?;
        let (mut program, mut partner, mut expires, mut signature) = (None, None, None, None);
        for (name, value) in url.query_pairs() {
            let slot = match name.as_ref() {
                "program" => &mut program,
                "partner" => &mut partner,
                "expires" => &mut expires,
                "signature" => &mut signature,
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(PortalLinkError::Malformed);
            }
        }
        let (Some(program), Some(partner), Some(expires), Some(signature)) =
            (program, partner, expires, signature)
        else {
            return Err(PortalLinkError::Malformed);
        };
        let expires: i64 = expires.parse().map_err(|_| PortalLinkError::Malformed)?;
        let signature = hex::decode(signature).map_err(|_| PortalLinkError::BadSignature)?;
        self.mac(&program, &partner, expires)
            .verify_slice(&signature)
            .map_err(|_| PortalLinkError::BadSignature)?;
        if now.unix_timestamp() >= expires {
            return Err(PortalLinkError::Expired);
        }
        let program = ProgramId::parse(&program).map_err(|_| PortalLinkError::Malformed)?;
        let partner = PartnerId::parse(&partner).map_err(|_| PortalLinkError::Malformed)?;
        Ok((program, partner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const SECRET: &[u8] = b"portal-link-secret-of-the-tests-32b!";

    fn signer() -> PortalLinkSigner {
        PortalLinkSigner::new(
            SECRET,
            url::Url::parse("https://partners.example.com/portal").unwrap(),
        )
    }

    fn ids() -> (ProgramId, PartnerId) {
        (
            ProgramId::parse("prog_1").unwrap(),
            PartnerId::parse("pn_jane").unwrap(),
        )
    }

    #[test]
    fn a_signed_link_verifies_until_it_expires() {
        let now = datetime!(2026-11-21 9:00 UTC);
        let (program, partner) = ids();
        let link = signer().sign(&program, &partner, now);
        assert!(link.url.starts_with(
            "https://partners.example.com/portal?program=prog_1&partner=pn_jane&expires="
        ));
        assert_eq!(link.expires_at, now + PORTAL_LINK_TTL);
        let later = now + Duration::hours(23) + Duration::minutes(59);
        assert_eq!(signer().verify(&link.url, later), Ok((program, partner)));
        assert_eq!(
            signer().verify(&link.url, now + PORTAL_LINK_TTL),
            Err(PortalLinkError::Expired)
        );
    }

    #[test]
    fn tampering_or_another_secret_fails() {
        let now = datetime!(2026-11-21 9:00 UTC);
        let (program, partner) = ids();
        let url = signer().sign(&program, &partner, now).url;
        let other_partner = url.replace("partner=pn_jane", "partner=pn_bob");
        assert_eq!(
            signer().verify(&other_partner, now),
            Err(PortalLinkError::BadSignature)
        );
        let expires = (now + PORTAL_LINK_TTL).unix_timestamp();
        let extended = url.replace(
            &format!("expires={expires}"),
            &format!("expires={}", expires + 86_400),
        );
        assert_eq!(
            signer().verify(&extended, now),
            Err(PortalLinkError::BadSignature)
        );
        let other_key = PortalLinkSigner::new(
            b"another-secret-of-at-least-32-bytes!!",
            url::Url::parse("https://partners.example.com/portal").unwrap(),
        );
        assert_eq!(
            other_key.verify(&url, now),
            Err(PortalLinkError::BadSignature)
        );
        let unsigned = url.split("&signature=").next().unwrap().to_owned();
        assert_eq!(
            signer().verify(&unsigned, now),
            Err(PortalLinkError::Malformed)
        );
        let doubled = format!("{url}&partner=pn_bob");
        assert_eq!(
            signer().verify(&doubled, now),
            Err(PortalLinkError::Malformed)
        );
    }
}
