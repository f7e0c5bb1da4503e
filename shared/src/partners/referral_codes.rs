//! Readable referral codes: the applicant's first name (letters and digits, upper-cased, at
//! most 12) and two to four random digits, e.g. `JANE42`.

use crate::ports::Random;
use crate::types::ReferralCode;

/// A candidate code; `attempt` widens the random part so that retries rarely collide again.
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
    let digits = 2 + attempt.min(2) as usize;
    let mut bytes = [0u8; 4];
    random.fill(&mut bytes);
    let suffix: String = bytes[..digits]
        .iter()
        .map(|byte| char::from(b'0' + byte % 10))
        .collect();
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
    fn names_without_usable_letters_get_a_stem() {
        let code = generate_referral_code("Zoë ", 2, &SeededRandom::new(1));
        assert!(code.as_str().starts_with("PARTNER"), "{code}");
        assert_eq!(code.as_str().len(), 11);
    }
}
