//! The events an endpoint may subscribe to.

/// Dub's names where Dub has the event, StackBE's for application decisions, ours otherwise.
pub const SUBSCRIBABLE_EVENTS: &[&str] = &[
    "lead.created",
    "sale.created",
    "commission.created",
    "partner.enrolled",
    "partner.application_submitted",
    // High volume: delivered only to endpoints that name it.
    "link.clicked",
    "link.created",
    "link.updated",
    "link.deleted",
    "partner_application_approved",
    "partner_application_rejected",
    "partner.group_moved",
    "payout.created",
    "payout.confirmed",
    "payout.failed",
    // A payout its partner has no destination for yet (no PayPal email, no connected account).
    "payout.waiting",
    "webhook.endpoint_disabled",
];

/// The event name of `POST /webhooks/{id}/test`; always delivered to the endpoint tested.
pub const TEST_EVENT: &str = "webhook.test";

/// Checks, sorts and dedupes subscribed event names; an unknown name is an error naming it.
pub fn parse_subscriptions(events: &[String]) -> Result<Vec<String>, String> {
    if events.is_empty() {
        return Err("`events` must name at least one event.".into());
    }
    let mut names = Vec::with_capacity(events.len());
    for event in events {
        if !SUBSCRIBABLE_EVENTS.contains(&event.as_str()) {
            return Err(format!(
                "`{event}` is not a webhook event; expected one of {}.",
                SUBSCRIBABLE_EVENTS.join(", ")
            ));
        }
        names.push(event.clone());
    }
    names.sort();
    names.dedup();
    Ok(names)
}
