//! Typed ids: a type prefix and a time-ordered unique part, e.g. `pn_01JD5Q...`.

use super::InvalidValue;
use crate::ports::IdSource;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A new id from the id source.
            pub fn generate(ids: &dyn IdSource) -> Self {
                Self(format!("{}{}", $prefix, ids.next_id()))
            }

            /// Parses an id, checking its prefix and characters.
            pub fn parse(value: &str) -> Result<Self, InvalidValue> {
                let rest = value.strip_prefix($prefix).ok_or_else(|| {
                    InvalidValue::new(format!("`{value}` is not a valid id: expected the prefix `{}`", $prefix))
                })?;
                let valid = !rest.is_empty()
                    && rest.len() <= 64
                    && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                if valid {
                    Ok(Self(value.to_owned()))
                } else {
                    Err(InvalidValue::new(format!("`{value}` is not a valid id")))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                Self::parse(&value).map_err(serde::de::Error::custom)
            }
        }
    };
}

typed_id!(/// A partner program.
    ProgramId, "prog_");
typed_id!(/// A partner, as enrolled in a program.
    PartnerId, "pn_");
typed_id!(/// A partner group.
    GroupId, "grp_");
typed_id!(/// A reward of a group.
    RewardId, "rw_");
typed_id!(/// A discount of a group.
    DiscountId, "disc_");
typed_id!(/// A group move rule.
    MoveRuleId, "gmr_");
typed_id!(/// A customer referred by a partner.
    CustomerId, "cus_");
typed_id!(/// A tag on partners.
    PartnerTagId, "ptag_");
typed_id!(/// A commission.
    CommissionId, "cm_");
typed_id!(/// A payout: one partner's payable balance for a period.
    PayoutId, "po_");
typed_id!(/// A domain event (and the webhook event built from it).
    EventId, "evt_");
typed_id!(/// A webhook endpoint.
    WebhookId, "wh_");
typed_id!(/// A partner application (StackBE calls it an application; Dub `pga_`).
    ApplicationId, "pga_");
typed_id!(/// A short link.
    LinkId, "link_");
typed_id!(/// A click on a link.
    ClickId, "clk_");
typed_id!(/// A batch of clicks sent to the click queue as one message (see `clicks::ClickBatch`).
    ClickBatchId, "cb_");
typed_id!(/// A lead event.
    LeadId, "lead_");
typed_id!(/// A sale event.
    SaleId, "sale_");
typed_id!(/// A deal a partner registered for a lead's email (StackBE).
    DealId, "deal_");
typed_id!(/// An API key (the key's id, never the secret).
    ApiKeyId, "key_");
typed_id!(/// One event's delivery to one webhook endpoint (derived from both ids).
    WebhookDeliveryId, "whd_");
typed_id!(/// A tag on links (Dub's link tags).
    TagId, "tag_");
typed_id!(/// A folder of links.
    FolderId, "fold_");
typed_id!(/// A partner's discount code.
    DiscountCodeId, "dcode_");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::SequentialIds;

    #[test]
    fn generated_ids_carry_their_prefix_and_parse_back() {
        let id = PartnerId::generate(&SequentialIds::default());
        assert!(id.as_str().starts_with("pn_"));
        assert_eq!(PartnerId::parse(id.as_str()).unwrap(), id);
    }

    #[test]
    fn wrong_prefix_or_characters_are_refused() {
        assert!(PartnerId::parse("grp_123").is_err());
        assert!(PartnerId::parse("pn_").is_err());
        assert!(PartnerId::parse("pn_a b").is_err());
        assert!(PartnerId::parse("pn_a/b").is_err());
    }

    #[test]
    fn deserialising_checks_the_prefix() {
        assert!(serde_json::from_str::<GroupId>("\"grp_1\"").is_ok());
        assert!(serde_json::from_str::<GroupId>("\"pn_1\"").is_err());
    }
}
