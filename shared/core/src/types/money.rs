use super::{InvalidValue, Percentage};

/// ISO 4217 codes in use, with the number of minor-unit digits of each.
const CURRENCIES: &[(&str, u8)] = &[
    ("aed", 2),
    ("afn", 2),
    ("all", 2),
    ("amd", 2),
    ("ang", 2),
    ("aoa", 2),
    ("ars", 2),
    ("aud", 2),
    ("awg", 2),
    ("azn", 2),
    ("bam", 2),
    ("bbd", 2),
    ("bdt", 2),
    ("bgn", 2),
    ("bhd", 3),
    ("bif", 0),
    ("bmd", 2),
    ("bnd", 2),
    ("bob", 2),
    ("brl", 2),
    ("bsd", 2),
    ("btn", 2),
    ("bwp", 2),
    ("byn", 2),
    ("bzd", 2),
    ("cad", 2),
    ("cdf", 2),
    ("chf", 2),
    ("clp", 0),
    ("cny", 2),
    ("cop", 2),
    ("crc", 2),
    ("cup", 2),
    ("cve", 2),
    ("czk", 2),
    ("djf", 0),
    ("dkk", 2),
    ("dop", 2),
    ("dzd", 2),
    ("egp", 2),
    ("ern", 2),
    ("etb", 2),
    ("eur", 2),
    ("fjd", 2),
    ("fkp", 2),
    ("gbp", 2),
    ("gel", 2),
    ("ghs", 2),
    ("gip", 2),
    ("gmd", 2),
    ("gnf", 0),
    ("gtq", 2),
    ("gyd", 2),
    ("hkd", 2),
    ("hnl", 2),
    ("htg", 2),
    ("huf", 2),
    ("idr", 2),
    ("ils", 2),
    ("inr", 2),
    ("iqd", 3),
    ("irr", 2),
    ("isk", 0),
    ("jmd", 2),
    ("jod", 3),
    ("jpy", 0),
    ("kes", 2),
    ("kgs", 2),
    ("khr", 2),
    ("kmf", 0),
    ("kpw", 2),
    ("krw", 0),
    ("kwd", 3),
    ("kyd", 2),
    ("kzt", 2),
    ("lak", 2),
    ("lbp", 2),
    ("lkr", 2),
    ("lrd", 2),
    ("lsl", 2),
    ("lyd", 3),
    ("mad", 2),
    ("mdl", 2),
    ("mga", 2),
    ("mkd", 2),
    ("mmk", 2),
    ("mnt", 2),
    ("mop", 2),
    ("mru", 2),
    ("mur", 2),
    ("mvr", 2),
    ("mwk", 2),
    ("mxn", 2),
    ("myr", 2),
    ("mzn", 2),
    ("nad", 2),
    ("ngn", 2),
    ("nio", 2),
    ("nok", 2),
    ("npr", 2),
    ("nzd", 2),
    ("omr", 3),
    ("pab", 2),
    ("pen", 2),
    ("pgk", 2),
    ("php", 2),
    ("pkr", 2),
    ("pln", 2),
    ("pyg", 0),
    ("qar", 2),
    ("ron", 2),
    ("rsd", 2),
    ("rub", 2),
    ("rwf", 0),
    ("sar", 2),
    ("sbd", 2),
    ("scr", 2),
    ("sdg", 2),
    ("sek", 2),
    ("sgd", 2),
    ("shp", 2),
    ("sle", 2),
    ("sos", 2),
    ("srd", 2),
    ("ssp", 2),
    ("stn", 2),
    ("svc", 2),
    ("syp", 2),
    ("szl", 2),
    ("thb", 2),
    ("tjs", 2),
    ("tmt", 2),
    ("tnd", 3),
    ("top", 2),
    ("try", 2),
    ("ttd", 2),
    ("twd", 2),
    ("tzs", 2),
    ("uah", 2),
    ("ugx", 0),
    ("usd", 2),
    ("uyu", 2),
    ("uzs", 2),
    ("ves", 2),
    ("vnd", 0),
    ("vuv", 0),
    ("wst", 2),
    ("xaf", 0),
    ("xcd", 2),
    ("xof", 0),
    ("xpf", 0),
    ("yer", 2),
    ("zar", 2),
    ("zmw", 2),
    ("zwg", 2),
];

/// An ISO 4217 currency, kept lower-case as Dub's API spells it (`usd`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(&'static str);

impl Currency {
    pub const USD: Currency = Currency("usd");

    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        let code = value.trim().to_ascii_lowercase();
        CURRENCIES
            .iter()
            .find(|(known, _)| *known == code)
            .map(|(known, _)| Currency(known))
            .ok_or_else(|| InvalidValue::new(format!("`{value}` is not a known ISO 4217 currency")))
    }

    pub fn code(&self) -> &'static str {
        self.0
    }

    /// Digits after the decimal point in the minor unit (2 for cents, 0 for yen).
    pub fn minor_digits(&self) -> u8 {
        CURRENCIES
            .iter()
            .find(|(known, _)| *known == self.0)
            .map_or(2, |(_, digits)| *digits)
    }
}

