//! Every conversion runs the same three steps: **read** what the decision needs, **decide**
//! (pure: a [`Decision`] from what was read and the request), **write** (one transaction, or
//! none). A lost race (a concurrent event of the same customer, partner or sale) reads again,
//! strongly, and decides again, up to [`ATTEMPTS`] times.

use super::plan::{Decision, Stamp};
use super::read::Request;
use super::write::write;
use crate::context::AppContext;
use crate::error::DomainError;
use crate::idempotency::{IdempotencyKey, Recorded};
use crate::model::Actor;
use crate::types::ProgramId;
use serde::Serialize;
use std::future::Future;

/// How often an event is tried: the first time, then after each lost race.
pub const ATTEMPTS: usize = 5;

/// Reads, decides and writes until the write holds.
pub async fn run<'a, Found, Reply, Read, Reading, Decide>(
    ctx: &'a AppContext,
    program: &'a ProgramId,
    key: Option<&'a IdempotencyKey>,
    actor: Actor,
    read: Read,
    decide: Decide,
) -> Result<Recorded<Reply>, DomainError>
where
    Reply: Serialize,
    Read: Fn(Request<'a>) -> Reading,
    Reading: Future<Output = Result<Found, DomainError>>,
    Decide: Fn(Found, &Stamp) -> Result<Decision<Reply>, DomainError>,
{
    for attempt in 0..ATTEMPTS {
        let now = ctx.clock.now();
        let found = read(Request {
            program,
            key,
            now,
            strong: attempt > 0,
        })
        .await?;
        let stamp = Stamp {
            program,
            now,
            ids: ctx.ids.as_ref(),
            actor: actor.clone(),
        };
        if let Some(done) = write(ctx, program, key, decide(found, &stamp)?, now).await? {
            return Ok(done);
        }
    }
    Err(DomainError::Conflict(
        "Too many concurrent events for this customer; retry the request.".into(),
    ))
}
