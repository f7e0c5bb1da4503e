//! Rewards and discounts in words, as Dub's referral dashboard puts them: "Earn 20% for each
//! sale, for 12 months", "Referred users get 25% off for the first 3 months". A reward with
//! its own description (a non-monetary one: "500 free credits for every signup you refer")
//! reads as that description.

use crate::model::{Discount, Reward, RewardEvent, RewardType};
use crate::types::{Currency, Percentage};

/// Symbols for the currencies whose amounts read better with one; others read `CHF 12.50`.
const SYMBOLS: [(&str, &str); 8] = [
    ("usd", "$"),
    ("eur", "€"),
    ("gbp", "£"),
    ("jpy", "¥"),
    ("inr", "₹"),
    ("cad", "CA$"),
    ("aud", "A$"),
    ("brl", "R$"),
];

/// An amount in minor units as a price: `$10`, `$10.50`, `¥500`, `CHF 12.50`. Whole amounts
/// drop their zero decimals, as Dub's reward texts do.
pub fn format_money(minor: i64, currency: Currency) -> String {
    let digits = u32::from(currency.minor_digits());
    let scale = 10i64.pow(digits);
    let sign = if minor < 0 { "-" } else { "" };
    let (major, cents) = (
        minor.unsigned_abs() / scale as u64,
        minor.unsigned_abs() % scale as u64,
    );
    let number = if cents == 0 || digits == 0 {
        group_thousands(major)
    } else {
        format!(
            "{}.{cents:0width$}",
            group_thousands(major),
            width = digits as usize
        )
    };
    match SYMBOLS.iter().find(|(code, _)| *code == currency.code()) {
        Some((_, symbol)) => format!("{sign}{symbol}{number}"),
        None => format!("{sign}{} {number}", currency.code().to_ascii_uppercase()),
    }
}

fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

fn percent(value: Percentage) -> String {
    let points = value.basis_points();
    if points.is_multiple_of(100) {
        format!("{}%", points / 100)
    } else {
        let text = format!("{}.{:02}", points / 100, points % 100);
        format!("{}%", text.trim_end_matches('0'))
    }
}

fn months(count: u32) -> String {
    if count == 1 {
        "1 month".into()
    } else {
        format!("{count} months")
    }
}

fn event_name(event: RewardEvent) -> &'static str {
    match event {
        RewardEvent::Click => "click",
        RewardEvent::Lead => "lead",
        RewardEvent::Sale => "sale",
    }
}

/// What a partner earns, in one sentence.
pub fn reward_text(reward: &Reward, currency: Currency) -> String {
    if let Some(description) = reward.description.as_deref().map(str::trim)
        && !description.is_empty()
    {
        return description.to_owned();
    }
    let amount = match (
        reward.kind,
        reward.amount_in_percentage,
        reward.amount_in_cents,
    ) {
        (RewardType::Percentage, Some(share), _) => percent(share),
        (_, _, Some(cents)) => format_money(cents, currency),
        (_, Some(share), None) => percent(share),
        (_, None, None) => format_money(0, currency),
    };
    let event = event_name(reward.event);
    // Only a sale recurs: a click or a lead happens once per customer.
    let period = match (reward.event, reward.max_duration) {
        (RewardEvent::Sale, None) => ", for the customer's lifetime".to_owned(),
        (RewardEvent::Sale, Some(count)) if count > 1 => format!(", for {}", months(count)),
        _ => String::new(),
    };
    format!("Earn {amount} for each {event}{period}")
}

/// What the people a partner refers get, in one sentence.
pub fn discount_text(discount: &Discount, currency: Currency) -> String {
    let amount = match discount.kind {
        RewardType::Percentage => format!("{}%", discount.amount),
        RewardType::Flat => format_money(discount.amount, currency),
    };
    let period = match discount.max_duration {
        None => " for life".to_owned(),
        Some(0) => " on their first purchase".to_owned(),
        Some(1) => " for the first month".to_owned(),
        Some(count) => format!(" for the first {}", months(count)),
    };
    format!("Referred users get {amount} off{period}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{DiscountId, RewardId};

    fn reward(event: RewardEvent, kind: RewardType, amount: i64, months: Option<u32>) -> Reward {
        Reward {
            id: RewardId::parse("rw_1").unwrap(),
            event,
            kind,
            amount_in_cents: (kind == RewardType::Flat).then_some(amount),
            amount_in_percentage: (kind == RewardType::Percentage)
                .then(|| Percentage::from_basis_points(amount as u32).unwrap()),
            max_duration: months,
            description: None,
            tooltip: None,
            modifiers: Vec::new(),
        }
    }

    #[test]
    fn money_reads_with_its_currency_and_decimals() {
        assert_eq!(format_money(1000, Currency::USD), "$10");
        assert_eq!(format_money(1050, Currency::USD), "$10.50");
        assert_eq!(format_money(123_456_789, Currency::USD), "$1,234,567.89");
        assert_eq!(format_money(500, Currency::parse("jpy").unwrap()), "¥500");
        assert_eq!(
            format_money(1250, Currency::parse("chf").unwrap()),
            "CHF 12.50"
        );
        assert_eq!(
            format_money(1234, Currency::parse("kwd").unwrap()),
            "KWD 1.234"
        );
        assert_eq!(
            format_money(-505, Currency::parse("eur").unwrap()),
            "-€5.05"
        );
    }

    #[test]
    fn rewards_read_as_dub_words_them() {
        let usd = Currency::USD;
        let sale = reward(RewardEvent::Sale, RewardType::Percentage, 2_000, Some(12));
        assert_eq!(
            reward_text(&sale, usd),
            "Earn 20% for each sale, for 12 months"
        );
        let lifetime = reward(RewardEvent::Sale, RewardType::Percentage, 1_250, None);
        assert_eq!(
            reward_text(&lifetime, usd),
            "Earn 12.5% for each sale, for the customer's lifetime"
        );
        let once = reward(RewardEvent::Sale, RewardType::Flat, 2_500, Some(0));
        assert_eq!(reward_text(&once, usd), "Earn $25 for each sale");
        let lead = reward(RewardEvent::Lead, RewardType::Flat, 500, None);
        assert_eq!(reward_text(&lead, usd), "Earn $5 for each lead");
        let click = reward(RewardEvent::Click, RewardType::Flat, 5, None);
        assert_eq!(reward_text(&click, usd), "Earn $0.05 for each click");
        let credits = Reward {
            description: Some("500 free credits for every signup you refer".into()),
            ..reward(RewardEvent::Lead, RewardType::Flat, 0, Some(0))
        };
        assert_eq!(
            reward_text(&credits, usd),
            "500 free credits for every signup you refer"
        );
    }

    #[test]
    fn discounts_read_with_their_period() {
        let discount = |kind, amount, months| Discount {
            id: DiscountId::parse("disc_1").unwrap(),
            amount,
            kind,
            max_duration: months,
            coupon_id: None,
        };
        let usd = Currency::USD;
        assert_eq!(
            discount_text(&discount(RewardType::Percentage, 25, Some(3)), usd),
            "Referred users get 25% off for the first 3 months"
        );
        assert_eq!(
            discount_text(&discount(RewardType::Flat, 1000, Some(0)), usd),
            "Referred users get $10 off on their first purchase"
        );
        assert_eq!(
            discount_text(&discount(RewardType::Percentage, 10, None), usd),
            "Referred users get 10% off for life"
        );
        assert_eq!(
            discount_text(&discount(RewardType::Percentage, 10, Some(1)), usd),
            "Referred users get 10% off for the first month"
        );
    }
}
