//! Where a link sends a visitor, in Dub's order: disabled (not found), expired (`expiredUrl`
//! or the expired page), iOS / Android targeting, the visitor's country, the default URL.

use super::super::agent::Platform;
use crate::links::RedirectTarget;
use crate::types::WebUrl;
use time::OffsetDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision<'a> {
    NotFound,
    /// Expired: to `expiredUrl` when set, else the expired page.
    Expired(Option<&'a WebUrl>),
    /// To the destination; permanent (301) for the root link.
    Redirect {
        destination: &'a WebUrl,
        permanent: bool,
    },
}

pub fn decide<'a>(
    target: &'a RedirectTarget,
    now: OffsetDateTime,
    platform: Platform,
    country: Option<&str>,
) -> Decision<'a> {
    if target.disabled {
        return Decision::NotFound;
    }
    if target.expires_at.is_some_and(|at| at <= now) {
        return Decision::Expired(target.expired_url.as_ref());
    }
    let by_device = match platform {
        Platform::Ios => target.ios.as_ref(),
        Platform::Android => target.android.as_ref(),
        Platform::Other => None,
    };
    let by_country = || country.and_then(|code| target.geo.get(code));
    let destination = by_device.or_else(by_country).unwrap_or(&target.url);
    Decision::Redirect {
        destination,
        permanent: target.key.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{LinkId, ProgramId};
    use time::macros::datetime;

    fn url(s: &str) -> WebUrl {
        WebUrl::parse(s).unwrap()
    }

    fn target() -> RedirectTarget {
        RedirectTarget {
            link_id: LinkId::parse("link_1").unwrap(),
            program_id: ProgramId::parse("prog_1").unwrap(),
            partner_id: None,
            key: "jane".into(),
            url: url("https://acme.com/"),
            expires_at: None,
            expired_url: None,
            disabled: false,
            geo: [("DE".to_owned(), url("https://acme.de/"))].into(),
            ios: Some(url("https://apps.apple.com/acme")),
            android: Some(url("https://play.google.com/acme")),
        }
    }

    const NOW: OffsetDateTime = datetime!(2026-11-21 10:00 UTC);

    fn to(decision: Decision<'_>) -> &str {
        match decision {
            Decision::Redirect { destination, .. } => destination.as_str(),
            other => panic!("not a redirect: {other:?}"),
        }
    }

    #[test]
    fn device_beats_country_beats_default() {
        let t = target();
        assert_eq!(
            to(decide(&t, NOW, Platform::Ios, Some("DE"))),
            "https://apps.apple.com/acme"
        );
        assert_eq!(
            to(decide(&t, NOW, Platform::Android, None)),
            "https://play.google.com/acme"
        );
        assert_eq!(
            to(decide(&t, NOW, Platform::Other, Some("DE"))),
            "https://acme.de/"
        );
        assert_eq!(
            to(decide(&t, NOW, Platform::Other, Some("FR"))),
            "https://acme.com/"
        );
    }

    #[test]
    fn disabled_then_expired_come_first() {
        let mut t = target();
        t.expires_at = Some(NOW);
        assert_eq!(
            decide(&t, NOW, Platform::Other, None),
            Decision::Expired(None)
        );
        t.expired_url = Some(url("https://acme.com/over"));
        assert_eq!(
            decide(&t, NOW, Platform::Other, None),
            Decision::Expired(t.expired_url.as_ref())
        );
        t.disabled = true;
        assert_eq!(decide(&t, NOW, Platform::Other, None), Decision::NotFound);
    }

    #[test]
    fn only_the_root_link_is_permanent() {
        let mut t = target();
        assert!(matches!(
            decide(&t, NOW, Platform::Other, None),
            Decision::Redirect {
                permanent: false,
                ..
            }
        ));
        t.key.clear();
        assert!(matches!(
            decide(&t, NOW, Platform::Other, None),
            Decision::Redirect {
                permanent: true,
                ..
            }
        ));
    }
}
