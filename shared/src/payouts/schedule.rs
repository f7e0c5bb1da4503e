//! Scheduled payout runs: the scheduled job (the commission maturation's, every 15 minutes)
//! runs the payouts of each program whose `payoutSchedule` names today (UTC), once a day. The
//! day is recorded after the run, so a run cut short is run again at the next tick and
//! resumes its payouts (`run`); two ticks at once are two runs, which a run tolerates.

use super::run::run_program;
use crate::context::AppContext;
use crate::error::DomainError;
use crate::layout;
use crate::model::{Actor, Program};
use crate::store::{Consistency, Put, Query, StoreError, TxOp, from_item, get_s, s, schema};
use time::Date;
use time::format_description::well_known::Iso8601;

/// Runs the payouts of every program due today; returns how many programs ran.
pub async fn run_scheduled_payouts(ctx: &AppContext) -> Result<usize, DomainError> {
    let today = ctx.clock.now().date();
    let mut ran = 0;
    for program in all_programs(ctx).await? {
        let last = last_run(ctx, &program).await?;
        if !program.settings.payout_schedule.is_due(today, last) {
            continue;
        }
        match run_program(ctx, &program, false, Actor::System).await {
            Ok(report) => {
                tracing::info!(program = %program.id, payouts = report.payouts.len(), "scheduled payout run");
                record_run(ctx, &program, today).await?;
                ran += 1;
            }
            Err(error) => {
                tracing::warn!(program = %program.id, %error, "scheduled payout run failed; the next tick retries")
            }
        }
    }
    Ok(ran)
}

/// Every program of the deployment (gsi1 `PROGRAMS`: a deployment runs a few programs).
async fn all_programs(ctx: &AppContext) -> Result<Vec<Program>, StoreError> {
    let mut programs = Vec::new();
    let mut cursor = None;
    loop {
        let query = Query::index(schema::GSI1.name, layout::PROGRAMS_INDEX_PK).cursor(cursor);
        let page = ctx.store.query(query).await?;
        for item in page.items {
            match from_item::<Program>(item) {
                Ok(program) => programs.push(program),
                Err(error) => tracing::warn!(%error, "a program record cannot be read"),
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(programs),
        }
    }
}

async fn last_run(ctx: &AppContext, program: &Program) -> Result<Option<Date>, StoreError> {
    let item = ctx
        .store
        .get(
            &layout::payout_schedule_state(&program.id),
            Consistency::Strong,
        )
        .await?;
    Ok(item
        .as_ref()
        .and_then(|item| get_s(item, "lastRunOn"))
        .and_then(|day| Date::parse(day, &Iso8601::DATE).ok()))
}

async fn record_run(ctx: &AppContext, program: &Program, day: Date) -> Result<(), StoreError> {
    let mut item = layout::payout_schedule_state(&program.id).to_item();
    let day = day.format(&Iso8601::DATE).map_err(StoreError::engine)?;
    item.insert("lastRunOn".into(), s(day));
    ctx.store
        .transact(vec![TxOp::Put(Put {
            item,
            condition: None,
        })])
        .await
}
