//! Checks of the link fields a request may set, shared by create and update.

use crate::error::DomainError;
use crate::types::WebUrl;
use std::collections::BTreeMap;

pub fn url(field: &str, raw: &str) -> Result<WebUrl, DomainError> {
    WebUrl::parse(raw).map_err(|e| DomainError::Unprocessable(format!("`{field}`: {e}.")))
}

pub fn optional_url(field: &str, raw: Option<&str>) -> Result<Option<WebUrl>, DomainError> {
    raw.map(|raw| url(field, raw)).transpose()
}

/// Destinations per country: upper-cased ISO 3166-1 alpha-2 codes to http(s) URLs.
pub fn geo(raw: BTreeMap<String, String>) -> Result<BTreeMap<String, WebUrl>, DomainError> {
    if raw.len() > 250 {
        return Err(DomainError::Unprocessable(
            "`geo` has more countries than exist.".into(),
        ));
    }
    raw.into_iter()
        .map(|(country, destination)| {
            let code = country.trim().to_ascii_uppercase();
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(DomainError::Unprocessable(format!(
                    "`geo`: `{country}` is not a two-letter country code."
                )));
            }
            let destination = url(&format!("geo.{code}"), &destination)?;
            Ok((code, destination))
        })
        .collect()
}

pub fn tenant_id(raw: Option<String>) -> Result<Option<String>, DomainError> {
    match raw.map(|t| t.trim().to_owned()) {
        Some(t) if t.is_empty() || t.chars().count() > 190 => Err(DomainError::Unprocessable(
            "`tenantId` must have 1 to 190 characters.".into(),
        )),
        other => Ok(other),
    }
}
