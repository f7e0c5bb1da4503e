//! Commission records: the item, its maturing marker (which the scheduled maturation queries),
//! and the payload every commission event carries.

use crate::layout;
use crate::model::{Commission, CommissionStatus};
use crate::store::records::{from_json_item, json_item};
use crate::store::{
    Condition, Consistency, Delete, Item, ItemStore, Put, StoreError, TxOp, s, schema,
};
use crate::types::{CommissionId, ProgramId};
use serde_json::{Value, json};

fn commission_item(commission: &Commission) -> Result<Item, StoreError> {
    let mut item = json_item(
        &layout::commission(&commission.id),
        commission,
        commission.version,
    )?;
    item.insert("status".into(), s(commission.status.as_str()));
    let sort = layout::time_sk(commission.created_at, commission.id.as_str());
    item.insert(
        schema::GSI1.pk.into(),
        s(layout::commissions_index_pk(&commission.program_id)),
    );
    item.insert(schema::GSI1.sk.into(), s(sort.clone()));
    item.insert(
        schema::GSI2.pk.into(),
        s(layout::partner_commissions_index_pk(
            &commission.program_id,
            &commission.partner_id,
        )),
    );
    item.insert(schema::GSI2.sk.into(), s(sort.clone()));
    // gsi3: the program's payable commissions, or the payout's own (see `payouts`).
    let program = &commission.program_id;
    match &commission.payout_id {
        Some(payout) => {
            item.insert(
                schema::GSI3.pk.into(),
                s(layout::payout_commissions_index_pk(payout)),
            );
            item.insert(schema::GSI3.sk.into(), s(sort));
        }
        None if commission.status == CommissionStatus::Processed => {
            let sk = layout::payable_sk(
                &commission.partner_id,
                commission.created_at,
                commission.id.as_str(),
            );
            item.insert(schema::GSI3.pk.into(), s(layout::payable_index_pk(program)));
            item.insert(schema::GSI3.sk.into(), s(sk));
        }
        None => {}
    }
    Ok(item)
}

/// A new commission and, while it is pending, its maturing marker.
pub fn insert_commission(commission: &Commission) -> Result<Vec<TxOp>, StoreError> {
    let mut ops = vec![TxOp::Put(Put {
        item: commission_item(commission)?,
        condition: Some(Condition::NotExists),
    })];
    if commission.status == CommissionStatus::Pending {
        ops.push(maturing_marker(commission));
    }
    Ok(ops)
}

fn maturing_marker(commission: &Commission) -> TxOp {
    let mut item = layout::maturing_marker(&commission.id, commission.holds_until).to_item();
    item.insert("commissionId".into(), s(commission.id.as_str()));
    TxOp::Put(Put {
        item,
        condition: None,
    })
}

/// Writes a changed commission read at `read_version`.
pub fn replace_commission(commission: &Commission, read_version: u64) -> Result<TxOp, StoreError> {
    Ok(TxOp::Put(Put {
        item: commission_item(commission)?,
        condition: Some(Condition::version(read_version)),
    }))
}

/// Removes a commission's maturing marker (it left `pending`).
pub fn remove_maturing_marker(commission: &Commission) -> TxOp {
    TxOp::Delete(Delete {
        key: layout::maturing_marker(&commission.id, commission.holds_until),
        condition: None,
    })
}

pub fn commission_of(item: &Item) -> Result<Commission, StoreError> {
    from_json_item(item)
}

pub async fn find_commission(
    store: &dyn ItemStore,
    program: &ProgramId,
    id: &CommissionId,
) -> Result<Option<Commission>, StoreError> {
    let found = store
        .get(&layout::commission(id), Consistency::Strong)
        .await?
        .as_ref()
        .map(commission_of)
        .transpose()?;
    Ok(found.filter(|c| &c.program_id == program))
}

/// Dub's `Commission` without its partner and customer: the `commission` of every event.
pub fn commission_payload(commission: &Commission, metadata: Option<&Value>) -> Value {
    json!({
        "id": commission.id,
        "type": commission.kind,
        "amount": commission.amount,
        "earnings": commission.earnings,
        "currency": commission.currency,
        "status": commission.status,
        "invoiceId": commission.invoice_id,
        "description": commission.description,
        "quantity": commission.quantity,
        "metadata": metadata,
        "userId": null,
        "note": commission.note,
        "createdAt": crate::wire::timestamp(commission.created_at),
        "updatedAt": crate::wire::timestamp(commission.updated_at),
        "paidAt": commission.paid_at.map(crate::wire::timestamp),
    })
}
