//! A link as the API shows it: Dub's link object (`shortLink`, `_root` for the root key, the
//! counters) built from the stored record.

use super::key::ROOT_KEY_ALIAS;
use crate::model::Link;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkView {
    #[serde(flatten)]
    pub link: Link,
    pub short_link: String,
}

impl From<Link> for LinkView {
    fn from(mut link: Link) -> Self {
        let short_link = short_link(&link.domain, &link.key);
        if link.key.is_empty() {
            link.key = ROOT_KEY_ALIAS.into();
        }
        Self { link, short_link }
    }
}

/// `https://{domain}/{key}`, or `https://{domain}` for the root link.
pub fn short_link(domain: &str, key: &str) -> String {
    if key.is_empty() {
        format!("https://{domain}")
    } else {
        format!("https://{domain}/{key}")
    }
}
