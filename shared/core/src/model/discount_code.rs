use crate::types::{DiscountCodeId, DiscountId, LinkId, PartnerId, ProgramId};
use time::OffsetDateTime;

/// A partner's discount code: a code its audience types at checkout, tied to one of the
/// partner's links, so that a sale paid with it can be attributed to the partner.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscountCode {
    pub id: DiscountCodeId,
    pub program_id: ProgramId,
    /// As given; unique per program case-insensitively.
    pub code: String,
    pub partner_id: PartnerId,
    pub link_id: LinkId,
    /// The discount of the partner's group when the code was made.
    pub discount_id: Option<DiscountId>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}
