//! What a user agent says about a visitor: device, browser and OS for the click record, and
//! whether it is a bot (crawlers and link-preview fetchers are redirected but not counted).
//!
//! Classification is woothee's (a maintained cross-language UA classifier); bots are isbot's
//! list (the npm `isbot` patterns as one regular expression) plus woothee's crawler category
//! and a few link-preview agents neither list knows. isbot's expression takes about 10 ms to
//! compile, so [`AgentParser::new`] compiles it on a thread of its own and the first requests
//! of a cold start rely on woothee alone.

use std::sync::{Arc, OnceLock};

/// Link-preview fetchers missing from both lists (lower-case substrings).
const PREVIEW_AGENTS: &[&str] = &["whatsapp/", "skypeuripreview", "iframely", "embedly"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Ios,
    Android,
    Other,
}

/// A classified user agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// `Desktop`, `Mobile`, `Tablet`, `Bot` or `Unknown`.
    pub device: &'static str,
    pub browser: String,
    pub os: String,
    pub platform: Platform,
    pub is_bot: bool,
}

pub struct AgentParser {
    woothee: woothee::parser::Parser,
    bots: Arc<OnceLock<isbot::Bots>>,
}

impl AgentParser {
    /// Starts compiling the bot list in the background.
    pub fn new() -> Self {
        let bots = Arc::new(OnceLock::new());
        let filling = bots.clone();
        std::thread::spawn(move || {
            filling.get_or_init(isbot::Bots::default);
        });
        Self {
            woothee: woothee::parser::Parser::new(),
            bots,
        }
    }

    /// Compiles the bot list before returning (tests and benchmarks).
    pub fn ready() -> Self {
        let bots = Arc::new(OnceLock::new());
        bots.get_or_init(isbot::Bots::default);
        Self {
            woothee: woothee::parser::Parser::new(),
            bots,
        }
    }

    pub fn classify(&self, user_agent: &str) -> Agent {
        let user_agent = user_agent.trim();
        let parsed = self.woothee.parse(user_agent);
        let (name, category, os) = parsed
            .as_ref()
            .map(|r| (r.name, r.category, r.os))
            .unwrap_or(("UNKNOWN", "UNKNOWN", "UNKNOWN"));
        let platform = match os {
            "iPhone" | "iPad" | "iPod" | "iOS" => Platform::Ios,
            "Android" => Platform::Android,
            _ => Platform::Other,
        };
        let is_bot = user_agent.is_empty()
            || category == "crawler"
            || self.bots.get().is_some_and(|bots| bots.is_bot(user_agent))
            || is_preview_agent(user_agent);
        let device = if is_bot {
            "Bot"
        } else {
            match (category, os) {
                (_, "iPad") => "Tablet",
                ("smartphone" | "mobilephone", _) => "Mobile",
                ("pc", _) => "Desktop",
                _ => "Unknown",
            }
        };
        Agent {
            device,
            browser: known(name),
            os: os_family(os),
            platform,
            is_bot,
        }
    }
}

impl Default for AgentParser {
    fn default() -> Self {
        Self::new()
    }
}

fn is_preview_agent(user_agent: &str) -> bool {
    PREVIEW_AGENTS.iter().any(|needle| {
        user_agent
            .as_bytes()
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
    })
}

fn known(name: &str) -> String {
    if name == "UNKNOWN" {
        "Unknown".into()
    } else {
        name.into()
    }
}

fn os_family(os: &str) -> String {
    match os {
        "iPhone" | "iPad" | "iPod" | "iOS" => "iOS".into(),
        "Mac OSX" => "Mac OS".into(),
        os if os.starts_with("Windows") => "Windows".into(),
        other => known(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
    const ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";
    const WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

    #[test]
    fn classifies_devices_browsers_and_systems() {
        let parser = AgentParser::ready();
        let iphone = parser.classify(IPHONE);
        assert_eq!(
            (iphone.device, iphone.browser.as_str(), iphone.os.as_str()),
            ("Mobile", "Safari", "iOS")
        );
        assert_eq!(iphone.platform, Platform::Ios);
        let android = parser.classify(ANDROID);
        assert_eq!((android.device, android.os.as_str()), ("Mobile", "Android"));
        assert_eq!(android.platform, Platform::Android);
        let desktop = parser.classify(WINDOWS);
        assert_eq!(
            (
                desktop.device,
                desktop.browser.as_str(),
                desktop.os.as_str()
            ),
            ("Desktop", "Chrome", "Windows")
        );
        assert!(!iphone.is_bot && !android.is_bot && !desktop.is_bot);
    }

    #[test]
    fn crawlers_and_link_previews_are_bots() {
        let parser = AgentParser::ready();
        for agent in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
            "Twitterbot/1.0",
            "WhatsApp/2.23.20.0",
            "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
            "TelegramBot (like TwitterBot)",
            "curl/8.5.0",
            "",
        ] {
            let classified = parser.classify(agent);
            assert!(classified.is_bot, "{agent:?} should be a bot");
            assert_eq!(classified.device, "Bot");
        }
    }
}
