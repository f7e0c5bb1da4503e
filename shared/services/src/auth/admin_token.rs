//! Admin JWTs (RFC 8725 practice): one allowed algorithm from configuration, `exp`, `iss` and
//! `aud` required and checked, the program taken from the `program_id` claim.

use super::AuthError;
use crate::types::ProgramId;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};

/// The scope claim value that lets a token create programs (a platform administrator).
pub const CREATE_PROGRAMS_SCOPE: &str = "programs:create";

/// Key material for admin tokens.
#[derive(Clone)]
pub enum JwtKey {
    /// A shared secret (HS256); at least 32 bytes.
    Hs256(Vec<u8>),
    /// An RSA public key in PEM (RS256).
    Rs256Pem(String),
    /// An EC P-256 public key in PEM (ES256).
    Es256Pem(String),
}

impl std::fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.write_str(match self {
            JwtKey::Hs256(_) => "JwtKey::Hs256(..)",
            JwtKey::Rs256Pem(_) => "JwtKey::Rs256Pem(..)",
            JwtKey::Es256Pem(_) => "JwtKey::Es256Pem(..)",
        })
    }
}

#[derive(Debug, Clone)]
pub struct AdminTokenConfig {
    pub issuer: String,
    pub audience: String,
    pub key: JwtKey,
}

/// The claims of an admin token.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AdminClaims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub exp: u64,
    /// The program this token administers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program_id: Option<ProgramId>,
    /// Space-separated extra permissions, e.g. `programs:create`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl AdminClaims {
    pub fn can_create_programs(&self) -> bool {
        self.scope
            .as_deref()
            .is_some_and(|scope| scope.split_whitespace().any(|s| s == CREATE_PROGRAMS_SCOPE))
    }
}

pub struct AdminTokenVerifier {
    key: DecodingKey,
    validation: Validation,
}

impl AdminTokenVerifier {
    pub fn new(config: &AdminTokenConfig) -> Result<Self, String> {
        let (algorithm, key) = match &config.key {
            JwtKey::Hs256(secret) => {
                if secret.len() < 32 {
                    return Err("the HS256 secret must be at least 32 bytes".into());
                }
                (Algorithm::HS256, DecodingKey::from_secret(secret))
            }
            JwtKey::Rs256Pem(pem) => (
                Algorithm::RS256,
                DecodingKey::from_rsa_pem(pem.as_bytes())
                    .map_err(|e| format!("the RS256 public key is invalid: {e}"))?,
            ),
            JwtKey::Es256Pem(pem) => (
                Algorithm::ES256,
                DecodingKey::from_ec_pem(pem.as_bytes())
                    .map_err(|e| format!("the ES256 public key is invalid: {e}"))?,
            ),
        };
        // Exactly one algorithm: a token signed any other way (or `alg: none`) is refused.
        let mut validation = Validation::new(algorithm);
        validation.algorithms = vec![algorithm];
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = 30;
        Ok(Self { key, validation })
    }

    pub fn verify(&self, token: &str) -> Result<AdminClaims, AuthError> {
        jsonwebtoken::decode::<AdminClaims>(token, &self.key, &self.validation)
            .map(|data| data.claims)
            .map_err(|error| AuthError::InvalidToken(describe(&error)))
    }
}

/// A short, safe reason: never the token itself.
fn describe(error: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match error.kind() {
        ErrorKind::ExpiredSignature => "it has expired".into(),
        ErrorKind::InvalidIssuer => "wrong issuer".into(),
        ErrorKind::InvalidAudience => "wrong audience".into(),
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
            "algorithm not allowed".into()
        }
        ErrorKind::InvalidSignature => "bad signature".into(),
        ErrorKind::MissingRequiredClaim(claim) => format!("the `{claim}` claim is missing"),
        ErrorKind::ImmatureSignature => "it is not valid yet".into(),
        _ => "malformed token".into(),
    }
}

/// Signs HS256 admin tokens: used by the local stack and tests. In production the business's
/// identity provider issues the tokens.
pub struct AdminTokenIssuer {
    key: EncodingKey,
    issuer: String,
    audience: String,
}

impl AdminTokenIssuer {
    pub fn new(config: &AdminTokenConfig) -> Result<Self, String> {
        match &config.key {
            JwtKey::Hs256(secret) => Ok(Self {
                key: EncodingKey::from_secret(secret),
                issuer: config.issuer.clone(),
                audience: config.audience.clone(),
            }),
            _ => Err("only HS256 tokens can be issued locally".into()),
        }
    }

