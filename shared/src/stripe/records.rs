//! What the Stripe integration keeps, one item per Stripe object (`layout::stripe_object`):
//! - `customer`: the Stripe customer's external id in the program;
//! - `promo`: a promotion code id's code;
//! - `payment`: the invoice a payment intent or charge paid (how a refund finds its sale);
//! - `charge`: a charge's refunds as Stripe reported them (see `refunds`);
//! - `event`: an event that was handled, with its outcome, kept for [`EVENT_KEPT_FOR`].

use crate::layout;
use crate::store::records::{from_json_item, json_item};
use crate::store::{Condition, Consistency, Item, ItemStore, Key, Put, StoreError, get_s, n, s};
use crate::types::ProgramId;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// Stripe retries an event for 3 days; its claim outlives that with margin.
pub const EVENT_KEPT_FOR: time::Duration = time::Duration::days(30);
const VALUE: &str = "value";
const OUTCOME: &str = "outcome";

pub const CUSTOMER: &str = "CUSTOMER";
pub const PROMO: &str = "PROMO";
pub const PAYMENT: &str = "PAYMENT";
const CHARGE: &str = "CHARGE";
const EVENT: &str = "EVENT";

/// Writes a `customer`, `promo` or `payment` mapping (idempotent: the last report wins).
pub async fn remember(
    store: &dyn ItemStore,
    program: &ProgramId,
    kind: &str,
    stripe_id: &str,
    value: &str,
) -> Result<(), StoreError> {
    let mut item = layout::stripe_object(program, kind, stripe_id).to_item();
    item.insert(VALUE.into(), s(value));
    store
        .put(Put {
            item,
            condition: None,
        })
        .await
}

/// Reads a mapping written by [`remember`].
pub async fn recall(
    store: &dyn ItemStore,
    program: &ProgramId,
    kind: &str,
    stripe_id: &str,
) -> Result<Option<String>, StoreError> {
    let key = layout::stripe_object(program, kind, stripe_id);
    Ok(store
        .get(&key, Consistency::Strong)
        .await?
        .and_then(|item| get_s(&item, VALUE).map(str::to_owned)))
}

/// The outcome an event got, if it was handled before.
pub async fn handled_event(
    store: &dyn ItemStore,
    program: &ProgramId,
    event_id: &str,
) -> Result<Option<String>, StoreError> {
    let key = layout::stripe_object(program, EVENT, event_id);
    Ok(store
        .get(&key, Consistency::Strong)
        .await?
        .map(|item| get_s(&item, OUTCOME).unwrap_or_default().to_owned()))
}

/// Marks an event handled. Written once every step of the event is done: a crash before it
/// makes Stripe's retry run the steps again, and each step counts once by its own claim.
pub async fn mark_handled(
    store: &dyn ItemStore,
    program: &ProgramId,
    event_id: &str,
    outcome: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let mut item = layout::stripe_object(program, EVENT, event_id).to_item();
    item.insert(OUTCOME.into(), s(outcome));
    item.insert(
        crate::store::schema::TTL.into(),
        n((now + EVENT_KEPT_FOR).unix_timestamp()),
    );
    store
        .put(Put {
            item,
            condition: None,
        })
        .await
}

/// A charge's refunds as Stripe reported them: each refund seen, and the largest total
/// `amount_refunded` a `charge.refunded` carried.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChargeRefunds {
    pub refunds: BTreeMap<String, i64>,
    pub amount_refunded: i64,
}

impl ChargeRefunds {
    /// What Stripe has refunded on the charge at least: both figures only grow, so the larger
    /// is the best lower bound whatever order the events came in.
    pub fn total(&self) -> i64 {
        let seen: i64 = self
            .refunds
            .values()
            .fold(0, |sum, a| sum.saturating_add(*a));
        seen.max(self.amount_refunded)
    }

    /// With what one more event reports; `None` when it adds nothing.
    pub fn merged(&self, refunds: &[(String, i64)], amount_refunded: Option<i64>) -> Option<Self> {
        let mut next = self.clone();
        for (id, amount) in refunds {
            next.refunds.insert(id.clone(), (*amount).max(0));
        }
        next.amount_refunded = next.amount_refunded.max(amount_refunded.unwrap_or(0));
        (next != *self).then_some(next)
    }
}

pub fn charge_key(program: &ProgramId, payment: &str) -> Key {
    layout::stripe_object(program, CHARGE, payment)
}

/// A charge's refunds and the item's version (0: none yet).
pub fn charge_refunds_of(item: Option<&Item>) -> Result<(ChargeRefunds, u64), StoreError> {
    match item {
        None => Ok((ChargeRefunds::default(), 0)),
        Some(item) => {
            let version = crate::store::get_n(item, "version").unwrap_or(0).max(0) as u64;
            Ok((from_json_item(item)?, version))
        }
    }
}

/// Stores a charge's refunds after `read_version`; false when another event wrote first.
pub async fn store_charge_refunds(
    store: &dyn ItemStore,
    key: &Key,
    refunds: &ChargeRefunds,
    read_version: u64,
) -> Result<bool, StoreError> {
    let condition = if read_version == 0 {
        Condition::NotExists
    } else {
        Condition::version(read_version)
    };
    let put = Put {
        item: json_item(key, refunds, read_version + 1)?,
        condition: Some(condition),
    };
    match store.put(put).await {
        Ok(()) => Ok(true),
        Err(e) if e.is_condition_failure() => Ok(false),
        Err(e) => Err(e),
    }
}
