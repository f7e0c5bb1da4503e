use super::InvalidValue;

/// An absolute http(s) URL with a host. Refuses `javascript:`, `data:`, protocol-relative
/// `//host` and anything else a redirect or webhook must never point at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct WebUrl(String);

impl WebUrl {
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        let trimmed = value.trim();
        let invalid =
            |why: &str| InvalidValue::new(format!("`{trimmed}` is not a valid URL: {why}"));
        if trimmed.len() > 2048 {
            return Err(invalid("longer than 2048 characters"));
        }
        let url = url::Url::parse(trimmed).map_err(|_| invalid("not an absolute URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("only http and https are allowed"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(invalid("it has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("credentials in URLs are not allowed"));
        }
        Ok(Self(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }
}

impl std::fmt::Display for WebUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for WebUrl {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_and_https() {
        assert_eq!(
            WebUrl::parse("https://acme.com/x?a=1").unwrap().as_str(),
            "https://acme.com/x?a=1"
        );
        assert!(WebUrl::parse("http://localhost:3000").is_ok());
    }

    #[test]
    fn refuses_dangerous_or_relative_urls() {
        for bad in [
            "javascript:alert(1)",
            "data:text/html,hi",
            "//evil.com",
            "/path",
            "ftp://x.com",
            "https://user:pw@x.com",
            "http://",
        ] {
            assert!(WebUrl::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
