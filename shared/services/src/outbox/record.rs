use crate::layout;
use crate::model::{Actor, DomainEvent, EventName};
use crate::ports::{Clock, IdSource};
use crate::store::{Condition, Put, StoreError, TxOp, s, schema};
use crate::types::{EventId, ProgramId};

/// A new event, stamped with an id and the time.
pub fn new_event(
    ids: &dyn IdSource,
    clock: &dyn Clock,
    program_id: &ProgramId,
    event: EventName,
    actor: Actor,
    data: serde_json::Value,
) -> DomainEvent {
    DomainEvent {
        id: EventId::generate(ids),
        event,
        program_id: program_id.clone(),
        created_at: clock.now(),
        actor,
        data,
    }
}

/// The transaction action that stores an event in the program's audit trail and, through the
/// sparse outbox index, queues it for the relay.
pub fn record(event: &DomainEvent) -> Result<TxOp, StoreError> {
    let mut item = layout::event(&event.program_id, &event.id).to_item();
    // The event is kept as its exact JSON so that every later reader sees the same bytes.
    item.insert(
        "body".into(),
        s(serde_json::to_string(event).map_err(StoreError::engine)?),
    );
    item.insert("event".into(), s(event.event.as_str()));
    item.insert(
        schema::GSI1.pk.into(),
        s(layout::outbox_index_pk(&event.id)),
    );
    item.insert(schema::GSI1.sk.into(), s(event.id.to_string()));
    Ok(TxOp::Put(Put {
        item,
        condition: Some(Condition::NotExists),
    }))
}
