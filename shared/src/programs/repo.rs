//! Program records in the table.

use crate::layout;
use crate::model::Program;
use crate::store::{
    Condition, Consistency, Item, ItemStore, Put, StoreError, TxOp, from_item, s, schema, to_item,
};
use crate::types::ProgramId;

/// The actions that create a program: its record and the claim on its short-link domain, so
/// that two programs can never share a domain.
pub fn insert(program: &Program) -> Result<Vec<TxOp>, StoreError> {
    let item = item(program)?;
    let mut claim = layout::domain_claim(&program.domain).to_item();
    claim.insert("programId".into(), s(program.id.to_string()));
    Ok(vec![
        TxOp::Put(Put {
            item,
            condition: Some(Condition::NotExists),
        }),
        TxOp::Put(Put {
            item: claim,
            condition: Some(Condition::NotExists),
        }),
    ])
}

fn item(program: &Program) -> Result<Item, StoreError> {
    let mut item = to_item(program)?;
    item.extend(layout::program(&program.id).to_item().into_inner());
    item.insert(schema::GSI1.pk.into(), s(layout::PROGRAMS_INDEX_PK));
    item.insert(schema::GSI1.sk.into(), s(program.id.to_string()));
    Ok(item)
}

/// Writes a changed program, if it is still at the version it was read at.
pub fn replace(program: &Program, read_version: u64) -> Result<TxOp, StoreError> {
    Ok(TxOp::Put(Put {
        item: item(program)?,
        condition: Some(Condition::version(read_version)),
    }))
}

pub async fn find_program(
    store: &dyn ItemStore,
    id: &ProgramId,
) -> Result<Option<Program>, StoreError> {
    store
        .get(&layout::program(id), Consistency::Strong)
        .await?
        .map(from_item)
        .transpose()
}
