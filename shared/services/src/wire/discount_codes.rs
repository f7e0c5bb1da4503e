//! Dub's `DiscountCodeSchema` (the SDKs' `discount_codes.*`, and the `discount_code.*` events).

use crate::model::DiscountCode;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DiscountCodeSchema {
    pub id: String,
    pub code: String,
    pub discount_id: Option<String>,
    pub partner_id: String,
    pub link_id: String,
    /// Codes are deleted, not disabled: always null.
    pub disabled_at: Option<String>,
}

impl DiscountCodeSchema {
    pub fn of(code: &DiscountCode) -> Self {
        Self {
            id: code.id.to_string(),
            code: code.code.clone(),
            discount_id: code.discount_id.as_ref().map(ToString::to_string),
            partner_id: code.partner_id.to_string(),
            link_id: code.link_id.to_string(),
            disabled_at: None,
        }
    }
}
