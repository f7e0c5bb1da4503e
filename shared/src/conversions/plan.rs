//! What the decide step hands the write step: a [`Decision`], and for an event that records
//! anything, its [`Plan`] — every record, counter and event of one transaction, in domain types.
//! Nothing here reads or writes; `write` turns a plan into store actions.

use crate::customers::tracked::ActivityChange;
use crate::idempotency::Recorded;
use crate::model::EventName;
use crate::model::{
    Actor, Commission, Customer, DomainEvent, Lead, LinkStats, Partner, PartnerGroup,
    PartnerTotals, Sale,
};
use crate::ports::IdSource;
use crate::types::{CustomerId, EventId, LinkId, PartnerId, ProgramId, SaleId};
use time::OffsetDateTime;

/// What stamps everything one attempt makes: its time (read once, before the read step), the id
/// source and who acts. The decide step reads no clock of its own.
pub struct Stamp<'a> {
    pub program: &'a ProgramId,
    pub now: OffsetDateTime,
    pub ids: &'a dyn IdSource,
    pub actor: Actor,
}

impl Stamp<'_> {
    /// A new event of the program, stamped with this attempt's time.
    pub fn event(&self, name: EventName, data: serde_json::Value) -> DomainEvent {
        DomainEvent {
            id: EventId::generate(self.ids),
            event: name,
            program_id: self.program.clone(),
            created_at: self.now,
            actor: self.actor.clone(),
            data,
        }
    }
}

/// What one request comes to.
#[derive(Debug)]
pub enum Decision<R> {
    /// A repeat of a request with the same idempotency key: the response it got, as stored.
    Replay(serde_json::Value),
    /// Nothing to record; this is the answer (kept under the idempotency key, if any).
    Answer(Recorded<R>),
    /// Records to write in one transaction; the answer once it commits.
    Write(Plan<R>),
}

/// One transaction's worth of records, and what follows its commit.
#[derive(Debug)]
pub struct Plan<R> {
    pub response: R,
    /// The claim that makes the event count once, beside the idempotency record.
    pub claim: Option<Claim>,
    /// In transaction order.
    pub writes: Vec<Write>,
    pub events: Vec<DomainEvent>,
    pub then: AfterCommit,
}

/// A claim the transaction writes only if absent; a failed claim means the event is a repeat.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// An invoice records one sale per program, forever: a repeat gets the first response.
    Invoice { invoice_id: String, sale_id: SaleId },
    /// A customer's lead of one event name counts once inside the dedupe window: a repeat gets
    /// this request's response and records nothing.
    LeadDedupe {
        customer: CustomerId,
        event_name: String,
    },
}

/// One record of a plan.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// A new customer, with the activity of the event that creates it.
    InsertCustomer(Box<Customer>, ActivityChange),
    /// A known customer's activity; its conditions hold what the decision relied on.
    UpdateActivity(CustomerId, ActivityChange),
    InsertLead(Box<Lead>),
    InsertSale(Box<Sale>),
    /// A changed sale, read at `read_version`.
    ReplaceSale(Box<Sale>, u64),
    /// A new commission (and, while pending, its maturing marker).
    InsertCommission(Box<Commission>),
    /// A changed commission, read at `read_version`.
    ReplaceCommission(Box<Commission>, u64),
    /// The maturing marker of a commission that left `pending`.
    RemoveMaturingMarker(Box<Commission>),
    PartnerTotals(PartnerId, PartnerTotals),
    LinkStats(LinkId, LinkStats),
    /// The event's analytics counters (program, partner and link of its day).
    Analytics(Box<crate::analytics::conversion::ConversionCounts>),
}

/// What runs once the transaction committed; never an error of the event.
#[derive(Debug, Clone, PartialEq)]
pub enum AfterCommit {
    Nothing,
    /// The group's move rules, on the partner's totals after the event.
    MoveRules {
        partner: Box<Partner>,
        totals: PartnerTotals,
        group: Box<PartnerGroup>,
    },
    /// The move rules on the partner's stored totals (the event did not read them).
    MoveRulesOfStored {
        program: ProgramId,
        partner: PartnerId,
    },
}
