//! Checks of a group's own fields.

use crate::error::DomainError;
use crate::model::HOLDING_PERIODS;

pub fn name(name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 190 {
        return Err(DomainError::Unprocessable(
            "`name` must have 1 to 190 characters.".into(),
        ));
    }
    Ok(name.to_owned())
}

/// Lowercase letters, digits and hyphens, not starting or ending with a hyphen.
pub fn slug(slug: &str) -> Result<String, DomainError> {
    let valid = (1..=100).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if !valid {
        return Err(DomainError::Unprocessable(
            "`slug` must be 1 to 100 lowercase letters, digits or hyphens.".into(),
        ));
    }
    Ok(slug.to_owned())
}

/// A slug made from a name: `Top Affiliates!` becomes `top-affiliates`.
pub fn slug_from_name(name: &str) -> Result<String, DomainError> {
    let mut made = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            made.push(c.to_ascii_lowercase());
        } else if !made.is_empty() && !made.ends_with('-') {
            made.push('-');
        }
    }
    let made: String = made.trim_end_matches('-').chars().take(100).collect();
    slug(made.trim_end_matches('-')).map_err(|_| {
        DomainError::Unprocessable(
            "`slug` is required when `name` has no letters or digits.".into(),
        )
    })
}

pub fn holding_period(days: u32) -> Result<u32, DomainError> {
    if !HOLDING_PERIODS.contains(&days) {
        return Err(DomainError::Unprocessable(
            "`holdingPeriodDays` must be one of 0, 7, 14, 30, 60, 90.".into(),
        ));
    }
    Ok(days)
}

pub fn max_links(links: u32) -> Result<u32, DomainError> {
    if !(1..=100).contains(&links) {
        return Err(DomainError::Unprocessable(
            "`maxLinksPerPartner` must be from 1 to 100.".into(),
        ));
    }
    Ok(links)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_letters_digits_and_hyphens() {
        assert!(slug("top-10").is_ok());
        for bad in ["", "Top", "a b", "-a", "a-", "a_b", "é"] {
            assert!(slug(bad).is_err(), "{bad}");
        }
        assert_eq!(
            slug_from_name("  Top Affiliates! 2").unwrap(),
            "top-affiliates-2"
        );
        assert!(slug_from_name("!!").is_err());
    }
}
