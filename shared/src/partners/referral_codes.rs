//! Readable referral codes: the applicant's first name (letters and digits, upper-cased, at
//! most 12) and two to four random digits, e.g. `JANE42`.

use crate::ports::Random;
use crate::types::ReferralCode;

/// The letters and digits of a wide suffix: no `0`/`O` or `1`/`I`, so a code read aloud or
/// typed from print is not mistaken.
const WIDE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// How many tries use a short, readable suffix (2, 3, then 4 digits); later tries use
/// [`WIDE_DIGITS`] characters of [`WIDE_ALPHABET`].
const READABLE_ATTEMPTS: u32 = 3;
/// 32^6 = 10^9 codes per stem: a program would need hundreds of millions of partners of one
/// first name before a try is likely to collide.
const WIDE_DIGITS: usize = 6;

/// A candidate code; `attempt` widens the random part so that retries rarely collide again.
/// The first tries are readable (`JANE42`); once a stem's short codes are crowded (hundreds of
/// partners of one first name, or a burst of concurrent enrollments picking the same ones),
/// the suffix becomes wide (`JANE7KQ2MX`), so a generated code never runs out.
pub fn generate_referral_code(name: &str, attempt: u32, random: &dyn Random) -> ReferralCode {
    let mut stem: String = name
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect::<String>()
        .to_ascii_uppercase();
    if stem.len() < 3 {
        stem = "PARTNER".into();
    }
    let mut bytes = [0u8; WIDE_DIGITS];
    random.fill(&mut bytes);
    let suffix: String = if attempt < READABLE_ATTEMPTS {
        let digits = 2 + attempt as usize;
        bytes[..digits]
            .iter()
            .map(|byte| char::from(b'0' + byte % 10))
            .collect()
    } else {
        bytes
            .iter()
            .map(|byte| char::from(WIDE_ALPHABET[usize::from(byte % 32)]))
            .collect()
    };
    ReferralCode::parse(&format!("{stem}{suffix}")).expect("letters and digits form a valid code")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::SeededRandom;

    #[test]
    fn codes_start_with_the_first_name() {
        let code = generate_referral_code("Jane Smith", 0, &SeededRandom::new(1));
        assert!(code.as_str().starts_with("JANE"), "{code}");
        assert_eq!(code.as_str().len(), 6);
    }

    #[test]
    fn later_tries_widen_the_suffix() {
        let random = SeededRandom::new(7);
        let lengths: Vec<usize> = (0..5)
            .map(|attempt| {
                generate_referral_code("Jane", attempt, &random)
                    .as_str()
                    .len()
            })
            .collect();
        assert_eq!(lengths, [6, 7, 8, 10, 10]);
        let wide = generate_referral_code("Jane", 4, &random);
        assert!(
            wide.as_str()[4..]
                .bytes()
                .all(|b| WIDE_ALPHABET.contains(&b)),
            "{wide}"
        );
    }

    #[test]
    fn names_without_usable_letters_get_a_stem() {
        let code = generate_referral_code("Zoë ", 2, &SeededRandom::new(1));
        assert!(code.as_str().starts_with("PARTNER"), "{code}");
        assert_eq!(code.as_str().len(), 11);
    }
}
