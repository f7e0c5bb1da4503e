//! Dub's `DomainSchema` (`GET /domains`, the SDKs' `domains.list`). A program has one short-link
//! domain, set at deployment (its DNS and certificate live in the business's account), so the
//! list holds that one domain.

use super::timestamp;
use crate::model::Program;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DomainSchema {
    /// The program's id: the domain has no record of its own.
    pub id: String,
    pub slug: String,
    pub placeholder: Option<String>,
    pub expired_url: Option<String>,
    pub not_found_url: Option<String>,
    pub logo: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Registered through Dub: never, here.
    pub registered_domain: Option<serde_json::Value>,
    /// Verified by the deployment that serves it.
    pub verified: bool,
    pub primary: bool,
    pub archived: bool,
}

impl DomainSchema {
    pub fn of(program: &Program) -> Self {
        Self {
            id: program.id.to_string(),
            slug: program.domain.clone(),
            placeholder: None,
            expired_url: None,
            not_found_url: None,
            logo: None,
            created_at: timestamp(program.created_at),
            updated_at: timestamp(program.updated_at),
            registered_domain: None,
            verified: true,
            primary: true,
            archived: false,
        }
    }
}
