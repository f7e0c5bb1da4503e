//! The items of payouts: the payout (while a run builds it, and once sealed), the partner's build
//! slot and the settle marker. See `infra/TABLE_DESIGN.md`, "Payouts".

use crate::layout;
use crate::model::Payout;
use crate::store::records::{from_json_item, json_item};
use crate::store::{
    Condition, Consistency, Delete, Item, ItemStore, Put, StoreError, TxOp, Update, UpdateItem,
    get_n, get_s, s, schema,
};
use crate::types::{PartnerId, PayoutId, ProgramId};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Marks a payout a run is still building: not listed, counting what it claimed.
const BUILDING: &str = "building";
const CLAIMED_AMOUNT: &str = "claimedAmount";
const CLAIMED_COUNT: &str = "claimedCount";
const OLDEST: &str = "oldestCommissionAt";
const SLOT_PAYOUT: &str = "payoutId";
/// How many of a final payout's commissions follow its status so far.
const SETTLED_COUNT: &str = "settledCount";

/// What a run has claimed into a payout it builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Claimed {
    pub amount: i64,
    pub count: i64,
    pub oldest: Option<OffsetDateTime>,
}

/// A payout as stored: sealed (listed), or still being built with what it claimed so far.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPayout {
    pub payout: Payout,
    pub building: Option<Claimed>,
    /// Commissions settled since the payout reached its final status.
    pub settled_count: i64,
}

pub fn stored_payout_of(item: &Item) -> Result<StoredPayout, StoreError> {
    let payout: Payout = from_json_item(item)?;
    let building = item.contains_key(BUILDING).then(|| Claimed {
        amount: get_n(item, CLAIMED_AMOUNT).unwrap_or(0),
        count: get_n(item, CLAIMED_COUNT).unwrap_or(0),
        oldest: get_s(item, OLDEST).and_then(|at| OffsetDateTime::parse(at, &Rfc3339).ok()),
    });
    let settled_count = get_n(item, SETTLED_COUNT).unwrap_or(0);
    Ok(StoredPayout {
        payout,
        building,
        settled_count,
    })
}

pub async fn find_payout(
    store: &dyn ItemStore,
    program: &ProgramId,
    id: &PayoutId,
) -> Result<Option<StoredPayout>, StoreError> {
    let found = store
        .get(&layout::payout(id), Consistency::Strong)
        .await?
        .as_ref()
        .map(stored_payout_of)
        .transpose()?;
    Ok(found.filter(|stored| stored.payout.program_id == *program))
}

/// A payout a run starts to build, with the partner's build slot naming it: both only if
/// absent, so one partner has at most one payout in the making.
pub fn start_building(payout: &Payout) -> Result<[TxOp; 2], StoreError> {
    let mut item = json_item(&layout::payout(&payout.id), payout, payout.version)?;
    item.insert(BUILDING.into(), s("1"));
    let build = TxOp::Put(Put {
        item,
        condition: Some(Condition::NotExists),
    });
    let mut slot = layout::payout_build_slot(&payout.program_id, &payout.partner_id).to_item();
    slot.insert(SLOT_PAYOUT.into(), s(payout.id.as_str()));
    let slot = TxOp::Put(Put {
        item: slot,
        condition: Some(Condition::NotExists),
    });
    Ok([build, slot])
}

/// The payout named by the partner's build slot, if a run left one.
pub async fn building_payout(
    store: &dyn ItemStore,
    program: &ProgramId,
    partner: &PartnerId,
) -> Result<Option<PayoutId>, StoreError> {
    let slot = store
        .get(
            &layout::payout_build_slot(program, partner),
            Consistency::Strong,
        )
        .await?;
    Ok(slot
        .as_ref()
        .and_then(|item| get_s(item, SLOT_PAYOUT))
        .and_then(|id| PayoutId::parse(id).ok()))
}

/// Adds a chunk of claimed commissions to the payout being built (fails once it is sealed).
pub fn add_claimed(id: &PayoutId, claimed: &Claimed) -> TxOp {
    let mut update = Update::new()
        .add(CLAIMED_AMOUNT, claimed.amount)
        .add(CLAIMED_COUNT, claimed.count);
    if let Some(oldest) = claimed.oldest {
        let at = oldest.format(&Rfc3339).expect("a UTC time formats");
        update = update.set_if_absent(OLDEST, s(at));
    }
    TxOp::Update(UpdateItem {
        key: layout::payout(id),
        update,
        condition: Some(Condition::AttributeExists(BUILDING.into())),
    })
}

/// The sealed payout (listed from now on) in place of the one being built, and the partner's
/// build slot gone.
pub fn seal(payout: &Payout, read_version: u64) -> Result<[TxOp; 2], StoreError> {
    let sealed = TxOp::Put(Put {
        item: payout_item(payout)?,
        condition: Some(
            Condition::version(read_version).and(Condition::AttributeExists(BUILDING.into())),
        ),
    });
    let slot = TxOp::Delete(Delete {
        key: layout::payout_build_slot(&payout.program_id, &payout.partner_id),
        condition: None,
    });
    Ok([sealed, slot])
}

/// A sealed payout's item: listed under its program (gsi1) and its partner (gsi2), by time.
fn payout_item(payout: &Payout) -> Result<Item, StoreError> {
    let mut item = json_item(&layout::payout(&payout.id), payout, payout.version)?;
    item.insert("status".into(), s(payout.status.as_str()));
    let sort = layout::time_sk(payout.created_at, payout.id.as_str());
    item.insert(
        schema::GSI1.pk.into(),
        s(layout::payouts_index_pk(&payout.program_id)),
    );
    item.insert(schema::GSI1.sk.into(), s(sort.clone()));
    item.insert(
        schema::GSI2.pk.into(),
        s(layout::partner_payouts_index_pk(
            &payout.program_id,
            &payout.partner_id,
        )),
    );
    item.insert(schema::GSI2.sk.into(), s(sort));
    Ok(item)
}

/// Writes a changed sealed payout read at `read_version`.
pub fn replace_payout(payout: &Payout, read_version: u64) -> Result<TxOp, StoreError> {
    Ok(TxOp::Put(Put {
        item: payout_item(payout)?,
        condition: Some(Condition::version(read_version)),
    }))
}

/// Counts a chunk of the payout's commissions settled (in the chunk's transaction).
pub fn add_settled(id: &PayoutId, count: i64) -> TxOp {
    TxOp::Update(UpdateItem {
        key: layout::payout(id),
        update: Update::new().add(SETTLED_COUNT, count),
        condition: Some(Condition::Exists),
    })
}

/// The marker of a payout whose commissions do not follow its status yet: the scheduled run
/// finishes what a request left.
pub fn unsettled_marker(payout: &Payout) -> TxOp {
    let mut item = layout::unsettled_payout(&payout.id).to_item();
    item.insert("programId".into(), s(payout.program_id.as_str()));
    TxOp::Put(Put {
        item,
        condition: None,
    })
}

pub fn remove_unsettled_marker(id: &PayoutId) -> TxOp {
    TxOp::Delete(Delete {
        key: layout::unsettled_payout(id),
        condition: None,
    })
}

/// The program and id of an unsettled marker's payout.
pub fn unsettled_of(item: &Item) -> Option<(ProgramId, PayoutId)> {
    let program = ProgramId::parse(get_s(item, "programId")?).ok()?;
    let payout = PayoutId::parse(get_s(item, schema::SK)?).ok()?;
    Some((program, payout))
}

/// Commissions claimed per transaction (with the payout's update: at most 100 actions).
pub const CHUNK: usize = 50;
