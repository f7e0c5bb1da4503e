//! Recomputes a partner's counters, and its links', from the stored records: the repair of a
//! program whose counters an earlier version left out of range (`POST
//! /programs/{programId}/partners/{partnerId}/recompute-totals`).
//!
//! The ledger rule, the one place it is written: a partner's leads, sales, conversions and sale
//! amount are sums of its lead and sale records (listed by partner and by link since those
//! records carry index keys), its commissions the sum of [`Commission::counted_earnings`]. A
//! sale or commission whose figures are out of range counts towards nothing and is reported.
//! Clicks have no per-click records: a readable click counter is kept, and an unreadable one is
//! rebuilt from the partner's links (a link's, which has nothing to rebuild from, becomes 0).
//!
//! Each counter is set with a condition that it still holds what was read, so an event that
//! lands meanwhile makes the repair fail (409) rather than be lost; running it again is safe.

use crate::auth::{Principal, Scope};
use crate::commissions::records::commission_of;
use crate::context::AppContext;
use crate::error::DomainError;
use crate::layout;
use crate::model::{Commission, Lead, LinkStats, PartnerTotals, Sale};
pub use crate::model::{CounterChange, Excluded, RecordRepair, RepairReport};
use crate::partners::feed;
use crate::partners::totals;
use crate::programs;
use crate::store::records::{from_json_item, readable};
use crate::store::{
    AttributeValue, Condition, Consistency, Item, ItemStore, Query, StoreError, TxOp, Update,
    UpdateItem, get_n, get_s, n, s, schema,
};
use crate::types::{LinkId, PartnerId, ProgramId, amount_in_range};
use std::collections::HashSet;

/// The lead and sale records of a partner or a link.
#[derive(Debug, Default)]
pub struct Conversions {
    pub leads: Vec<Lead>,
    pub sales: Vec<Sale>,
}

impl Conversions {
    fn in_range_sales(&self) -> impl Iterator<Item = &Sale> {
        self.sales
            .iter()
            .filter(|sale| amount_in_range(sale.amount) && amount_in_range(sale.refunded_amount))
    }

    /// (leads, conversions, sales, sale amount): a conversion is a customer's first sale.
    fn sums(&self) -> (i64, i64, i64, i64) {
        let customers: HashSet<&str> = self
            .in_range_sales()
            .map(|sale| sale.customer_id.as_str())
            .collect();
        let amount = self
            .in_range_sales()
            .map(|sale| sale.amount - sale.refunded_amount)
            .sum();
        (
            self.leads.len() as i64,
            customers.len() as i64,
            self.in_range_sales().count() as i64,
            amount,
        )
    }

    pub fn link_stats(&self, clicks: i64) -> LinkStats {
        let (leads, conversions, sales, sale_amount) = self.sums();
        LinkStats {
            clicks,
            leads,
            conversions,
            sales,
            sale_amount,
        }
    }

    pub fn partner_totals(&self, commissions: &[Commission], clicks: i64) -> PartnerTotals {
        let (leads, conversions, sales, sale_amount) = self.sums();
        PartnerTotals {
            total_clicks: clicks,
            total_leads: leads,
            total_conversions: conversions,
            total_sales: sales,
            total_sale_amount: sale_amount,
            total_commissions: commissions.iter().map(Commission::counted_earnings).sum(),
        }
    }

    fn excluded(&self, commissions: &[Commission]) -> Vec<Excluded> {
        let sales = self
            .sales
            .iter()
            .filter(|sale| !amount_in_range(sale.amount) || !amount_in_range(sale.refunded_amount))
            .map(|sale| Excluded {
                id: sale.id.to_string(),
                reason: format!("sale amount {} is out of range", sale.amount),
            });
        let commissions = commissions
            .iter()
            .filter(|c| !c.in_range())
            .map(|c| Excluded {
                id: c.id.to_string(),
                reason: format!("commission earnings {} are out of range", c.earnings),
            });
        sales.chain(commissions).collect()
    }
}

