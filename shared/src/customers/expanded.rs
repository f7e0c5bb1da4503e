//! Dub's `includeExpandedFields=true` on the customer reads: each customer's `link`,
//! `partner` and the `discount` of the partner's current group, in Dub's shapes (the ones its
//! SDK's `GetCustomersResponseBody` models). One batch read of the page's partners and links,
//! and each distinct group from the process's config cache.

use crate::context::AppContext;
use crate::conversions::payloads::short_link;
use crate::conversions::records::{link_of, pick};
use crate::error::DomainError;
use crate::layout;
use crate::model::{Customer, Discount, Link, Partner};
use crate::partners::partner_of;
use crate::store::Key;
use crate::store::records::readable;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn link_json(link: &Link) -> Value {
    json!({
        "id": link.id,
        "domain": link.domain,
        "key": link.key,
        "shortLink": short_link(link),
        "url": link.url.as_str(),
        "programId": link.program_id,
    })
}

fn partner_json(partner: &Partner) -> Value {
    json!({
        "id": partner.id,
        "name": partner.name,
        "email": partner.email,
        "image": null,
    })
}

fn discount_json(discount: &Discount) -> Value {
    json!({
        "id": discount.id,
        "amount": discount.amount,
        "type": discount.kind,
        "maxDuration": discount.max_duration,
        "couponId": discount.coupon_id,
        "couponTestId": null,
    })
}

/// Adds `link`, `partner` and `discount` (each `null` when the customer has none) to the
/// views of `customers`, in order.
pub async fn expand(
    ctx: &AppContext,
    customers: &[Customer],
    views: &mut [Value],
) -> Result<(), DomainError> {
    let mut keys: BTreeSet<(String, String)> = BTreeSet::new();
    for customer in customers {
        for key in customer
            .partner_id
            .iter()
            .map(layout::partner)
            .chain(customer.link_id.iter().map(layout::link))
        {
            keys.insert((key.pk, key.sk));
        }
    }
    let items = match keys.len() {
        0 => Vec::new(),
        _ => {
            let keys = keys.into_iter().map(|(pk, sk)| Key::new(pk, sk)).collect();
            ctx.store.batch_get(keys).await?
        }
    };
    for (customer, view) in customers.iter().zip(views.iter_mut()) {
        let link = customer
            .link_id
            .as_ref()
            .and_then(|id| pick(&items, &layout::link(id)))
            .and_then(|item| readable(item, link_of))
            .filter(|link| link.program_id == customer.program_id);
        let partner = customer
            .partner_id
            .as_ref()
            .and_then(|id| pick(&items, &layout::partner(id)))
            .and_then(|item| readable(item, partner_of))
            .filter(|partner| partner.program_id == customer.program_id);
        let discount = match &partner {
            Some(partner) => ctx
                .config
                .group(ctx.store.as_ref(), &partner.program_id, &partner.group_id)
                .await?
                .and_then(|group| group.discount),
            None => None,
        };
        view["link"] = link.as_ref().map_or(Value::Null, link_json);
        view["partner"] = partner.as_ref().map_or(Value::Null, partner_json);
        view["discount"] = discount.as_ref().map_or(Value::Null, discount_json);
    }
    Ok(())
}
