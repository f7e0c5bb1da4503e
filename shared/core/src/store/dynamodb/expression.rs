//! Compiles the port's condition, update and key-condition trees to DynamoDB expression
//! strings. Every name becomes `#nN` and every value `:vN`, so reserved words are never a problem.

use crate::store::schema;
use crate::store::{AttributeValue, Condition, RangeCondition, StoreError, Update, UpdateAction};
use aws_sdk_dynamodb::types::AttributeValue as SdkValue;
use std::collections::HashMap;

/// The placeholders of one request; one builder serves all expressions of a request, because
/// DynamoDB shares the placeholder maps between them.
#[derive(Debug, Default)]
pub struct Expressions {
    names: HashMap<String, String>,
    values: HashMap<String, SdkValue>,
}

impl Expressions {
    pub fn new() -> Self {
        Self::default()
    }

    /// The placeholder of an attribute name; one per distinct name.
    pub fn name(&mut self, name: &str) -> String {
        let next = self.names.len();
        self.names
            .entry(name.to_owned())
            .or_insert_with(|| format!("#n{next}"))
            .clone()
    }

    /// A new placeholder for a value.
    pub fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value.into());
        placeholder
    }

    pub fn condition(&mut self, condition: &Condition) -> String {
        match condition {
            Condition::Exists => format!("attribute_exists({})", self.name(schema::PK)),
            Condition::NotExists => format!("attribute_not_exists({})", self.name(schema::PK)),
            Condition::AttributeExists(name) => format!("attribute_exists({})", self.name(name)),
            Condition::AttributeNotExists(name) => {
                format!("attribute_not_exists({})", self.name(name))
            }
            Condition::Equals(name, value) => self.compare(name, "=", value),
            Condition::NotEquals(name, value) => self.compare(name, "<>", value),
            Condition::LessThan(name, value) => self.compare(name, "<", value),
            Condition::LessOrEqual(name, value) => self.compare(name, "<=", value),
            Condition::GreaterThan(name, value) => self.compare(name, ">", value),
            Condition::GreaterOrEqual(name, value) => self.compare(name, ">=", value),
            // DynamoDB has no literal true/false: an empty AND holds, an empty OR does not.
            Condition::And(all) if all.is_empty() => self.condition(&always(true)),
            Condition::Or(any) if any.is_empty() => self.condition(&always(false)),
            Condition::And(all) => self.join(all, " AND "),
            Condition::Or(any) => self.join(any, " OR "),
            Condition::Not(inner) => format!("NOT ({})", self.condition(inner)),
        }
    }

    fn compare(&mut self, name: &str, operator: &str, value: &AttributeValue) -> String {
        let name = self.name(name);
        let value = self.value(value.clone());
        format!("{name} {operator} {value}")
    }

    fn join(&mut self, conditions: &[Condition], separator: &str) -> String {
        conditions
            .iter()
            .map(|condition| format!("({})", self.condition(condition)))
            .collect::<Vec<_>>()
            .join(separator)
    }

    /// `SET ... ADD ... REMOVE ...`; refuses key attributes and repeated names, as DynamoDB would.
    pub fn update(&mut self, update: &Update) -> Result<String, StoreError> {
        let mut seen = std::collections::HashSet::new();
        for name in update.names() {
            if name == schema::PK || name == schema::SK {
                return Err(StoreError::Validation(format!(
                    "the key attribute {name} cannot be updated"
                )));
            }
            if !seen.insert(name) {
                return Err(StoreError::Validation(format!(
                    "the update changes {name} more than once"
                )));
            }
        }
        let (mut set, mut add, mut remove) = (Vec::new(), Vec::new(), Vec::new());
        for action in &update.actions {
            match action {
                UpdateAction::Set(name, value) => {
                    let (name, value) = (self.name(name), self.value(value.clone()));
                    set.push(format!("{name} = {value}"));
                }
                UpdateAction::SetIfAbsent(name, value) => {
                    let (name, value) = (self.name(name), self.value(value.clone()));
                    set.push(format!("{name} = if_not_exists({name}, {value})"));
                }
                UpdateAction::Add(name, delta) => {
                    let name = self.name(name);
                    let value = self.value(AttributeValue::N(delta.to_string()));
                    add.push(format!("{name} {value}"));
                }
                UpdateAction::Remove(name) => remove.push(self.name(name)),
            }
        }
        let clauses: Vec<String> = [("SET", set), ("ADD", add), ("REMOVE", remove)]
            .into_iter()
            .filter(|(_, parts)| !parts.is_empty())
            .map(|(keyword, parts)| format!("{keyword} {}", parts.join(", ")))
            .collect();
        Ok(clauses.join(" "))
    }

    /// `#pk = :pk [AND <range on #sk>]` for the given key attributes.
    pub fn key_condition(
        &mut self,
        partition_attr: &str,
        partition: &str,
        sort_attr: &str,
        range: Option<&RangeCondition>,
    ) -> String {
        let partition_name = self.name(partition_attr);
        let partition_value = self.value(AttributeValue::S(partition.to_owned()));
        let mut expression = format!("{partition_name} = {partition_value}");
        if let Some(range) = range {
            let sort = self.name(sort_attr);
            let mut value = |s: &String| self.value(AttributeValue::S(s.clone()));
            let condition = match range {
                RangeCondition::Equals(v) => format!("{sort} = {}", value(v)),
                RangeCondition::LessThan(v) => format!("{sort} < {}", value(v)),
                RangeCondition::LessOrEqual(v) => format!("{sort} <= {}", value(v)),
                RangeCondition::GreaterThan(v) => format!("{sort} > {}", value(v)),
                RangeCondition::GreaterOrEqual(v) => format!("{sort} >= {}", value(v)),
                RangeCondition::Between(low, high) => {
                    format!("{sort} BETWEEN {} AND {}", value(low), value(high))
                }
                RangeCondition::BeginsWith(v) => format!("begins_with({sort}, {})", value(v)),
            };
            expression.push_str(" AND ");
            expression.push_str(&condition);
        }
        expression
    }

    /// The placeholder maps, `None` when empty: DynamoDB rejects empty maps.
    pub fn finish(self) -> Placeholders {
        let names = self
            .names
            .into_iter()
            .map(|(name, placeholder)| (placeholder, name))
            .collect::<HashMap<_, _>>();
        Placeholders {
            names: (!names.is_empty()).then_some(names),
            values: (!self.values.is_empty()).then_some(self.values),
        }
    }
}

