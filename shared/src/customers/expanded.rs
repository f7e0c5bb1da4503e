//! Dub's `includeExpandedFields=true` on the customer reads: each customer's `link`,
//! `partner` and the `discount` of the partner's current group, in Dub's shapes (the ones its
//! SDK's `GetCustomersResponseBody` models). One batch read of the page's partners and links,
//! and each distinct group from the process's config cache.

use crate::context::AppContext;
use crate::error::DomainError;
use crate::layout;
use crate::links::repo::link_record_of as link_of;
use crate::model::Customer;
use crate::model::CustomerExpansion;
use crate::partners::partner_of;
use crate::store::Key;
use crate::store::records::pick;
use crate::store::records::readable;
use std::collections::BTreeSet;

/// The expanded fields of each of `customers`, in order.
pub async fn expand(
    ctx: &AppContext,
    customers: &[Customer],
) -> Result<Vec<CustomerExpansion>, DomainError> {
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
    let mut expansions = Vec::with_capacity(customers.len());
    for customer in customers {
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
            Some(partner) => crate::groups::find_cached_group(
                &ctx.config,
                ctx.store.as_ref(),
                &partner.program_id,
                &partner.group_id,
            )
            .await?
            .and_then(|group| group.discount),
            None => None,
        };
        expansions.push(CustomerExpansion {
            link,
            partner,
            discount,
        });
    }
    Ok(expansions)
}
