//! A program's own application questions: checking the answers when someone applies (the
//! questions themselves are checked when the program sets them, `programs::settings`).

use crate::error::DomainError;
use crate::model::{ApplicationFormField, FormFieldType};
use crate::programs::settings::whole_match;
use std::collections::BTreeMap;

const MAX_ANSWER_CHARS: usize = 5_000;

fn unprocessable(message: String) -> DomainError {
    DomainError::Unprocessable(message)
}

/// The answers as given, each a string (a list for multiple-choice fields).
fn answer_texts<'a>(
    field: &ApplicationFormField,
    value: &'a serde_json::Value,
) -> Result<Vec<&'a str>, DomainError> {
    let wrong = || {
        let expected = if field.kind == FormFieldType::MultipleChoice {
            "a list of strings"
        } else {
            "a string"
        };
        unprocessable(format!("`formData.{}` must be {expected}.", field.key))
    };
    match (field.kind, value) {
        (FormFieldType::MultipleChoice, serde_json::Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().ok_or_else(wrong))
            .collect(),
        (FormFieldType::MultipleChoice, _) => Err(wrong()),
        (_, serde_json::Value::String(text)) => Ok(vec![text.as_str()]),
        _ => Err(wrong()),
    }
}

/// Checks answers against the form: required fields, lengths, patterns, choices; no answers
/// to questions the form does not ask.
pub fn check_answers(
    fields: &[ApplicationFormField],
    answers: &BTreeMap<String, serde_json::Value>,
) -> Result<(), DomainError> {
    if let Some(unknown) = answers
        .keys()
        .find(|key| !fields.iter().any(|field| &field.key == *key))
    {
        return Err(unprocessable(format!(
            "`formData.{unknown}` is not a field of this program's form."
        )));
    }
    for field in fields {
        let texts = match answers.get(&field.key) {
            Some(value) => answer_texts(field, value)?,
            None => Vec::new(),
        };
        let answered: Vec<&str> = texts
            .into_iter()
            .filter(|text| !text.trim().is_empty())
            .collect();
        if answered.is_empty() {
            if field.required {
                return Err(unprocessable(format!(
                    "`formData.{}` ({}) is required.",
                    field.key, field.label
                )));
            }
            continue;
        }
        let max = field
            .max_length
            .map_or(MAX_ANSWER_CHARS, |max| max as usize);
        let pattern = field.pattern.as_deref().map(whole_match).transpose();
        for text in answered {
            if text.chars().count() > max.min(MAX_ANSWER_CHARS) {
                return Err(unprocessable(format!(
                    "`formData.{}` is longer than {max} characters.",
                    field.key
                )));
            }
            if !field.options.is_empty() && !field.options.iter().any(|option| option == text) {
                return Err(unprocessable(format!(
                    "`formData.{}` must be one of the field's options.",
                    field.key
                )));
            }
            if let Ok(Some(pattern)) = &pattern
                && !pattern.is_match(text)
            {
                return Err(unprocessable(format!(
                    "`formData.{}` does not match the expected format.",
                    field.key
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::programs::settings::check_form_fields;
    use serde_json::json;

    fn fields() -> Vec<ApplicationFormField> {
        serde_json::from_value(json!([
            {"key": "audience", "label": "Audience size", "type": "short-text", "required": true,
             "maxLength": 6, "pattern": "[0-9]+"},
            {"key": "channels", "label": "Channels", "type": "multiple-choice",
             "options": ["blog", "youtube"]}
        ]))
        .unwrap()
    }

    fn answers(value: serde_json::Value) -> BTreeMap<String, serde_json::Value> {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn accepts_valid_answers() {
        check_form_fields(&fields()).unwrap();
        check_answers(
            &fields(),
            &answers(json!({"audience": "12000", "channels": ["blog"]})),
        )
        .unwrap();
    }

    #[test]
    fn refuses_missing_long_malformed_unknown_or_unlisted_answers() {
        for bad in [
            json!({}),
            json!({"audience": "1234567"}),
            json!({"audience": "12k"}),
            json!({"audience": "12", "other": "x"}),
            json!({"audience": "12", "channels": ["tv"]}),
            json!({"audience": "12", "channels": "blog"}),
        ] {
            assert!(
                check_answers(&fields(), &answers(bad.clone())).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn refuses_bad_definitions() {
        let mut duplicate = fields();
        duplicate.push(duplicate[0].clone());
        assert!(check_form_fields(&duplicate).is_err());
        let mut bad_pattern = fields();
        bad_pattern[0].pattern = Some("(".into());
        assert!(check_form_fields(&bad_pattern).is_err());
        let mut no_options = fields();
        no_options[1].options.clear();
        assert!(check_form_fields(&no_options).is_err());
    }
}
