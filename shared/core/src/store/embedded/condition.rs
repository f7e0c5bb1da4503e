//! Evaluates conditions against the current item, with DynamoDB's typing rules.

use super::number;
use crate::store::{AttributeValue, Condition, Item, StoreError};
use std::cmp::Ordering;
use std::collections::BTreeSet;

/// Whether `condition` holds for `item` (`None`: no item with that key).
pub(super) fn holds(condition: &Condition, item: Option<&Item>) -> bool {
    let attribute = |name: &str| item.and_then(|item| item.get(name));
    let compared = |name: &str, value: &AttributeValue, wanted: fn(Ordering) -> bool| {
        attribute(name)
            .and_then(|current| order(current, value))
            .is_some_and(wanted)
    };
    match condition {
        Condition::Exists => item.is_some(),
        Condition::NotExists => item.is_none(),
        Condition::AttributeExists(name) => attribute(name).is_some(),
        Condition::AttributeNotExists(name) => attribute(name).is_none(),
        Condition::Equals(name, value) => {
            attribute(name).is_some_and(|current| equal(current, value))
        }
        // As in DynamoDB, `a <> v` holds when `a` is absent.
        Condition::NotEquals(name, value) => {
            !attribute(name).is_some_and(|current| equal(current, value))
        }
        Condition::LessThan(name, value) => compared(name, value, Ordering::is_lt),
        Condition::LessOrEqual(name, value) => compared(name, value, Ordering::is_le),
        Condition::GreaterThan(name, value) => compared(name, value, Ordering::is_gt),
        Condition::GreaterOrEqual(name, value) => compared(name, value, Ordering::is_ge),
        Condition::And(all) => all.iter().all(|part| holds(part, item)),
        Condition::Or(any) => any.iter().any(|part| holds(part, item)),
        Condition::Not(inner) => !holds(inner, item),
    }
}

/// Rejects conditions DynamoDB could not express.
pub(super) fn validate(condition: &Condition) -> Result<(), StoreError> {
    let invalid = |why: &str| Err(StoreError::Validation(format!("invalid condition: {why}")));
    match condition {
        Condition::Exists | Condition::NotExists => Ok(()),
        Condition::AttributeExists(name)
        | Condition::AttributeNotExists(name)
        | Condition::Equals(name, _)
        | Condition::NotEquals(name, _)
        | Condition::LessThan(name, _)
        | Condition::LessOrEqual(name, _)
        | Condition::GreaterThan(name, _)
        | Condition::GreaterOrEqual(name, _) => {
            if name.is_empty() {
                invalid("empty attribute name")
            } else {
                Ok(())
            }
        }
        Condition::And(parts) | Condition::Or(parts) => {
            if parts.is_empty() {
                return invalid("empty AND/OR");
            }
            parts.iter().try_for_each(validate)
        }
        Condition::Not(inner) => validate(inner),
    }
}

/// Equality in type and value; numbers compare numerically, sets ignore order.
pub(super) fn equal(left: &AttributeValue, right: &AttributeValue) -> bool {
    use AttributeValue as V;
    match (left, right) {
        (V::N(left), V::N(right)) => number::compare(left, right) == Some(Ordering::Equal),
        (V::Ns(left), V::Ns(right)) => number_set(left) == number_set(right),
        (V::Ss(left), V::Ss(right)) => {
            left.iter().collect::<BTreeSet<_>>() == right.iter().collect::<BTreeSet<_>>()
        }
        (V::Bs(left), V::Bs(right)) => {
            left.iter().collect::<BTreeSet<_>>() == right.iter().collect::<BTreeSet<_>>()
        }
        (V::L(left), V::L(right)) => {
            left.len() == right.len() && left.iter().zip(right).all(|(l, r)| equal(l, r))
        }
        (V::M(left), V::M(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .all(|(name, l)| right.get(name).is_some_and(|r| equal(l, r)))
        }
        _ => left == right,
    }
}

fn number_set(numbers: &[String]) -> BTreeSet<String> {
    numbers
        .iter()
        .map(|text| number::canonical(text).unwrap_or_else(|_| text.clone()))
        .collect()
}

/// Ordering between values of one orderable type (S, N, B); `None` otherwise.
fn order(left: &AttributeValue, right: &AttributeValue) -> Option<Ordering> {
    use AttributeValue as V;
    match (left, right) {
        (V::S(left), V::S(right)) => Some(left.as_bytes().cmp(right.as_bytes())),
        (V::N(left), V::N(right)) => number::compare(left, right),
        (V::B(left), V::B(right)) => Some(left.cmp(right)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{n, s};

    fn item(pairs: &[(&str, AttributeValue)]) -> Item {
        let mut item = Item::default();
        for (name, value) in pairs {
            item.insert((*name).into(), value.clone());
        }
        item
    }

    #[test]
    fn absent_item() {
        assert!(holds(&Condition::NotExists, None));
        assert!(!holds(&Condition::Exists, None));
        assert!(!holds(&Condition::GreaterThan("a".into(), n(1)), None));
        assert!(holds(&Condition::AttributeNotExists("a".into()), None));
    }

    #[test]
    fn typed_comparisons() {
        let current = item(&[("a", n(10)), ("b", s("10"))]);
        assert!(holds(
            &Condition::GreaterThan("a".into(), n(9)),
            Some(&current)
        ));
        assert!(!holds(
            &Condition::GreaterThan("b".into(), s("9")),
            Some(&current)
        ));
        assert!(!holds(
            &Condition::GreaterThan("a".into(), s("1")),
            Some(&current)
        ));
        assert!(holds(
            &Condition::Equals("a".into(), AttributeValue::N("10.0".into())),
            Some(&current)
        ));
        assert!(!holds(
            &Condition::Equals("a".into(), s("10")),
            Some(&current)
        ));
    }
}
