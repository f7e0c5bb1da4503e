//! Every event the system records, with its wire name in one place: the audit trail, the
//! outbox and the webhooks all carry these names.

/// Declares [`EventName`] with each variant's wire name, once.
macro_rules! event_names {
    ($($(#[$doc:meta])* $variant:ident => $wire:literal,)*) => {
        /// An event's name: Dub's where Dub has the event, StackBE's for application decisions,
        /// ours otherwise.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventName {
            $($(#[$doc])* $variant,)*
        }

        impl EventName {
            pub const ALL: &'static [EventName] = &[$(EventName::$variant,)*];

            /// The name on the wire, e.g. `lead.created`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(EventName::$variant => $wire,)*
                }
            }

            /// The event of a wire name; `None` for a name that is not one.
            pub fn parse(name: &str) -> Option<EventName> {
                match name {
                    $($wire => Some(EventName::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

event_names! {
    LeadCreated => "lead.created",
    SaleCreated => "sale.created",
    SaleRefunded => "sale.refunded",
    CommissionCreated => "commission.created",
    CommissionUpdated => "commission.updated",
    CustomerUpdated => "customer.updated",
    CustomerDeleted => "customer.deleted",
    DealRegistered => "deal.registered",
    PartnerEnrolled => "partner.enrolled",
    PartnerApplicationSubmitted => "partner.application_submitted",
    PartnerApplicationApproved => "partner_application_approved",
    PartnerApplicationRejected => "partner_application_rejected",
    PartnerUpdated => "partner.updated",
    PartnerArchived => "partner.archived",
    PartnerBanned => "partner.banned",
    PartnerDeactivated => "partner.deactivated",
    PartnerGroupChanged => "partner.group_changed",
    PartnerGroupMoved => "partner.group_moved",
    PartnerTagsUpdated => "partner.tags_updated",
    PartnerPayoutSettingsUpdated => "partner.payout_settings_updated",
    LinkClicked => "link.clicked",
    LinkCreated => "link.created",
    LinkUpdated => "link.updated",
    LinkDeleted => "link.deleted",
    PayoutCreated => "payout.created",
    PayoutConfirmed => "payout.confirmed",
    PayoutFailed => "payout.failed",
    PayoutCanceled => "payout.canceled",
    /// A payout its partner has no destination for yet (no PayPal email, no connected
    /// account).
    PayoutWaiting => "payout.waiting",
    ProgramCreated => "program.created",
    ProgramUpdated => "program.updated",
    GroupCreated => "group.created",
    GroupUpdated => "group.updated",
    GroupDeleted => "group.deleted",
    GroupMoveRulesUpdated => "group.move_rules_updated",
    RewardCreated => "reward.created",
    RewardUpdated => "reward.updated",
    RewardDeleted => "reward.deleted",
    DiscountUpdated => "discount.updated",
    DiscountDeleted => "discount.deleted",
    DiscountCodeCreated => "discount_code.created",
    DiscountCodeDeleted => "discount_code.deleted",
    ApiKeyCreated => "api_key.created",
    ApiKeyRevoked => "api_key.revoked",
    WebhookCreated => "webhook.created",
    WebhookUpdated => "webhook.updated",
    WebhookDeleted => "webhook.deleted",
    WebhookSecretRotated => "webhook.secret_rotated",
    WebhookEndpointDisabled => "webhook.endpoint_disabled",
    /// The event of `POST /webhooks/{id}/test`; always delivered to the endpoint tested.
    WebhookTest => "webhook.test",
}

impl std::fmt::Display for EventName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for EventName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for EventName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        EventName::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown event name `{name}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_unique_and_reads_back() {
        let mut seen = std::collections::BTreeSet::new();
        for &event in EventName::ALL {
            assert!(seen.insert(event.as_str()), "{event} twice");
            assert_eq!(EventName::parse(event.as_str()), Some(event));
            let json = serde_json::to_string(&event).unwrap();
            assert_eq!(serde_json::from_str::<EventName>(&json).unwrap(), event);
        }
        assert_eq!(EventName::parse("lead.updated"), None);
    }
}
