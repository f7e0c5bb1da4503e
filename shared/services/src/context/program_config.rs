//! The program settings and group rewards that every lead and sale reads, kept in process for
//! a short time so the tracking path skips their reads.
//!
//! Staleness is bounded: a change made by another process (program-admin is another Lambda
//! function) reaches tracking within [`PROGRAM_CONFIG_TTL`]; a change made through this
//! process's context forgets the program's entries at once. Events tracked in that window use
//! the settings and rewards as they were when read; the rules that must never be stale
//! (invoice ids, one lead reward per customer, first-sale-only rewards, group moves) are
//! conditions of the event's own transaction, not of these values.

use crate::cache::TtlCache;
use crate::model::{PartnerGroup, Program};
use crate::ports::Clock;
use crate::types::{GroupId, ProgramId};
use std::sync::Arc;

/// How long a read program or group is trusted.
pub const PROGRAM_CONFIG_TTL: time::Duration = time::Duration::seconds(30);
const CAPACITY: usize = 1_000;

pub struct ProgramConfigCache {
    programs: TtlCache<ProgramId, Program>,
    groups: TtlCache<(ProgramId, GroupId), PartnerGroup>,
    clock: Arc<dyn Clock>,
}

impl ProgramConfigCache {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            programs: TtlCache::new(CAPACITY),
            groups: TtlCache::new(CAPACITY),
            clock,
        }
    }

    pub fn program(&self, id: &ProgramId) -> Option<Program> {
        self.programs.get(id, self.clock.now())
    }

    pub fn remember_program(&self, program: &Program) {
        let now = self.clock.now();
        self.programs.insert(
            program.id.clone(),
            program.clone(),
            now + PROGRAM_CONFIG_TTL,
            now,
        );
    }

    /// The group if it is cached (`groups::cached_group` reads and remembers it otherwise).
    pub fn group(&self, program: &ProgramId, id: &GroupId) -> Option<PartnerGroup> {
        self.groups
            .get(&(program.clone(), id.clone()), self.clock.now())
    }

    pub fn remember_group(&self, group: &PartnerGroup) {
        let now = self.clock.now();
        let key = (group.program_id.clone(), group.id.clone());
        self.groups
            .insert(key, group.clone(), now + PROGRAM_CONFIG_TTL, now);
    }

    /// Forgets the program and its groups: called after this process changed them.
    pub fn forget_program(&self, program: &ProgramId) {
        self.programs.forget_where(|id, _| id == program);
        self.groups.forget_where(|(id, _), _| id == program);
    }
}
