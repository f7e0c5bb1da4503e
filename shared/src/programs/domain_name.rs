use crate::types::InvalidValue;

/// A host name for short links, lower-cased: letters, digits and hyphens in dot-separated labels.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct DomainName(String);

impl DomainName {
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        let name = value.trim().trim_end_matches('.').to_ascii_lowercase();
        let label_ok = |label: &str| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        if name.len() > 253 || !name.contains('.') || !name.split('.').all(label_ok) {
            return Err(InvalidValue::new(format!(
                "`{}` is not a valid domain name",
                value.trim()
            )));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for DomainName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_host_names_and_lowercases_them() {
        assert_eq!(
            DomainName::parse("Go.Acme.com").unwrap().as_str(),
            "go.acme.com"
        );
        assert!(DomainName::parse("demo.localhost").is_ok());
    }

    #[test]
    fn refuses_non_hosts() {
        for bad in [
            "acme",
            "https://acme.com",
            "-a.com",
            "a..com",
            "a_b.com",
            "acme.com/x",
            "",
        ] {
            assert!(DomainName::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