/// The id and program of a record, from its body (the counters beside it may be unreadable).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Owner {
    id: String,
    program_id: ProgramId,
}

fn owner_of(item: &Item) -> Option<Owner> {
    readable(item, from_json_item::<Owner>)
}

/// Every item of an index partition.
async fn all_of(
    store: &dyn ItemStore,
    index: &'static str,
    partition: String,
) -> Result<Vec<Item>, StoreError> {
    let mut items = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .query(Query::index(index, partition.clone()).cursor(cursor))
            .await?;
        items.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(items),
        }
    }
}

fn conversions_of(items: &[Item]) -> Conversions {
    let mut conversions = Conversions::default();
    for item in items {
        match get_s(item, schema::SK) {
            Some("LEAD") => conversions
                .leads
                .extend(readable(item, from_json_item::<Lead>)),
            Some("SALE") => conversions
                .sales
                .extend(readable(item, from_json_item::<Sale>)),
            _ => {}
        }
    }
    conversions
}

/// The counters of `item` that differ from `target`, as changes and one conditional update
/// (each counter must still hold what was read).
fn counter_update(
    item: &Item,
    target: &[(&'static str, i64)],
) -> (Vec<CounterChange>, Update, Condition) {
    let mut changes = Vec::new();
    let mut update = Update::new();
    let mut condition = Condition::Exists;
    for (name, after) in target {
        let before = item.get(*name);
        if get_n(item, name) == Some(*after) || (before.is_none() && *after == 0) {
            continue;
        }
        update = update.set(*name, n(*after));
        condition = condition.and(match before {
            Some(value) => Condition::equals(*name, value.clone()),
            None => Condition::AttributeNotExists((*name).to_owned()),
        });
        changes.push(CounterChange {
            counter: name,
            before: before.map(number_text),
            after: *after,
        });
    }
    (changes, update, condition)
}

fn number_text(value: &AttributeValue) -> String {
    match value {
        AttributeValue::N(text) | AttributeValue::S(text) => text.clone(),
        other => format!("{other:?}"),
    }
}

/// Recomputes the counters of a partner of `program_id` and of its links; 404 for a partner of
/// another program, 409 when an event changed a counter meanwhile.
pub async fn recompute_totals(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    partner_id: &str,
) -> Result<RepairReport, DomainError> {
    let program =
        programs::authorized_program(ctx, principal, program_id, Scope::PartnersWrite).await?;
    let id = PartnerId::parse(partner_id).map_err(|_| DomainError::not_found("Partner"))?;
    let store = ctx.store.as_ref();
    let partner_item = store
        .get(&layout::partner(&id), Consistency::Strong)
        .await?
        .filter(|item| owner_of(item).is_some_and(|owner| owner.program_id == program.id))
        .ok_or_else(|| DomainError::not_found("Partner"))?;
    let (links, mut ops, link_clicks) = repair_links(store, &program.id, &id).await?;
    let conversions = conversions_of(
        &all_of(
            store,
            schema::GSI2.name,
            layout::partner_conversions_index_pk(&program.id, &id),
        )
        .await?,
    );
    let commissions: Vec<Commission> = all_of(
        store,
        schema::GSI2.name,
        layout::partner_commissions_index_pk(&program.id, &id),
    )
    .await?
    .iter()
    .filter_map(|item| readable(item, commission_of))
    .collect();
    let clicks = get_n(&partner_item, totals::TOTAL_CLICKS).unwrap_or(link_clicks);
    let target = conversions.partner_totals(&commissions, clicks);
    let (changes, update, condition) = counter_update(&partner_item, &partner_fields(&target));
    if !changes.is_empty() {
        ops.push(TxOp::Update(UpdateItem {
            key: layout::partner(&id),
            update: update.set(schema::GSI3.sk, s(feed::stamp_key(feed::stamp_now()))),
            condition: Some(condition),
        }));
    }
    write(ctx, ops).await?;
    Ok(RepairReport {
        partner: RecordRepair {
            id: id.to_string(),
            changes,
        },
        links,
        excluded: conversions.excluded(&commissions),
    })
}

fn partner_fields(t: &PartnerTotals) -> [(&'static str, i64); 6] {
    [
        (totals::TOTAL_CLICKS, t.total_clicks),
        (totals::TOTAL_LEADS, t.total_leads),
        (totals::TOTAL_CONVERSIONS, t.total_conversions),
        (totals::TOTAL_SALES, t.total_sales),
        (totals::TOTAL_SALE_AMOUNT, t.total_sale_amount),
        (totals::TOTAL_COMMISSIONS, t.total_commissions),
    ]
}

/// The repairs of the partner's links, their updates, and the sum of their clicks.
async fn repair_links(
    store: &dyn ItemStore,
    program: &ProgramId,
    partner: &PartnerId,
) -> Result<(Vec<RecordRepair>, Vec<TxOp>, i64), StoreError> {
    let (mut repairs, mut ops, mut clicks) = (Vec::new(), Vec::new(), 0i64);
    let index = layout::partner_links_index_pk(program, partner);
    for item in all_of(store, schema::GSI1.name, index).await? {
        let Some(link) = owner_of(&item).and_then(|owner| LinkId::parse(&owner.id).ok()) else {
            continue;
        };
        let records = conversions_of(
            &all_of(
                store,
                schema::GSI1.name,
                layout::link_conversions_index_pk(program, &link),
            )
            .await?,
        );
        let link_clicks = get_n(&item, crate::links::stats::CLICKS).unwrap_or(0);
        clicks = clicks.saturating_add(link_clicks);
        let stats = records.link_stats(link_clicks);
        let (changes, update, condition) = counter_update(&item, &link_fields(&stats));
        if !changes.is_empty() {
            ops.push(TxOp::Update(UpdateItem {
                key: layout::link(&link),
                update,
                condition: Some(condition),
            }));
            repairs.push(RecordRepair {
                id: link.to_string(),
                changes,
            });
        }
    }
    Ok((repairs, ops, clicks))
}

fn link_fields(stats: &LinkStats) -> [(&'static str, i64); 5] {
    [
        (crate::links::stats::CLICKS, stats.clicks),
        (crate::links::stats::LEADS, stats.leads),
        (crate::links::stats::CONVERSIONS, stats.conversions),
        (crate::links::stats::SALES, stats.sales),
        (crate::links::stats::SALE_AMOUNT, stats.sale_amount),
    ]
}

/// Writes the updates in transactions of at most 100 actions (a partner with more links than
/// that is repaired in parts; each part is conditional on its own reads).
async fn write(ctx: &AppContext, ops: Vec<TxOp>) -> Result<(), DomainError> {
    let mut ops = ops;
    while !ops.is_empty() {
        let rest = ops.split_off(ops.len().min(100));
        match ctx.store.transact(ops).await {
            Ok(()) => {}
            Err(error) if error.is_condition_failure() => {
                return Err(DomainError::Conflict(
                    "An event changed these counters while they were recomputed; run it again."
                        .into(),
                ));
            }
            Err(error) => return Err(error.into()),
        }
        ops = rest;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Key;

    #[test]
    fn only_changed_counters_are_set_and_each_must_still_hold_what_was_read() {
        let mut item = Key::new("LINK#lk_1", "LINK").to_item();
        item.insert("clicks".into(), n(7));
        item.insert(
            "saleAmount".into(),
            AttributeValue::N("9223372036854780707".into()),
        );
        let target = [("clicks", 7), ("leads", 0), ("saleAmount", 4_900)];
        let (changes, update, condition) = counter_update(&item, &target);
        assert_eq!(
            changes,
            [CounterChange {
                counter: "saleAmount",
                before: Some("9223372036854780707".into()),
                after: 4_900,
            }]
        );
        assert_eq!(update.names().collect::<Vec<_>>(), ["saleAmount"]);
        assert_eq!(
            condition,
            Condition::Exists.and(Condition::equals(
                "saleAmount",
                AttributeValue::N("9223372036854780707".into())
            ))
        );
    }
}
