use super::InvalidValue;

/// A percentage from 0 to 100 with at most two decimals, held exactly as basis points
/// (hundredths of a percent). On the wire it is a plain number: `20` or `12.5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Percentage(u32);

impl Percentage {
    pub fn from_basis_points(basis_points: u32) -> Result<Self, InvalidValue> {
        if basis_points > 10_000 {
            return Err(InvalidValue::new("a percentage cannot be over 100"));
        }
        Ok(Self(basis_points))
    }

    pub fn from_number(value: f64) -> Result<Self, InvalidValue> {
        if !value.is_finite() || value < 0.0 {
            return Err(InvalidValue::new(
                "a percentage must be a number from 0 to 100",
            ));
        }
        let scaled = value * 100.0;
        if (scaled - scaled.round()).abs() > 1e-6 {
            return Err(InvalidValue::new("a percentage has at most two decimals"));
        }
        if scaled.round() > 10_000.0 {
            return Err(InvalidValue::new("a percentage cannot be over 100"));
        }
        Self::from_basis_points(scaled.round() as u32)
    }

    pub fn basis_points(&self) -> u32 {
        self.0
    }

    /// This share of an amount in minor units, rounded half away from zero. Never larger in
    /// magnitude than `amount` (at most 100 %), so it always fits `i64`.
    pub fn of(&self, amount: i64) -> i64 {
        let product = amount as i128 * self.0 as i128;
        let half = if product >= 0 { 5_000 } else { -5_000 };
        let share = (product + half) / 10_000;
        // |share| <= |amount| + 1/2 rounds to at most |amount|: the fallback is unreachable.
        i64::try_from(share).unwrap_or(amount)
    }
}

/// A percentage is a number on the wire (`12.5`).
impl utoipa::PartialSchema for Percentage {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <f64 as utoipa::PartialSchema>::schema()
    }
}

impl utoipa::ToSchema for Percentage {}

impl serde::Serialize for Percentage {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.is_multiple_of(100) {
            serializer.serialize_u32(self.0 / 100)
        } else {
            serializer.serialize_f64(self.0 as f64 / 100.0)
        }
    }
}

impl<'de> serde::Deserialize<'de> for Percentage {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::from_number(f64::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_whole_and_decimal_percentages() {
        assert_eq!(Percentage::from_number(20.0).unwrap().basis_points(), 2000);
        assert_eq!(Percentage::from_number(12.5).unwrap().basis_points(), 1250);
        assert_eq!(
            serde_json::to_string(&Percentage::from_number(12.5).unwrap()).unwrap(),
            "12.5"
        );
        assert_eq!(
            serde_json::to_string(&Percentage::from_number(20.0).unwrap()).unwrap(),
            "20"
        );
    }

    #[test]
    fn refuses_out_of_range_and_too_precise_values() {
        for bad in [-1.0, 100.01, 101.0, 12.345, f64::NAN] {
            assert!(
                Percentage::from_number(bad).is_err(),
                "{bad} should be refused"
            );
        }
    }
}