/// `ExpressionAttributeNames` and `ExpressionAttributeValues` of a request.
#[derive(Debug, Default)]
pub struct Placeholders {
    pub names: Option<HashMap<String, String>>,
    pub values: Option<HashMap<String, SdkValue>>,
}

fn always(holds: bool) -> Condition {
    let both = vec![Condition::Exists, Condition::NotExists];
    if holds {
        Condition::Or(both)
    } else {
        Condition::And(both)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{n, s};

    #[test]
    fn compiles_nested_conditions_with_placeholders() {
        let mut expressions = Expressions::new();
        let condition = Condition::Exists
            .and(Condition::Or(vec![
                Condition::equals("status", s("open")),
                Condition::Not(Box::new(Condition::LessThan("count".into(), n(3)))),
            ]))
            .and(Condition::version(7));
        let text = expressions.condition(&condition);
        assert_eq!(
            text,
            "(attribute_exists(#n0)) AND ((#n1 = :v0) OR (NOT (#n2 < :v1))) AND (#n3 = :v2)"
        );
        let placeholders = expressions.finish();
        let names = placeholders.names.unwrap();
        assert_eq!(names["#n0"], "pk");
        assert_eq!(names["#n1"], "status");
        assert_eq!(names["#n3"], "version");
        let values = placeholders.values.unwrap();
        assert_eq!(values[":v2"], SdkValue::N("7".into()));
    }

    #[test]
    fn empty_and_or_become_true_and_false() {
        let mut expressions = Expressions::new();
        assert_eq!(
            expressions.condition(&Condition::And(vec![])),
            "(attribute_exists(#n0)) OR (attribute_not_exists(#n0))"
        );
        assert_eq!(
            expressions.condition(&Condition::Or(vec![])),
            "(attribute_exists(#n0)) AND (attribute_not_exists(#n0))"
        );
    }

    #[test]
    fn compiles_updates_by_clause() {
        let mut expressions = Expressions::new();
        let update = Update::new()
            .add("count", 2)
            .set("name", s("x"))
            .remove("old")
            .set_if_absent("created", n(1));
        assert_eq!(
            expressions.update(&update).unwrap(),
            "SET #n1 = :v1, #n3 = if_not_exists(#n3, :v2) ADD #n0 :v0 REMOVE #n2"
        );
    }

    #[test]
    fn refuses_key_and_repeated_updates() {
        let mut expressions = Expressions::new();
        let key = Update::new().set("sk", s("x"));
        assert!(matches!(
            expressions.update(&key),
            Err(StoreError::Validation(_))
        ));
        let twice = Update::new().set("a", s("x")).remove("a");
        assert!(matches!(
            expressions.update(&twice),
            Err(StoreError::Validation(_))
        ));
    }

    #[test]
    fn compiles_key_conditions() {
        let mut expressions = Expressions::new();
        let range = RangeCondition::Between("a".into(), "m".into());
        assert_eq!(
            expressions.key_condition("gsi1pk", "P#1", "gsi1sk", Some(&range)),
            "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2"
        );
        let mut expressions = Expressions::new();
        assert_eq!(
            expressions.key_condition("pk", "P#1", "sk", None),
            "#n0 = :v0"
        );
    }
}
