//! DynamoDB numbers: decimal strings of up to 38 significant digits, compared and added exactly.

use crate::store::StoreError;
use std::cmp::Ordering;

/// DynamoDB keeps at most this many significant digits.
const MAX_DIGITS: usize = 38;

/// A parsed number: `0.d1d2... × 10^exponent`, digits without leading or trailing zeros
/// (empty for zero), so equal values have equal representations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exponent: i64,
}

impl Decimal {
    pub(super) fn parse(text: &str) -> Result<Self, StoreError> {
        let invalid = || StoreError::Validation(format!("{text:?} is not a valid number"));
        let (negative, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(at) => (
                &rest[..at],
                rest[at + 1..].parse::<i64>().map_err(|_| invalid())?,
            ),
            None => (rest, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if whole.is_empty() && fraction.is_empty() {
            return Err(invalid());
        }
        let all_digits = whole.bytes().chain(fraction.bytes());
        if !all_digits.clone().all(|byte| byte.is_ascii_digit()) {
            return Err(invalid());
        }
        let mut digits: Vec<u8> = all_digits.map(|byte| byte - b'0').collect();
        let mut exponent = exponent + whole.len() as i64;
        let leading = digits.iter().take_while(|digit| **digit == 0).count();
        digits.drain(..leading);
        exponent -= leading as i64;
        while digits.last() == Some(&0) {
            digits.pop();
        }
        if digits.len() > MAX_DIGITS {
            return Err(StoreError::Validation(format!(
                "{text:?} has more than {MAX_DIGITS} significant digits"
            )));
        }
        if digits.is_empty() {
            return Ok(Self::zero());
        }
        if !(-129..=126).contains(&exponent) {
            return Err(StoreError::Validation(format!(
                "{text:?} is out of DynamoDB's number range"
            )));
        }
        Ok(Self {
            negative,
            digits,
            exponent,
        })
    }

    fn zero() -> Self {
        Self {
            negative: false,
            digits: Vec::new(),
            exponent: 0,
        }
    }

    fn sign(&self) -> i8 {
        match (self.digits.is_empty(), self.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        }
    }

    /// `(mantissa, scale)` with value `mantissa × 10^-scale`; 38 digits always fit an i128.
    fn scaled(&self) -> (i128, i64) {
        let magnitude = self
            .digits
            .iter()
            .fold(0i128, |acc, digit| acc * 10 + i128::from(*digit));
        let mantissa = if self.negative { -magnitude } else { magnitude };
        (mantissa, self.digits.len() as i64 - self.exponent)
    }

    /// The canonical text, e.g. `-12.5`, `300`, `0.01`.
    fn to_text(&self) -> String {
        let (mantissa, scale) = self.scaled();
        format_scaled(mantissa, scale)
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        let by_sign = self.sign().cmp(&other.sign());
        if by_sign != Ordering::Equal || self.sign() == 0 {
            return by_sign;
        }
        let magnitude = self
            .exponent
            .cmp(&other.exponent)
            .then_with(|| self.digits.cmp(&other.digits));
        if self.negative {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn format_scaled(mantissa: i128, scale: i64) -> String {
    let sign = if mantissa < 0 { "-" } else { "" };
    let magnitude = mantissa.unsigned_abs().to_string();
    if mantissa == 0 {
        return "0".into();
    }
    if scale <= 0 {
        return format!("{sign}{magnitude}{}", "0".repeat((-scale) as usize));
    }
    let scale = scale as usize;
    let padded = format!("{magnitude:0>width$}", width = scale + 1);
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

/// Compares two number strings numerically.
pub(super) fn compare(left: &str, right: &str) -> Option<Ordering> {
    Some(Decimal::parse(left).ok()?.cmp(&Decimal::parse(right).ok()?))
}

/// The canonical text of a number, so equal numbers compare equal as text.
pub(super) fn canonical(text: &str) -> Result<String, StoreError> {
    Decimal::parse(text).map(|number| number.to_text())
}

/// `number + delta`, exactly, as `ADD` does.
pub(super) fn add(number: &str, delta: i64) -> Result<String, StoreError> {
    let overflow = || StoreError::Validation("number overflow in ADD".into());
    let (mantissa, scale) = Decimal::parse(number)?.scaled();
    let (mantissa, scale) = if scale < 0 {
        let factor = 10i128.checked_pow((-scale) as u32).ok_or_else(overflow)?;
        (mantissa.checked_mul(factor).ok_or_else(overflow)?, 0)
    } else {
        (mantissa, scale)
    };
    let factor = 10i128.checked_pow(scale as u32).ok_or_else(overflow)?;
    let delta = i128::from(delta).checked_mul(factor).ok_or_else(overflow)?;
    let sum = mantissa.checked_add(delta).ok_or_else(overflow)?;
    let text = format_scaled(sum, scale);
    // Re-parse to enforce the 38-digit limit on the result.
    Decimal::parse(&text)?;
    Ok(text)
}

/// The bytes DynamoDB counts for a number: about one per two significant digits, plus one.
pub(super) fn stored_size(text: &str) -> usize {
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    digits.div_ceil(2) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_numerically() {
        assert_eq!(compare("10", "9"), Some(Ordering::Greater));
        assert_eq!(compare("-10", "-9"), Some(Ordering::Less));
        assert_eq!(compare("1.50", "1.5"), Some(Ordering::Equal));
        assert_eq!(compare("0.001", "1e-3"), Some(Ordering::Equal));
        assert_eq!(compare("-0", "0"), Some(Ordering::Equal));
        assert_eq!(compare("0.5", "-2"), Some(Ordering::Greater));
        assert_eq!(compare("123", "1.23e2"), Some(Ordering::Equal));
        assert_eq!(compare("abc", "1"), None);
    }

    #[test]
    fn adds_exactly() {
        assert_eq!(add("41", 1).unwrap(), "42");
        assert_eq!(add("1.25", -3).unwrap(), "-1.75");
        assert_eq!(add("1e3", 5).unwrap(), "1005");
        assert_eq!(add("0", -7).unwrap(), "-7");
        assert!(add("1e100", 1).is_err());
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(canonical("007.50").unwrap(), "7.5");
        assert_eq!(canonical("-0.0").unwrap(), "0");
        assert_eq!(canonical("2E2").unwrap(), "200");
        assert!(canonical("1.2.3").is_err());
        assert!(canonical("").is_err());
        assert!(canonical("-").is_err());
    }
}
