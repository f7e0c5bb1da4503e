//! The program's embed settings: which origins may frame the page, its colour and logo.

use crate::model::EmbedLook;
use crate::model::ProgramSettings;

/// The page's accent colour when the program sets none.
pub const DEFAULT_THEME_COLOR: &str = "#1f4fd1";

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
    use crate::programs::settings::{parse_logo_url, parse_origins, parse_theme_color};

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
