//! The URL a visitor is sent to: the destination with the incoming query parameters (which
//! override the destination's own), `via=<key>` for partner links, and the click id under the
//! program's parameter name.

use crate::types::WebUrl;

/// Query parameters that steer the redirect itself and are not passed on.
const CONTROL_PARAMS: &[&str] = &["bot", "qr"];

pub struct Extras<'a> {
    /// The raw query string of the short-link request.
    pub incoming: Option<&'a str>,
    pub via: Option<&'a str>,
    /// `(parameter name, click id)`.
    pub click: Option<(&'a str, &'a str)>,
}

pub fn destination_url(destination: &WebUrl, extras: &Extras<'_>) -> String {
    let incoming: Vec<(std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>)> = extras
        .incoming
        .map(|query| {
            url::form_urlencoded::parse(query.as_bytes())
                .filter(|(name, _)| !CONTROL_PARAMS.contains(&name.as_ref()))
                .collect()
        })
        .unwrap_or_default();
    if incoming.is_empty() && extras.via.is_none() && extras.click.is_none() {
        return destination.as_str().to_owned();
    }
    let mut url = url::Url::parse(destination.as_str()).expect("a WebUrl parses as a URL");
    let overridden = |name: &str| {
        incoming.iter().any(|(n, _)| n == name)
            || (extras.via.is_some() && name == "via")
            || extras.click.is_some_and(|(param, _)| param == name)
    };
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| !overridden(name))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    {
        let mut query = url.query_pairs_mut();
        query.clear();
        query.extend_pairs(kept);
        query.extend_pairs(incoming.iter());
        if let Some(via) = extras.via {
            query.append_pair("via", via);
        }
        if let Some((param, id)) = extras.click {
            query.append_pair(param, id);
        }
    }
    url.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> WebUrl {
        WebUrl::parse(s).unwrap()
    }

    #[test]
    fn unchanged_without_extras() {
        let extras = Extras {
            incoming: None,
            via: None,
            click: None,
        };
        assert_eq!(
            destination_url(&url("https://acme.com/x?a=1"), &extras),
            "https://acme.com/x?a=1"
        );
        let controls = Extras {
            incoming: Some("qr=1&bot"),
            via: None,
            click: None,
        };
        assert_eq!(
            destination_url(&url("https://acme.com/x?a=1"), &controls),
            "https://acme.com/x?a=1"
        );
    }

    #[test]
    fn incoming_parameters_override_and_ids_are_appended() {
        let extras = Extras {
            incoming: Some("utm_source=tw&a=2&qr=1"),
            via: Some("jane"),
            click: Some(("dub_id", "clk_abc")),
        };
        assert_eq!(
            destination_url(&url("https://acme.com/p?a=1&b=x&via=old#top"), &extras),
            "https://acme.com/p?b=x&utm_source=tw&a=2&via=jane&dub_id=clk_abc#top"
        );
    }

    #[test]
    fn values_are_encoded() {
        let extras = Extras {
            incoming: Some("q=a%20b%26c"),
            via: None,
            click: None,
        };
        assert_eq!(
            destination_url(&url("https://acme.com/"), &extras),
            "https://acme.com/?q=a+b%26c"
        );
    }
}