    pub fn issue(
        &self,
        subject: &str,
        program_id: Option<&ProgramId>,
        scope: Option<&str>,
        expires_at_epoch: u64,
    ) -> String {
        let claims = AdminClaims {
            sub: subject.into(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: expires_at_epoch,
            program_id: program_id.cloned(),
            scope: scope.map(str::to_owned),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.key)
            .expect("HS256 signing cannot fail")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn config() -> AdminTokenConfig {
        AdminTokenConfig {
            issuer: "https://idp.test".into(),
            audience: "partnerline".into(),
            key: JwtKey::Hs256(SECRET.to_vec()),
        }
    }

    fn in_an_hour() -> u64 {
        jsonwebtoken::get_current_timestamp() + 3600
    }

    fn sign(header: Header, claims: &serde_json::Value) -> String {
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(SECRET)).unwrap()
    }

    fn claims() -> serde_json::Value {
        serde_json::json!({"sub": "admin", "iss": "https://idp.test", "aud": "partnerline", "exp": in_an_hour(), "program_id": "prog_1"})
    }

    fn verify(token: &str) -> Result<AdminClaims, AuthError> {
        AdminTokenVerifier::new(&config()).unwrap().verify(token)
    }

    #[test]
    fn a_valid_token_gives_its_program() {
        let claims = verify(&sign(Header::new(Algorithm::HS256), &claims())).unwrap();
        assert_eq!(claims.program_id.as_ref().unwrap().as_str(), "prog_1");
        assert!(!claims.can_create_programs());
    }

    #[test]
    fn issued_tokens_verify() {
        let issuer = AdminTokenIssuer::new(&config()).unwrap();
        let token = issuer.issue("ops", None, Some("programs:create"), in_an_hour());
        assert!(verify(&token).unwrap().can_create_programs());
    }

    #[test]
    fn expired_tokens_are_refused() {
        let mut claims = claims();
        claims["exp"] = serde_json::json!(jsonwebtoken::get_current_timestamp() - 120);
        assert_eq!(
            verify(&sign(Header::new(Algorithm::HS256), &claims)),
            Err(AuthError::InvalidToken("it has expired".into()))
        );
    }

    #[test]
    fn wrong_audience_or_issuer_is_refused() {
        let mut wrong_aud = claims();
        wrong_aud["aud"] = "someone-else".into();
        assert_eq!(
            verify(&sign(Header::new(Algorithm::HS256), &wrong_aud)),
            Err(AuthError::InvalidToken("wrong audience".into()))
        );
        let mut wrong_iss = claims();
        wrong_iss["iss"] = "https://evil.test".into();
        assert_eq!(
            verify(&sign(Header::new(Algorithm::HS256), &wrong_iss)),
            Err(AuthError::InvalidToken("wrong issuer".into()))
        );
    }

    #[test]
    fn required_claims_must_be_present_and_well_typed() {
        for missing in ["exp", "iss", "aud"] {
            let mut claims = claims();
            claims.as_object_mut().unwrap().remove(missing);
            assert!(
                verify(&sign(Header::new(Algorithm::HS256), &claims)).is_err(),
                "{missing} missing"
            );
        }
        let mut string_exp = claims();
        string_exp["exp"] = serde_json::json!(in_an_hour().to_string());
        assert!(verify(&sign(Header::new(Algorithm::HS256), &string_exp)).is_err());
    }

    #[test]
    fn other_algorithms_and_alg_none_are_refused() {
        assert!(verify(&sign(Header::new(Algorithm::HS384), &claims())).is_err());
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims().to_string());
        assert!(verify(&format!("{header}.{payload}.")).is_err());
        let valid = sign(Header::new(Algorithm::HS256), &claims());
        let tampered = valid.replace(
            valid.split('.').nth(1).unwrap(),
            &URL_SAFE_NO_PAD.encode(claims().to_string().replace("prog_1", "prog_2")),
        );
        assert_eq!(
            verify(&tampered),
            Err(AuthError::InvalidToken("bad signature".into()))
        );
    }

    #[test]
    fn short_secrets_are_refused_at_start_up() {
        let mut config = config();
        config.key = JwtKey::Hs256(b"short".to_vec());
        assert!(AdminTokenVerifier::new(&config).is_err());
    }

    /// Key pairs made for these tests only (`testdata/README.md`).
    const ES256_PRIVATE: &str = include_str!("testdata/es256-private.pem");
    const ES256_PUBLIC: &str = include_str!("testdata/es256-public.pem");
    const ES256_OTHER_PRIVATE: &str = include_str!("testdata/es256-other-private.pem");
    const RS256_PRIVATE: &str = include_str!("testdata/rs256-private.pem");
    const RS256_PUBLIC: &str = include_str!("testdata/rs256-public.pem");

    fn verify_with(key: JwtKey, token: &str) -> Result<AdminClaims, AuthError> {
        let config = AdminTokenConfig { key, ..config() };
        AdminTokenVerifier::new(&config).unwrap().verify(token)
    }

    #[test]
    fn es256_tokens_verify_with_the_public_key_only() {
        let public = || JwtKey::Es256Pem(ES256_PUBLIC.into());
        let signed = |pem: &str| {
            let key = EncodingKey::from_ec_pem(pem.as_bytes()).unwrap();
            jsonwebtoken::encode(&Header::new(Algorithm::ES256), &claims(), &key).unwrap()
        };
        let verified = verify_with(public(), &signed(ES256_PRIVATE)).unwrap();
        assert_eq!(verified.program_id.unwrap().as_str(), "prog_1");
        assert_eq!(
            verify_with(public(), &signed(ES256_OTHER_PRIVATE)),
            Err(AuthError::InvalidToken("bad signature".into()))
        );
        // Algorithm confusion: an HS256 token keyed with the public key's text is refused.
        let confused = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims(),
            &EncodingKey::from_secret(ES256_PUBLIC.as_bytes()),
        )
        .unwrap();
        assert!(verify_with(public(), &confused).is_err());
    }

    #[test]
    fn rs256_tokens_verify_with_the_public_key_only() {
        let key = EncodingKey::from_rsa_pem(RS256_PRIVATE.as_bytes()).unwrap();
        let token = jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims(), &key).unwrap();
        let public = || JwtKey::Rs256Pem(RS256_PUBLIC.into());
        assert_eq!(
            verify_with(public(), &token)
                .unwrap()
                .program_id
                .unwrap()
                .as_str(),
            "prog_1"
        );
        let es_key = EncodingKey::from_ec_pem(ES256_PRIVATE.as_bytes()).unwrap();
        let es_token =
            jsonwebtoken::encode(&Header::new(Algorithm::ES256), &claims(), &es_key).unwrap();
        assert!(verify_with(public(), &es_token).is_err());
        assert!(
            AdminTokenVerifier::new(&AdminTokenConfig {
                key: JwtKey::Rs256Pem("not a key".into()),
                ..config()
            })
            .is_err()
        );
    }
}
