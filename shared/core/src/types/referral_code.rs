use super::InvalidValue;

/// A partner's referral code: 3 to 32 letters, digits, `-` or `_`. Codes are unique per program
/// regardless of case; [`ReferralCode::normalized`] is the form compared.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct ReferralCode(String);

impl ReferralCode {
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        let code = value.trim();
        let valid = (3..=32).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid {
            Ok(Self(code.to_owned()))
        } else {
            Err(InvalidValue::new(format!(
                "`{code}` is not a valid referral code: use 3 to 32 letters, digits, `-` or `_`"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-insensitive form used for uniqueness and lookups.
    pub fn normalized(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl std::fmt::Display for ReferralCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for ReferralCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_compare_case_insensitively() {
        assert_eq!(
            ReferralCode::parse("JANE20").unwrap().normalized(),
            ReferralCode::parse("jane20").unwrap().normalized()
        );
    }

    #[test]
    fn refuses_bad_codes() {
        for bad in ["ab", "has space", "x".repeat(33).as_str(), "émile", "a/b"] {
            assert!(ReferralCode::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
