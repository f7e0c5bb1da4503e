//! The events an endpoint may subscribe to.

use crate::model::EventName;

/// The events an endpoint may subscribe to (their wire names are in [`EventName`]).
pub const SUBSCRIBABLE_EVENTS: &[EventName] = &[
    EventName::LeadCreated,
    EventName::SaleCreated,
    EventName::CommissionCreated,
    EventName::PartnerEnrolled,
    EventName::PartnerApplicationSubmitted,
    // High volume: delivered only to endpoints that name it.
    EventName::LinkClicked,
    EventName::LinkCreated,
    EventName::LinkUpdated,
    EventName::LinkDeleted,
    EventName::PartnerApplicationApproved,
    EventName::PartnerApplicationRejected,
    EventName::PartnerGroupMoved,
    EventName::PayoutCreated,
    EventName::PayoutConfirmed,
    EventName::PayoutFailed,
    EventName::PayoutWaiting,
    EventName::WebhookEndpointDisabled,
];

/// The event of `POST /webhooks/{id}/test`; always delivered to the endpoint tested.
pub const TEST_EVENT: EventName = EventName::WebhookTest;

/// Checks, sorts and dedupes subscribed event names; an unknown name is an error naming it.
pub fn parse_subscriptions(events: &[String]) -> Result<Vec<String>, String> {
    if events.is_empty() {
        return Err("`events` must name at least one event.".into());
    }
    let mut names = Vec::with_capacity(events.len());
    for event in events {
        if !EventName::parse(event).is_some_and(|name| SUBSCRIBABLE_EVENTS.contains(&name)) {
            let names: Vec<&str> = SUBSCRIBABLE_EVENTS.iter().map(|e| e.as_str()).collect();
            return Err(format!(
                "`{event}` is not a webhook event; expected one of {}.",
                names.join(", ")
            ));
        }
        names.push(event.clone());
    }
    names.sort();
    names.dedup();
    Ok(names)
}