impl Default for Currency {
    fn default() -> Self {
        Currency::USD
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// A currency is its ISO 4217 code on the wire (`usd`).
impl utoipa::PartialSchema for Currency {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <String as utoipa::PartialSchema>::schema()
    }
}

impl utoipa::ToSchema for Currency {}

impl serde::Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// The largest amount one request may carry, one reward may pay or one commission may earn:
/// 10^12 minor units (ten billion dollars, a trillion yen). Every amount is checked against it
/// where it enters (422 before anything is read or written), and every amount computed from
/// amounts is checked again, so no figure that reaches storage can leave `i64`.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// The largest running total (a partner's, link's or customer's sale amount or commissions):
/// 10^15 minor units, a thousand sales of [`MAX_AMOUNT`]. An event that would take a total past
/// it is refused with 422. It is 9,000 times below `i64::MAX`, so even many concurrent events
/// that each passed the check against the total they read cannot overflow a stored counter.
pub const MAX_TOTAL: i64 = 1_000_000_000_000_000;

/// Whether `amount` is a whole number of minor units from 0 to [`MAX_AMOUNT`].
pub fn amount_in_range(amount: i64) -> bool {
    (0..=MAX_AMOUNT).contains(&amount)
}

/// `total + delta` when the result stays within ±[`MAX_TOTAL`]; `None` otherwise (never
/// wraps). Totals go down with refunds and clawbacks, so a negative result is in range.
pub fn checked_total(total: i64, delta: i64) -> Option<i64> {
    total
        .checked_add(delta)
        .filter(|sum| (-MAX_TOTAL..=MAX_TOTAL).contains(sum))
}

/// `value × numerator / denominator` rounded half away from zero, computed in `i128`; `None`
/// when the denominator is 0 or the result does not fit `i64`. Proportional shares (a
/// refund's part of a commission, earnings that follow a corrected amount) are this.
pub fn proportional(value: i64, numerator: i64, denominator: i64) -> Option<i64> {
    if denominator == 0 {
        return None;
    }
    let product = value as i128 * numerator as i128;
    let denominator = denominator as i128;
    let half = denominator.abs() / 2;
    let rounded = if (product >= 0) == (denominator > 0) {
        (product.abs() + half) / denominator.abs()
    } else {
        -((product.abs() + half) / denominator.abs())
    };
    i64::try_from(rounded).ok()
}

/// An amount of money in integer minor units (cents) of a currency. Never a float.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct Money {
    /// Minor units; negative for clawbacks and refunds.
    pub amount: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: i64, currency: Currency) -> Self {
        Self { amount, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    /// The sum, or `None` on overflow or when the currencies differ.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        (self.currency == other.currency)
            .then(|| self.amount.checked_add(other.amount))
            .flatten()
            .map(|amount| Money::new(amount, self.currency))
    }

    pub fn negated(self) -> Money {
        Money::new(-self.amount, self.currency)
    }

    /// `percentage` of this amount, rounded half away from zero to a whole minor unit.
    pub fn percent(self, percentage: Percentage) -> Money {
        Money::new(percentage.of(self.amount), self.currency)
    }

    /// Multiplies by a whole quantity, or `None` on overflow.
    pub fn times(self, quantity: i64) -> Option<Money> {
        self.amount
            .checked_mul(quantity)
            .map(|amount| Money::new(amount, self.currency))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_parse_case_insensitively_and_know_their_minor_units() {
        assert_eq!(Currency::parse("USD").unwrap(), Currency::USD);
        assert_eq!(Currency::parse("jpy").unwrap().minor_digits(), 0);
        assert_eq!(Currency::parse("kwd").unwrap().minor_digits(), 3);
        assert!(Currency::parse("xyz").is_err());
        assert!(Currency::parse("").is_err());
    }

    #[test]
    fn adding_refuses_mixed_currencies_and_overflow() {
        let usd = Money::new(100, Currency::USD);
        let eur = Money::new(100, Currency::parse("eur").unwrap());
        assert_eq!(usd.checked_add(usd), Some(Money::new(200, Currency::USD)));
        assert_eq!(usd.checked_add(eur), None);
        assert_eq!(Money::new(i64::MAX, Currency::USD).checked_add(usd), None);
    }

    #[test]
    fn totals_and_shares_never_wrap() {
        assert_eq!(checked_total(MAX_TOTAL - 1, 1), Some(MAX_TOTAL));
        assert_eq!(checked_total(MAX_TOTAL, 1), None);
        assert_eq!(checked_total(i64::MAX, 1), None);
        assert_eq!(checked_total(-MAX_TOTAL, -1), None);
        assert_eq!(proportional(2_000, 5_000, 10_000), Some(1_000));
        assert_eq!(proportional(5, 1, 2), Some(3)); // 2.5 -> 3
        assert_eq!(proportional(-5, 1, 2), Some(-3));
        assert_eq!(proportional(1, 1, 0), None);
        assert_eq!(proportional(i64::MAX, i64::MAX, 1), None);
        assert_eq!(proportional(i64::MAX, i64::MAX, i64::MAX), Some(i64::MAX));
        assert!(amount_in_range(MAX_AMOUNT) && !amount_in_range(MAX_AMOUNT + 1));
        assert!(!amount_in_range(-1));
    }

    #[test]
    fn percent_rounds_half_away_from_zero() {
        let pct = Percentage::from_basis_points(2000).unwrap();
        assert_eq!(Money::new(999, Currency::USD).percent(pct).amount, 200); // 199.8
        assert_eq!(
            Money::new(1, Currency::USD)
                .percent(Percentage::from_basis_points(5000).unwrap())
                .amount,
            1
        ); // 0.5
        assert_eq!(
            Money::new(-1, Currency::USD)
                .percent(Percentage::from_basis_points(5000).unwrap())
                .amount,
            -1
        );
        assert_eq!(
            Money::new(1234, Currency::USD)
                .percent(Percentage::from_basis_points(1250).unwrap())
                .amount,
            154
        ); // 154.25
    }
}
