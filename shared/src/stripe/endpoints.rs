//! Which program each Stripe endpoint belongs to, and its signing secrets. Deployed, the
//! function reads them from `STRIPE_WEBHOOK_SECRETS`, which the template resolves from a
//! Secrets Manager secret holding JSON: `{"<programId>": "whsec_..."}`, or a list of two
//! secrets while one is rolled (`{"<programId>": ["whsec_old", "whsec_new"]}`).

use super::receive::StripeEndpoint;
use super::signature::StripeSecret;
use crate::types::ProgramId;
use std::collections::BTreeMap;

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Secrets {
    One(String),
    Several(Vec<String>),
}

/// The endpoints of a `STRIPE_WEBHOOK_SECRETS` value; empty text configures none.
pub fn endpoints_from_json(text: &str) -> Result<Vec<StripeEndpoint>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let parsed: BTreeMap<String, Secrets> = serde_json::from_str(text).map_err(|_| {
        "STRIPE_WEBHOOK_SECRETS must be a JSON object of program ids to `whsec_` secrets".to_owned()
    })?;
    parsed
        .into_iter()
        .map(|(program, secrets)| {
            let program = ProgramId::parse(&program).map_err(|e| e.0)?;
            let secrets = match secrets {
                Secrets::One(secret) => vec![secret],
                Secrets::Several(secrets) => secrets,
            };
            if secrets.is_empty() || secrets.iter().any(|s| !s.starts_with("whsec_")) {
                return Err(format!(
                    "the Stripe secrets of {program} must be `whsec_...` values"
                ));
            }
            Ok(StripeEndpoint {
                program,
                secrets: secrets.into_iter().map(StripeSecret::new).collect(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_secret_or_a_list_per_program() {
        let program = "prog_01J0000000000000000000000A";
        let json = format!(r#"{{"{program}": ["whsec_a", "whsec_b"]}}"#);
        let endpoints = endpoints_from_json(&json).unwrap();
        assert_eq!(endpoints.len(), 1);
        assert_eq!(endpoints[0].secrets.len(), 2);
        assert_eq!(endpoints[0].program.as_str(), program);
        assert!(endpoints_from_json("").unwrap().is_empty());
        assert!(endpoints_from_json(&format!(r#"{{"{program}": "sk_live"}}"#)).is_err());
        assert!(endpoints_from_json(r#"{"nope": "whsec_a"}"#).is_err());
        assert!(endpoints_from_json("[1]").is_err());
    }
}
