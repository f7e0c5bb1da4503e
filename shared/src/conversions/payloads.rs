//! The JSON shapes of the lead, sale and commission events, in Dub's field names so that
//! Dub's SDKs parse them (checked against the PyPI `dub` models: `LeadCreatedEvent`,
//! `SaleCreatedEvent`, `CommissionCreatedEvent`); the customer and link parts are the wire
//! models the API answers with.

use crate::clicks::ClickClaims;
use crate::model::CustomerActivity;

use crate::model::{Customer, Link, Partner, PartnerTotals};
use crate::types::ClickId;
use crate::wire::customers::CustomerSchema;
use crate::wire::timestamp;
use crate::wire::tracking::TrackedLinkSchema;
use serde_json::{Value, json};

/// Dub's `Customer` of an event.
pub fn customer(customer: &Customer, activity: &CustomerActivity) -> Value {
    json!(CustomerSchema::of(customer, activity))
}

/// The link of an event: a tracking answer's link, with its counters after the event.
pub fn event_link(link: &Link) -> Value {
    let mut value = json!(TrackedLinkSchema::of(link));
    let stats = &link.stats;
    for (name, count) in [
        ("clicks", stats.clicks),
        ("leads", stats.leads),
        ("conversions", stats.conversions),
        ("sales", stats.sales),
        ("saleAmount", stats.sale_amount),
    ] {
        value[name] = json!(count);
    }
    value["createdAt"] = json!(timestamp(link.created_at));
    value
}

/// The click of an event: what the signed click id carries (the click record itself may
/// still be on its way through the click queue).
pub fn event_click(id: &ClickId, claims: Option<&ClickClaims>, link: Option<&Link>) -> Value {
    json!({
        "id": id,
        "timestamp": claims.map(|c| timestamp(c.clicked_at)),
        "url": link.map(|l| l.url.as_str().to_owned()).unwrap_or_default(),
        "country": claims.and_then(|c| c.country.clone()).unwrap_or_default(),
        "city": "", "region": "", "continent": "", "device": "", "browser": "", "os": "",
        "referer": "", "refererUrl": "", "qr": false, "ip": "",
    })
}

/// Dub's webhook partner: with `tenantId` and the totals after the event.
pub fn event_partner(partner: &Partner, totals: &PartnerTotals) -> Value {
    json!({
        "id": partner.id,
        "name": partner.name,
        "email": partner.email,
        "image": null,
        "payoutsEnabledAt": null,
        "country": partner.country,
        "tenantId": partner.tenant_id,
        "groupId": partner.group_id,
        "totalClicks": totals.total_clicks,
        "totalLeads": totals.total_leads,
        "totalConversions": totals.total_conversions,
        "totalSales": totals.total_sales,
        "totalSaleAmount": totals.total_sale_amount,
        "totalCommissions": totals.total_commissions,
    })
}
