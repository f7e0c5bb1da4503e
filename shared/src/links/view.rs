//! The public address of a link.

/// `https://{domain}/{key}`, or `https://{domain}` for the root link.
pub fn short_link(domain: &str, key: &str) -> String {
    if key.is_empty() {
        format!("https://{domain}")
    } else {
        format!("https://{domain}/{key}")
    }
}
