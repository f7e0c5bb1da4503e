//! Checks of the settings a program sets for its other features: the hosts that may report
//! clicks, who may frame the referral embed and how it looks, and its application form.
//!
//! They live with the program because `update_program` applies them; the features that read
//! the settings (client-side tracking, the embed, applications) only take the checked values.

use crate::error::DomainError;
use crate::model::{ApplicationFormField, FormFieldType};
use regex_lite::Regex;
use std::collections::BTreeSet;

const MAX_ORIGINS: usize = 20;
const MAX_LOGO_URL: usize = 2048;
/// Fields a form may have.
pub const MAX_FORM_FIELDS: usize = 20;

/// Checks a program's `allowedHostnames`: lower-cased host names, or `*.` + a host name.
pub fn parse_allowed_hostnames(raw: &[String]) -> Result<Vec<String>, String> {
    if raw.len() > 50 {
        return Err("`settings.allowedHostnames` takes at most 50 hostnames.".into());
    }
    raw.iter()
        .map(|entry| {
            let entry = entry.trim().to_ascii_lowercase();
            let host = entry.strip_prefix("*.").unwrap_or(&entry);
            let valid = host == "localhost" || super::DomainName::parse(host).is_ok();
            if valid {
                Ok(entry)
            } else {
                Err(format!(
                    "`{entry}` is not a hostname (`example.com` or `*.example.com`)."
                ))
            }
        })
        .collect()
}

pub fn whole_match(pattern: &str) -> Result<Regex, regex_lite::Error> {
    Regex::new(&format!("^(?:{pattern})$"))
}

/// Checks a program's form definition: unique keys, compilable patterns, choices where needed.
pub fn check_form_fields(fields: &[ApplicationFormField]) -> Result<(), DomainError> {
    if fields.len() > MAX_FORM_FIELDS {
        return Err(DomainError::Unprocessable(format!(
            "A form has at most {MAX_FORM_FIELDS} fields."
        )));
    }
    let mut keys = BTreeSet::new();
    for field in fields {
        let key_ok = (1..=40).contains(&field.key.len())
            && field
                .key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !key_ok || !keys.insert(field.key.as_str()) {
            return Err(DomainError::Unprocessable(format!(
                "Form field keys must be unique, 1 to 40 letters, digits, `_` or `-`: `{}`.",
                field.key
            )));
        }
        if field.label.trim().is_empty() || field.label.chars().count() > 200 {
            return Err(DomainError::Unprocessable(format!(
                "The label of `{}` must have 1 to 200 characters.",
                field.key
            )));
        }
        if field.max_length.is_some_and(|max| max == 0) {
            return Err(DomainError::Unprocessable(format!(
                "The `maxLength` of `{}` must be at least 1.",
                field.key
            )));
        }
        if let Some(pattern) = &field.pattern
            && whole_match(pattern).is_err()
        {
            return Err(DomainError::Unprocessable(format!(
                "The `pattern` of `{}` is not a valid regular expression.",
                field.key
            )));
        }
        let needs_options = matches!(
            field.kind,
            FormFieldType::Select | FormFieldType::MultipleChoice
        );
        if needs_options == field.options.is_empty() {
            return Err(DomainError::Unprocessable(format!(
                "`options` are required for select and multiple-choice fields only (`{}`).",
                field.key
            )));
        }
    }
    Ok(())
}

/// `https://app.example.com` or `http://localhost:3000`: a scheme, a host and maybe a port,
/// nothing else, lower-cased as browsers compare them. Plain `http` is allowed for loopback
/// hosts only, so a deployed program cannot be framed by a page an attacker on the network
/// could rewrite.
pub fn parse_origins(raw: &[String]) -> Result<Vec<String>, String> {
    if raw.len() > MAX_ORIGINS {
        return Err(format!(
            "`settings.embedAllowedOrigins` takes at most {MAX_ORIGINS} origins."
        ));
    }
    raw.iter().map(|entry| parse_origin(entry)).collect()
}

fn parse_origin(entry: &str) -> Result<String, String> {
    let invalid =
        || format!("`{entry}` is not an origin (`https://app.example.com`, no path or wildcard).");
    let url = url::Url::parse(entry.trim()).map_err(|_| invalid())?;
    let host = url.host_str().ok_or_else(invalid)?;
    let loopback = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    let bare = url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none()
        && !entry.trim().trim_end_matches('/').ends_with('?');
    if !scheme_ok || !bare || host.contains('*') {
        return Err(invalid());
    }
    Ok(url.origin().ascii_serialization())
}

/// `#rrggbb`, lower-cased.
pub fn parse_theme_color(raw: &str) -> Result<String, String> {
    let color = raw.trim();
    let valid = color.len() == 7
        && color.starts_with('#')
        && color[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if valid {
        Ok(color.to_ascii_lowercase())
    } else {
        Err("`settings.embedThemeColor` must be a colour as `#rrggbb`.".into())
    }
}

/// An `https` URL of at most 2,048 characters.
pub fn parse_logo_url(raw: &str) -> Result<String, String> {
    let invalid = || "`settings.embedLogoUrl` must be an https URL.".to_owned();
    let url = url::Url::parse(raw.trim()).map_err(|_| invalid())?;
    if url.scheme() != "https" || url.host_str().is_none() || raw.len() > MAX_LOGO_URL {
        return Err(invalid());
    }
    Ok(url.into())
}
