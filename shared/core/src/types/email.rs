use super::InvalidValue;
use icu_normalizer::ComposingNormalizerBorrowed;

/// An email address, normalised so that one mailbox has one spelling: NFKC (full-width and
/// compatibility forms fold to their plain letters), the domain in its ASCII (IDNA) form, and
/// lower case. Uniqueness claims (one application, partner or customer per email) are keyed by
/// this form, so `Jane@ＥＸＡＭＰＬＥ.com` and `jane@example.com` are one person. Control,
/// bidirectional and invisible characters are refused rather than removed: they have no
/// place in an address, and removing them would hide what was sent.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct Email(String);

/// Characters that render as nothing or reorder text: Unicode's format characters (general
/// category Cf: soft hyphen, zero-width space and joiners, bidirectional marks, overrides and
/// isolates, the byte order mark, tags), variation selectors, and the fillers and combining
/// grapheme joiner that display as blanks.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}' | '\u{0600}'..='\u{0605}' | '\u{06DD}'
        | '\u{070F}' | '\u{08E2}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

impl Email {
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        let trimmed = value.trim();
        let invalid = || InvalidValue::new(format!("`{trimmed}` is not a valid email address"));
        if trimmed
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || is_invisible(c))
        {
            return Err(InvalidValue::new(
                "an email address cannot hold spaces, control, bidirectional or invisible characters",
            ));
        }
        let folded = ComposingNormalizerBorrowed::new_nfkc()
            .normalize(trimmed)
            .to_lowercase();
        // NFKC can make new spaces or controls of compatibility characters.
        if folded
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || is_invisible(c))
        {
            return Err(invalid());
        }
        let (local, domain) = folded.rsplit_once('@').ok_or_else(invalid)?;
        let domain = idna::domain_to_ascii(domain).map_err(|_| invalid())?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if local.is_empty() || local.chars().count() > 64 || local.contains('@') || !domain_ok {
            return Err(invalid());
        }
        let normalised = format!("{local}@{domain}");
        if normalised.len() > 254 {
            return Err(invalid());
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Email {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(value: &str) -> String {
        Email::parse(value).unwrap().as_str().to_owned()
    }

    #[test]
    fn normalises_case_and_whitespace() {
        assert_eq!(parsed("  Jane@Example.COM "), "jane@example.com");
    }

    #[test]
    fn full_width_and_compatibility_forms_are_one_address() {
        assert_eq!(parsed("jane@ｅｘａｍｐｌｅ.com"), "jane@example.com");
        assert_eq!(
            parsed("ｊａｎｅ＠ＥＸＡＭＰＬＥ．ＣＯＭ"),
            "jane@example.com"
        );
        assert_eq!(parsed("jane@example。com"), "jane@example.com");
    }

    #[test]
    fn international_domains_take_their_ascii_form() {
        assert_eq!(parsed("hans@Bücher.de"), "hans@xn--bcher-kva.de");
        assert_eq!(parsed("hans@xn--bcher-kva.de"), "hans@xn--bcher-kva.de");
    }

    #[test]
    fn invisible_bidirectional_and_control_characters_are_refused() {
        for bad in [
            "ja\u{200B}ne@example.com",
            "jane@exa\u{200D}mple.com",
            "jane@\u{202E}moc.elpmaxe",
            "jane\u{2066}@example.com",
            "jane@example.com\u{FEFF}x",
            "ja\u{00AD}ne@example.com",
            "ja\u{00A0}ne@example.com",
            "jane\u{0007}@example.com",
            "jane@example.com\u{E0041}x",
            "jan\u{FE0F}e@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in [
            "",
            "jane",
            "@example.com",
            "jane@",
            "jane@example",
            "ja ne@example.com",
            "jane@exa..mple.com",
            "a@b@c.com",
            "jane@exa_mple.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
