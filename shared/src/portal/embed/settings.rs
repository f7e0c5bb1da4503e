//! The program's embed settings: which origins may frame the page, its colour and logo.

use crate::model::ProgramSettings;

/// The page's accent colour when the program sets none.
pub const DEFAULT_THEME_COLOR: &str = "#1f4fd1";
const MAX_ORIGINS: usize = 20;
const MAX_LOGO_URL: usize = 2048;

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

/// How the page looks and who may frame it, from the program's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedLook {
    pub allowed_origins: Vec<String>,
    pub theme_color: String,
    pub logo_url: Option<String>,
}

impl EmbedLook {
    /// The `frame-ancestors` source list: the allowed origins, or `'none'`.
    pub fn frame_ancestors(&self) -> String {
        if self.allowed_origins.is_empty() {
            "'none'".into()
        } else {
            self.allowed_origins.join(" ")
        }
    }

    /// The logo's origin, the one image source the page allows besides its own.
    pub fn logo_origin(&self) -> Option<String> {
        let url = url::Url::parse(self.logo_url.as_deref()?).ok()?;
        Some(url.origin().ascii_serialization())
    }
}

pub fn embed_look(settings: &ProgramSettings) -> EmbedLook {
    EmbedLook {
        allowed_origins: settings.embed_allowed_origins.clone(),
        theme_color: settings
            .embed_theme_color
            .clone()
            .unwrap_or_else(|| DEFAULT_THEME_COLOR.into()),
        logo_url: settings.embed_logo_url.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins(raw: &[&str]) -> Result<Vec<String>, String> {
        parse_origins(&raw.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert_eq!(
            origins(&[
                "https://App.Example.com",
                "http://127.0.0.1:8080/",
                "https://x.io:8443"
            ]),
            Ok(vec![
                "https://app.example.com".to_owned(),
                "http://127.0.0.1:8080".to_owned(),
                "https://x.io:8443".to_owned(),
            ])
        );
        for bad in [
            "http://example.com",
            "https://example.com/path",
            "https://example.com?x=1",
            "https://*.example.com",
            "javascript:alert(1)",
            "example.com",
            "https://user@example.com",
            "'self'",
        ] {
            assert!(origins(&[bad]).is_err(), "{bad} was accepted");
        }
        let many: Vec<String> = (0..21).map(|i| format!("https://a{i}.com")).collect();
        assert!(parse_origins(&many).is_err());
    }

    #[test]
    fn colours_and_logos_are_checked() {
        assert_eq!(parse_theme_color(" #0B57D0 "), Ok("#0b57d0".to_owned()));
        for bad in ["0b57d0", "#0b57d", "#0b57dg", "red", "#0b57d0;}"] {
            assert!(parse_theme_color(bad).is_err(), "{bad} was accepted");
        }
        assert_eq!(
            parse_logo_url("https://cdn.acme.com/logo.png"),
            Ok("https://cdn.acme.com/logo.png".to_owned())
        );
        for bad in [
            "http://cdn.acme.com/logo.png",
            "javascript:alert(1)",
            "data:image/png;base64,AA",
        ] {
            assert!(parse_logo_url(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn the_look_names_its_frame_ancestors_and_logo_origin() {
        let mut settings = ProgramSettings::default();
        let look = embed_look(&settings);
        assert_eq!(look.frame_ancestors(), "'none'");
        assert_eq!(look.theme_color, DEFAULT_THEME_COLOR);
        assert_eq!(look.logo_origin(), None);
        settings.embed_allowed_origins = vec!["https://a.com".into(), "https://b.com".into()];
        settings.embed_logo_url = Some("https://cdn.acme.com/x/logo.svg".into());
        let look = embed_look(&settings);
        assert_eq!(look.frame_ancestors(), "https://a.com https://b.com");
        assert_eq!(look.logo_origin().as_deref(), Some("https://cdn.acme.com"));
    }
}
