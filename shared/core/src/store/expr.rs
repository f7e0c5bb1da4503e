//! Conditions, sort-key ranges and updates: a small expression tree that each engine either
//! compiles to DynamoDB expression strings or evaluates itself.

use super::AttributeValue;

/// A condition on one item (DynamoDB `ConditionExpression`). Attribute names are top-level.
///
/// On a missing item every attribute is absent: `NotExists`/`AttributeNotExists` hold, and
/// comparisons with an absent attribute are false, except `NotEquals`, which holds (as `<>`
/// does in DynamoDB).
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// The item exists (`attribute_exists(pk)`).
    Exists,
    /// No item with this key exists (`attribute_not_exists(pk)`).
    NotExists,
    AttributeExists(String),
    AttributeNotExists(String),
    /// Equal in type and value.
    Equals(String, AttributeValue),
    NotEquals(String, AttributeValue),
    /// Ordered comparisons: same type (S or N) required, as in DynamoDB.
    LessThan(String, AttributeValue),
    LessOrEqual(String, AttributeValue),
    GreaterThan(String, AttributeValue),
    GreaterOrEqual(String, AttributeValue),
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
}

impl Condition {
    pub fn equals(name: impl Into<String>, value: AttributeValue) -> Self {
        Condition::Equals(name.into(), value)
    }

    /// Optimistic locking: the item's `version` attribute equals `version`.
    pub fn version(version: u64) -> Self {
        Condition::Equals("version".into(), AttributeValue::N(version.to_string()))
    }

    pub fn and(self, other: Condition) -> Self {
        match self {
            Condition::And(mut all) => {
                all.push(other);
                Condition::And(all)
            }
            first => Condition::And(vec![first, other]),
        }
    }
}

/// A condition on the sort key of a query (DynamoDB `KeyConditionExpression`).
#[derive(Debug, Clone, PartialEq)]
pub enum RangeCondition {
    Equals(String),
    LessThan(String),
    LessOrEqual(String),
    GreaterThan(String),
    GreaterOrEqual(String),
    /// Inclusive on both ends.
    Between(String, String),
    BeginsWith(String),
}

/// One action of an update expression. Names are top-level attributes; key attributes
/// (`pk`, `sk`) cannot be updated.
#[derive(Debug, Clone, PartialEq)]
pub enum UpdateAction {
    /// `SET name = value`
    Set(String, AttributeValue),
    /// `SET name = if_not_exists(name, value)`
    SetIfAbsent(String, AttributeValue),
    /// `ADD name delta`: an atomic counter; an absent attribute counts as 0.
    Add(String, i64),
    /// `REMOVE name`
    Remove(String),
}

/// An update expression: a list of actions on distinct attributes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Update {
    pub actions: Vec<UpdateAction>,
}

impl Update {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set(mut self, name: impl Into<String>, value: AttributeValue) -> Self {
        self.actions.push(UpdateAction::Set(name.into(), value));
        self
    }

    pub fn set_if_absent(mut self, name: impl Into<String>, value: AttributeValue) -> Self {
        self.actions
            .push(UpdateAction::SetIfAbsent(name.into(), value));
        self
    }

    pub fn add(mut self, name: impl Into<String>, delta: i64) -> Self {
        self.actions.push(UpdateAction::Add(name.into(), delta));
        self
    }

    pub fn remove(mut self, name: impl Into<String>) -> Self {
        self.actions.push(UpdateAction::Remove(name.into()));
        self
    }

    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// The attribute each action touches, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.actions.iter().map(|action| match action {
            UpdateAction::Set(name, _)
            | UpdateAction::SetIfAbsent(name, _)
            | UpdateAction::Add(name, _)
            | UpdateAction::Remove(name) => name.as_str(),
        })
    }
}
