//! Configuration from the environment, read once at start-up. A missing or bad setting stops
//! the function at init with a message that names the variable, never its value.

use crate::auth::{AdminTokenConfig, JwtKey};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the environment variable {0} is not set")]
    Missing(&'static str),
    #[error("the environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

pub fn required(name: &'static str) -> Result<String, ConfigError> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
        .ok_or(ConfigError::Missing(name))
}

pub fn optional(name: &'static str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

/// Admin token settings: `ADMIN_JWT_ISSUER`, `ADMIN_JWT_AUDIENCE`, and either
/// `ADMIN_JWT_HS256_SECRET` or `ADMIN_JWT_PUBLIC_KEY` (PEM) with `ADMIN_JWT_ALGORITHM`
/// (`RS256` or `ES256`). In AWS the template fills these from SSM / Secrets Manager.
pub fn admin_tokens() -> Result<AdminTokenConfig, ConfigError> {
    let issuer = required("ADMIN_JWT_ISSUER")?;
    let audience = required("ADMIN_JWT_AUDIENCE")?;
    let key = match (
        optional("ADMIN_JWT_HS256_SECRET"),
        optional("ADMIN_JWT_PUBLIC_KEY"),
    ) {
        (Some(secret), None) => JwtKey::Hs256(secret.into_bytes()),
        (None, Some(pem)) => match required("ADMIN_JWT_ALGORITHM")?.as_str() {
            "RS256" => JwtKey::Rs256Pem(pem),
            "ES256" => JwtKey::Es256Pem(pem),
            other => {
                return Err(ConfigError::Invalid {
                    name: "ADMIN_JWT_ALGORITHM",
                    reason: format!("`{other}` is not RS256 or ES256"),
                });
            }
        },
        (Some(_), Some(_)) => {
            return Err(ConfigError::Invalid {
                name: "ADMIN_JWT_HS256_SECRET",
                reason: "set either it or ADMIN_JWT_PUBLIC_KEY, not both".into(),
            });
        }
        (None, None) => {
            return Err(ConfigError::Missing(
                "ADMIN_JWT_HS256_SECRET or ADMIN_JWT_PUBLIC_KEY",
            ));
        }
    };
    Ok(AdminTokenConfig {
        issuer,
        audience,
        key,
    })
}

/// The click-id signer: `CLICK_ID_SECRET` signs; `CLICK_ID_PREVIOUS_SECRETS` (comma-separated,
/// optional) still verify during a rotation. At least 32 bytes each.
pub fn click_id_signer() -> Result<crate::clicks::ClickIdSigner, ConfigError> {
    let current = required("CLICK_ID_SECRET")?;
    let previous: Vec<String> = optional("CLICK_ID_PREVIOUS_SECRETS")
        .map(|list| list.split(',').map(|s| s.trim().to_owned()).collect())
        .unwrap_or_default();
    for (name, secret) in std::iter::once(("CLICK_ID_SECRET", &current))
        .chain(previous.iter().map(|s| ("CLICK_ID_PREVIOUS_SECRETS", s)))
    {
        if secret.len() < 32 {
            return Err(ConfigError::Invalid {
                name,
                reason: "a secret must be at least 32 bytes".into(),
            });
        }
    }
    let previous: Vec<&[u8]> = previous.iter().map(|s| s.as_bytes()).collect();
    Ok(crate::clicks::ClickIdSigner::new(
        current.as_bytes(),
        &previous,
    ))
}

/// How often the partner listing re-reads the partner change feed: `PARTNER_LISTING_REFRESH_MS`
/// (default 0: on every request; a busy program may trade a little freshness for reads).
pub fn partner_listing_refresh() -> Result<std::time::Duration, ConfigError> {
    match optional("PARTNER_LISTING_REFRESH_MS") {
        None => Ok(std::time::Duration::ZERO),
        Some(raw) => raw
            .trim()
            .parse::<u64>()
            .map(std::time::Duration::from_millis)
            .map_err(|_| ConfigError::Invalid {
                name: "PARTNER_LISTING_REFRESH_MS",
                reason: "expected whole milliseconds".into(),
            }),
    }
}

/// The partner portal link signer: `PORTAL_LINK_SECRET` (at least 32 bytes) signs links to
/// `PORTAL_BASE_URL` (an https URL, or http on localhost).
pub fn portal_link_signer() -> Result<crate::portal::PortalLinkSigner, ConfigError> {
    let secret = required("PORTAL_LINK_SECRET")?;
    if secret.len() < 32 {
        return Err(ConfigError::Invalid {
            name: "PORTAL_LINK_SECRET",
            reason: "a secret must be at least 32 bytes".into(),
        });
    }
    let base = required("PORTAL_BASE_URL")?;
    let base = url::Url::parse(base.trim())
        .ok()
        .filter(|url| {
            url.scheme() == "https"
                || (url.scheme() == "http" && url.host_str() == Some("localhost"))
        })
        .ok_or_else(|| ConfigError::Invalid {
            name: "PORTAL_BASE_URL",
            reason: "expected an https URL".into(),
        })?;
    Ok(crate::portal::PortalLinkSigner::new(
        secret.as_bytes(),
        base,
    ))
}
