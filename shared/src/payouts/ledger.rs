//! `GET /programs/{id}/ledger`: per currency, the earnings of commissions by status, the
//! amounts of payouts by status, and the balances not yet in a payout; balanced when the
//! earnings of processed and paid commissions equal the open and completed payouts plus the
//! payable and carried balances. Reads every commission and payout of the program (an
//! occasional check of the books, not a hot path).

use super::list::all_payouts;
use super::run::{is_payable, plan_run, read_balances};
use crate::auth::{Principal, Scope};
use crate::commissions::records::commission_of;
use crate::context::AppContext;
use crate::error::DomainError;
use crate::layout;
use crate::model::Ledger;
use crate::model::LedgerCurrency;
use crate::model::{CommissionStatus, Program};
use crate::programs::authorized_program;
use crate::store::records::readable;
use crate::store::{Query, schema};
use crate::types::{Currency, ProgramId};
use std::collections::BTreeMap;

pub async fn program_ledger(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
) -> Result<Ledger, DomainError> {
    let program = authorized_program(ctx, principal, program_id, Scope::PayoutsRead).await?;
    ledger_of(ctx, &program).await
}

/// The ledger of a program, read whole.
pub async fn ledger_of(ctx: &AppContext, program: &Program) -> Result<Ledger, DomainError> {
    let mut ledger: BTreeMap<String, LedgerCurrency> = BTreeMap::new();
    for (currency, status, earnings) in all_commissions(ctx, &program.id).await? {
        let line = ledger
            .entry(currency.code().to_owned())
            .or_insert_with(|| LedgerCurrency::new(currency));
        *line
            .commissions
            .entry(status.as_str().to_owned())
            .or_default() += earnings;
    }
    for payout in all_payouts(ctx, &program.id, None).await? {
        let line = ledger
            .entry(payout.currency.code().to_owned())
            .or_insert_with(|| LedgerCurrency::new(payout.currency));
        *line
            .payouts
            .entry(payout.status.as_str().to_owned())
            .or_default() += payout.amount;
    }
    let plan = plan_run(program, read_balances(ctx, &program.id).await?);
    for (_, commissions) in &plan.pay {
        let line = ledger
            .entry(program.currency.code().to_owned())
            .or_insert_with(|| LedgerCurrency::new(program.currency));
        line.payable += commissions
            .iter()
            .filter(|c| is_payable(c))
            .map(|c| c.earnings)
            .sum::<i64>();
    }
    for carried in &plan.carried {
        let line = ledger
            .entry(carried.currency.code().to_owned())
            .or_insert_with(|| LedgerCurrency::new(carried.currency));
        line.carried += carried.amount;
    }
    Ok(Ledger {
        currencies: ledger.into_values().collect(),
    })
}

/// Currency, status and earnings of every commission of the program.
async fn all_commissions(
    ctx: &AppContext,
    program: &ProgramId,
) -> Result<Vec<(Currency, CommissionStatus, i64)>, DomainError> {
    let mut found = Vec::new();
    let mut cursor = None;
    loop {
        let query = Query::index(schema::GSI1.name, layout::commissions_index_pk(program));
        let page = ctx.store.query(query.cursor(cursor)).await?;
        found.extend(
            page.items
                .iter()
                .filter_map(|item| readable(item, commission_of))
                .map(|c| (c.currency, c.status, c.earnings)),
        );
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(found),
        }
    }
}
