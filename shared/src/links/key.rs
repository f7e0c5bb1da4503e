//! Link keys: the path part of `https://{domain}/{key}`. Keys are case-insensitive, so they are
//! stored and looked up lower-cased; the empty key is the domain's root link.

use crate::ports::Random;
use crate::types::InvalidValue;

pub use crate::model::ROOT_KEY_ALIAS;
const MAX_KEY_LEN: usize = 190;
const RANDOM_KEY_LEN: usize = 7;
const RANDOM_KEY_ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// A normalised key: lower-case letters, digits, `-`, `_` and `.`; empty for the root link.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LinkKey(String);

impl LinkKey {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed == ROOT_KEY_ALIAS {
            return Ok(Self(String::new()));
        }
        let key = trimmed.to_ascii_lowercase();
        let valid = key.len() <= MAX_KEY_LEN
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && !key.starts_with('.');
        if !valid {
            return Err(InvalidValue::new(format!(
                "`{trimmed}` is not a valid key: use up to {MAX_KEY_LEN} letters, digits, `-`, `_` or `.`"
            )));
        }
        Ok(Self(key))
    }

    /// A random 7-character key (36^7, about 78 billion keys).
    pub fn random(random: &dyn Random) -> Self {
        let mut bytes = [0u8; RANDOM_KEY_LEN];
        random.fill(&mut bytes);
        Self(
            bytes
                .iter()
                .map(|b| RANDOM_KEY_ALPHABET[*b as usize % RANDOM_KEY_ALPHABET.len()] as char)
                .collect(),
        )
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

/// The key a request path names, normalised for the lookup: `None` when it cannot be a key,
/// so that the redirect answers 404 without reading the table.
pub fn lookup_key(path_key: &str) -> Option<String> {
    let key = path_key.trim_matches('/');
    let valid = key.len() <= MAX_KEY_LEN
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    valid.then(|| key.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::SeededRandom;

    #[test]
    fn keys_are_lower_cased_and_the_root_has_two_spellings() {
        assert_eq!(LinkKey::parse(" Jane20 ").unwrap().as_str(), "jane20");
        assert!(LinkKey::parse("").unwrap().is_root());
        assert!(LinkKey::parse("_root").unwrap().is_root());
        for bad in ["a/b", "a b", "é", ".hidden", &"x".repeat(191)] {
            assert!(LinkKey::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn random_keys_are_valid_and_differ() {
        let random = SeededRandom::new(1);
        let (a, b) = (LinkKey::random(&random), LinkKey::random(&random));
        assert_ne!(a, b);
        assert_eq!(LinkKey::parse(a.as_str()).unwrap(), a);
    }

    #[test]
    fn lookup_keys_refuse_what_no_link_can_have() {
        assert_eq!(lookup_key("/Jane20").as_deref(), Some("jane20"));
        assert_eq!(lookup_key("").as_deref(), Some(""));
        assert_eq!(lookup_key("wp-admin/x.php"), None);
    }
}
