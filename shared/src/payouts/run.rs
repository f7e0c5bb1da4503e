//! A payout run: every partner's processed commissions not yet in a payout (clawbacks included)
//! become one payout when their net reaches the program's `minPayoutAmount`; a smaller or
//! negative net carries forward. Banned partners are left out; deactivated ones are paid.
//!
//! Read → decide → write, 100 partners at a time. The read is a query of the program's payable
//! commissions (a sparse index, gsi3 `PROG#{id}#PAYABLE`, sorted by partner, so a partner's
//! commissions are contiguous) and one batch of the partners; the decision ([`plan_run`]) is
//! pure; the write builds each partner's payout in steps that can be
//! cut anywhere and resumed (a partner's 5,000 commissions do not fit one transaction):
//! 1. the payout (not yet listed) and the partner's build slot naming it, only if no slot exists
//!    (a slot left by a crashed run is resumed instead);
//! 2. chunks of commissions, each claimed with a condition on the version read, together with
//!    an `ADD` of their earnings to the payout: a commission is in at most one payout;
//! 3. the seal: the payout listed with what it claimed, the slot deleted, `payout.created`.

use super::records::{self, Claimed};
use super::settle::{Settlement, settle};
use crate::auth::{Principal, Scope};
use crate::commissions::records::commission_of;
use crate::commissions::records::replace_commission;
use crate::context::AppContext;

use crate::error::DomainError;
use crate::layout;
use crate::model::Carried;
use crate::model::CarryReason;
use crate::model::EventName;
use crate::model::RunReport;
use crate::model::{
    Actor, Commission, CommissionStatus, Partner, PartnerStatus, Payout, PayoutRail, PayoutStatus,
    Program,
};
use crate::outbox;
use crate::partners::partner_of;
use crate::payouts::records::CHUNK;
use crate::programs::authorized_program;
use crate::store::{Condition, Delete, Query, StoreError, TxOp, schema};
use crate::types::{PartnerId, PayoutId, ProgramId};
use crate::wire::payouts::PayoutSchema;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// Tries of one chunk after concurrent changes of its commissions.
const CHUNK_ATTEMPTS: usize = 5;

/// `POST /programs/{id}/payouts/run`.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunPayoutsRequest {
    /// Answer who would get what, and write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// One partner's payable commissions, as read.
#[derive(Debug, Clone)]
pub struct Balance {
    pub partner: Option<Partner>,
    pub partner_id: PartnerId,
    pub commissions: Vec<Commission>,
}

impl Balance {
    pub fn net(&self) -> i64 {
        self.commissions.iter().map(|c| c.earnings).sum()
    }
}

/// What a run decided: the balances to pay, and those that carry forward.
#[derive(Debug, Clone, Default)]
pub struct RunPlan {
    pub pay: Vec<(Partner, Vec<Commission>)>,
    pub carried: Vec<Carried>,
}

/// Runs payouts for the program in the path (admin, or a key with `payouts.write`).
pub async fn run_payouts(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    request: RunPayoutsRequest,
) -> Result<RunReport, DomainError> {
    let program = authorized_program(ctx, principal, program_id, Scope::PayoutsWrite).await?;
    run_program(ctx, &program, request.dry_run, principal.actor()).await
}

/// One run over a program: read, decide, then build each payout, 100 partners at a time (the
/// read holds at most one batch of partners' commissions, so memory stays flat however large
/// the program).
pub async fn run_program(
    ctx: &AppContext,
    program: &Program,
    dry_run: bool,
    actor: Actor,
) -> Result<RunReport, DomainError> {
    let now = ctx.clock.now();
    let run_id = format!("payrun_{}", ctx.ids.next_id());
    let mut report = RunReport {
        run_id: run_id.clone(),
        dry_run,
        payouts: Vec::new(),
        carried: Vec::new(),
    };
    let mut payable = PayableBalances::new(&program.id);
    while let Some(balances) = payable.next_batch(ctx).await? {
        let plan = plan_run(program, balances);
        report.carried.extend(plan.carried);
        for (partner, commissions) in plan.pay {
            let payout = if dry_run {
                Some(preview(program, &run_id, &partner, &commissions, now))
            } else {
                build_payout(ctx, program, &run_id, &partner, &commissions, &actor).await?
            };
            report
                .payouts
                .extend(payout.map(|payout| (payout, partner)));
        }
    }
    Ok(report)
}

/// Partners read per batch (one `BatchGetItem`).
const PARTNERS_PER_BATCH: usize = 100;

/// The program's payable commissions (gsi3 `PROG#{id}#PAYABLE`, sorted by partner), handed out
/// as the balances of up to 100 partners at a time, each with its partner.
pub struct PayableBalances {
    partition: String,
    cursor: Option<String>,
    done: bool,
    /// The commissions of the partner the last page ended in (more may follow).
    open: Vec<Commission>,
}

impl PayableBalances {
    pub fn new(program: &ProgramId) -> Self {
        Self {
            partition: layout::payable_index_pk(program),
            cursor: None,
            done: false,
            open: Vec::new(),
        }
    }

    /// The next balances, or `None` once every payable commission was handed out.
    pub async fn next_batch(
        &mut self,
        ctx: &AppContext,
    ) -> Result<Option<Vec<Balance>>, StoreError> {
        let mut complete: Vec<Vec<Commission>> = Vec::new();
        while complete.len() < PARTNERS_PER_BATCH && !self.done {
            let query = Query::index(schema::GSI3.name, self.partition.clone());
            let page = ctx.store.query(query.cursor(self.cursor.take())).await?;
            for item in &page.items {
                let commission = commission_of(item)?;
                if !is_payable(&commission) {
                    continue;
                }
                if self
                    .open
                    .first()
                    .is_some_and(|c| c.partner_id != commission.partner_id)
                {
                    complete.push(std::mem::take(&mut self.open));
                }
                self.open.push(commission);
            }
            self.cursor = page.next;
            self.done = self.cursor.is_none();
        }
        if self.done && !self.open.is_empty() {
            complete.push(std::mem::take(&mut self.open));
        }
        if complete.is_empty() {
            return Ok(None);
        }
        with_partners(ctx, complete).await.map(Some)
    }
}

async fn with_partners(
    ctx: &AppContext,
    groups: Vec<Vec<Commission>>,
) -> Result<Vec<Balance>, StoreError> {
    let keys = groups
        .iter()
        .map(|group| layout::partner(&group[0].partner_id))
        .collect();
    let mut partners: BTreeMap<PartnerId, Partner> = ctx
        .store
        .batch_get(keys)
        .await?
        .iter()
        .filter_map(|item| partner_of(item).ok())
        .map(|partner| (partner.id.clone(), partner))
        .collect();
    Ok(groups
        .into_iter()
        .map(|commissions| {
            let partner_id = commissions[0].partner_id.clone();
            Balance {
                partner: partners.remove(&partner_id),
                partner_id,
                commissions,
            }
        })
        .collect())
}

/// Every payable balance of the program at once (the ledger's read).
pub async fn read_balances(
    ctx: &AppContext,
    program: &ProgramId,
) -> Result<Vec<Balance>, StoreError> {
    let mut payable = PayableBalances::new(program);
    let mut all = Vec::new();
    while let Some(batch) = payable.next_batch(ctx).await? {
        all.extend(batch);
    }
    Ok(all)
}

/// A commission a run may take: processed and in no payout.
pub fn is_payable(commission: &Commission) -> bool {
    commission.status == CommissionStatus::Processed && commission.payout_id.is_none()
}

/// Who is paid and who carries forward. Pure.
pub fn plan_run(program: &Program, balances: Vec<Balance>) -> RunPlan {
    let minimum = program.settings.min_payout_amount.max(1);
    let mut plan = RunPlan::default();
    for balance in balances {
        let net = balance.net();
        let reason = match &balance.partner {
            Some(partner) if partner.status == PartnerStatus::Banned => Some(CarryReason::Banned),
            _ if net < 0 => Some(CarryReason::Negative),
            _ if net < minimum => Some(CarryReason::BelowMinimum),
            None => Some(CarryReason::BelowMinimum),
            Some(_) => None,
        };
        match (reason, balance.partner) {
            (None, Some(partner)) => plan.pay.push((partner, balance.commissions)),
            (reason, _) => plan.carried.push(Carried {
                partner_id: balance.partner_id,
                amount: net,
                currency: program.currency,
                commission_count: balance.commissions.len() as i64,
                reason: reason.unwrap_or(CarryReason::BelowMinimum),
            }),
        }
    }
    plan
}

fn new_payout(
    program: &Program,
    run_id: &str,
    partner: &Partner,
    id: PayoutId,
    now: OffsetDateTime,
) -> Payout {
    Payout {
        id,
        program_id: program.id.clone(),
        partner_id: partner.id.clone(),
        run_id: run_id.to_owned(),
        amount: 0,
        currency: program.currency,
        commission_count: 0,
        status: PayoutStatus::Pending,
        rail: program.settings.payout_rail,
        description: Some(format!("Payout of {} to {}", program.name, partner.name)),
        period_start: None,
        period_end: now,
        external_reference: None,
        failure_reason: None,
        initiated_at: None,
        created_at: now,
        updated_at: now,
        paid_at: None,
        settled: true,
        version: 1,
    }
}

/// The payout a dry run shows: what building it would make.
fn preview(
    program: &Program,
    run_id: &str,
    partner: &Partner,
    commissions: &[Commission],
    now: OffsetDateTime,
) -> Payout {
    let id = PayoutId::parse("po_preview").expect("a valid id");
    Payout {
        amount: commissions.iter().map(|c| c.earnings).sum(),
        commission_count: commissions.len() as i64,
        period_start: commissions.iter().map(|c| c.created_at).min(),
        ..new_payout(program, run_id, partner, id, now)
    }
}

/// Builds one partner's payout (or finishes the one a run left): start, claim, seal.
async fn build_payout(
    ctx: &AppContext,
    program: &Program,
    run_id: &str,
    partner: &Partner,
    commissions: &[Commission],
    actor: &Actor,
) -> Result<Option<Payout>, DomainError> {
    let store = ctx.store.as_ref();
    let id = match records::building_payout(store, &program.id, &partner.id).await? {
        Some(id) => id,
        None => start(ctx, program, run_id, partner).await?,
    };
    for chunk in commissions.chunks(CHUNK) {
        if !claim_chunk(ctx, &id, chunk).await? {
            // Sealed meanwhile by another run: what is left waits for the next run.
            break;
        }
    }
    seal_payout(ctx, program, partner, &id, actor).await
}

/// Step 1: the payout and the partner's build slot; a slot written meanwhile by another run
/// names the payout to continue.
async fn start(
    ctx: &AppContext,
    program: &Program,
    run_id: &str,
    partner: &Partner,
) -> Result<PayoutId, DomainError> {
    let payout = new_payout(
        program,
        run_id,
        partner,
        PayoutId::generate(ctx.ids.as_ref()),
        ctx.clock.now(),
    );
    match ctx
        .store
        .transact(records::start_building(&payout)?.into())
        .await
    {
        Ok(()) => Ok(payout.id),
        Err(error) if error.is_condition_failure() => {
            records::building_payout(ctx.store.as_ref(), &program.id, &partner.id)
                .await?
                .ok_or_else(|| DomainError::Conflict("A payout run is busy; retry.".into()))
        }
        Err(error) => Err(error.into()),
    }
}

/// Step 2: claims a chunk into the payout. A commission changed meanwhile is read again and
/// claimed if still payable. `false`: the payout is no longer being built.
async fn claim_chunk(
    ctx: &AppContext,
    payout: &PayoutId,
    chunk: &[Commission],
) -> Result<bool, DomainError> {
    let mut left: Vec<Commission> = chunk.to_vec();
    for _ in 0..CHUNK_ATTEMPTS {
        if left.is_empty() {
            return Ok(true);
        }
        let now = ctx.clock.now();
        let mut ops = Vec::with_capacity(left.len() + 1);
        for commission in &left {
            ops.push(replace_commission(
                &claimed(commission, payout, now),
                commission.version,
            )?);
        }
        let claimed = Claimed {
            amount: left.iter().map(|c| c.earnings).sum(),
            count: left.len() as i64,
            oldest: left.iter().map(|c| c.created_at).min(),
        };
        ops.push(records::add_claimed(payout, &claimed));
        let payout_index = ops.len() - 1;
        match ctx.store.transact(ops).await {
            Ok(()) => return Ok(true),
            Err(error) if error.failed_condition_index() == Some(payout_index) => return Ok(false),
            Err(error) if error.is_condition_failure() => {
                left = still_payable(ctx, &left).await?;
            }
            Err(error) => return Err(error.into()),
        }
    }
    Err(DomainError::Conflict(
        "The partner's commissions keep changing; run the payouts again.".into(),
    ))
}

fn claimed(commission: &Commission, payout: &PayoutId, now: OffsetDateTime) -> Commission {
    Commission {
        payout_id: Some(payout.clone()),
        version: commission.version + 1,
        updated_at: now,
        ..commission.clone()
    }
}

/// The commissions of `chunk` that are still payable, read strongly.
async fn still_payable(
    ctx: &AppContext,
    chunk: &[Commission],
) -> Result<Vec<Commission>, StoreError> {
    let mut left = Vec::new();
    for commission in chunk {
        let key = layout::commission(&commission.id);
        let fresh = ctx
            .store
            .get(&key, crate::store::Consistency::Strong)
            .await?;
        if let Some(fresh) = fresh.as_ref().map(commission_of).transpose()?
            && is_payable(&fresh)
        {
            left.push(fresh);
        }
    }
    Ok(left)
}

/// Step 3: lists the payout with what it claimed. A payout that claimed nothing is removed;
/// one that fell below the minimum while it was built (its commissions changed meanwhile) is
/// canceled and its commissions are payable again.
async fn seal_payout(
    ctx: &AppContext,
    program: &Program,
    partner: &Partner,
    id: &PayoutId,
    actor: &Actor,
) -> Result<Option<Payout>, DomainError> {
    let Some(stored) = records::find_payout(ctx.store.as_ref(), &program.id, id).await? else {
        return Ok(None);
    };
    let Some(claimed) = stored.building else {
        // Sealed by another run meanwhile.
        return Ok(None);
    };
    if claimed.count == 0 {
        return discard_empty(ctx, &stored.payout).await.map(|_| None);
    }
    let minimum = program.settings.min_payout_amount.max(1);
    let sealed = sealed_of(&stored.payout, &claimed, minimum, ctx.clock.now());
    let pays = sealed.status == PayoutStatus::Pending;
    let mut ops: Vec<TxOp> = records::seal(&sealed, stored.payout.version)?.into();
    if pays {
        ops.extend(sealed_events(ctx, partner, &sealed, actor)?);
    } else {
        ops.push(records::unsettled_marker(&sealed));
    }
    if !transact_unless_raced(ctx, ops).await? {
        return Ok(None);
    }
    if !pays {
        settle(ctx, &sealed, Settlement::Release).await?;
        return Ok(None);
    }
    Ok(Some(sealed))
}

/// A payout that claimed nothing goes, with its partner's build slot.
async fn discard_empty(ctx: &AppContext, payout: &Payout) -> Result<bool, DomainError> {
    let ops = vec![
        TxOp::Delete(Delete {
            key: layout::payout(&payout.id),
            condition: Some(Condition::version(payout.version)),
        }),
        TxOp::Delete(Delete {
            key: layout::payout_build_slot(&payout.program_id, &payout.partner_id),
            condition: None,
        }),
    ];
    transact_unless_raced(ctx, ops).await
}

/// The payout with what it claimed: pending when it reaches the minimum, else canceled (its
/// commissions are then released). Pure.
fn sealed_of(built: &Payout, claimed: &Claimed, minimum: i64, now: OffsetDateTime) -> Payout {
    let pays = claimed.amount >= minimum;
    Payout {
        amount: claimed.amount,
        commission_count: claimed.count,
        period_start: claimed.oldest,
        status: if pays {
            PayoutStatus::Pending
        } else {
            PayoutStatus::Canceled
        },
        failure_reason: (!pays).then(|| "Below the minimum payout once built.".to_owned()),
        settled: pays,
        updated_at: now,
        version: built.version + 1,
        ..built.clone()
    }
}

/// `payout.created`, and `payout.waiting` when the partner has no destination for the rail
/// (Dub's behaviour: the payout waits, pending, and the business is told).
fn sealed_events(
    ctx: &AppContext,
    partner: &Partner,
    sealed: &Payout,
    actor: &Actor,
) -> Result<Vec<TxOp>, StoreError> {
    let data = serde_json::to_value(PayoutSchema::of(sealed, Some(partner)))
        .map_err(StoreError::engine)?;
    let event = |name: EventName, data| {
        let event = outbox::new_event(
            ctx.ids.as_ref(),
            ctx.clock.as_ref(),
            &sealed.program_id,
            name,
            actor.clone(),
            data,
        );
        outbox::record(&event)
    };
    let mut ops = vec![event(EventName::PayoutCreated, data.clone())?];
    if let Some(reason) = missing_destination(sealed, partner) {
        let mut waiting = data;
        waiting["reason"] = serde_json::Value::String(reason.into());
        ops.push(event(EventName::PayoutWaiting, waiting)?);
    }
    Ok(ops)
}

/// Why a payout cannot be paid by its rail yet: the partner has no destination for it.
pub fn missing_destination(payout: &Payout, partner: &Partner) -> Option<&'static str> {
    let profile = &partner.profile;
    match payout.rail {
        PayoutRail::Manual => None,
        PayoutRail::Paypal if profile.paypal_email.is_none() && partner.email.is_none() => {
            Some("The partner has no PayPal email.")
        }
        PayoutRail::Wise if partner.email.is_none() => Some("The partner has no email for Wise."),
        PayoutRail::Connect if profile.stripe_connect_id.is_none() => {
            Some("The partner has no Stripe connected account.")
        }
        PayoutRail::Paypal | PayoutRail::Wise | PayoutRail::Connect => None,
    }
}

/// `false` when a condition failed (another run got there first).
async fn transact_unless_raced(ctx: &AppContext, ops: Vec<TxOp>) -> Result<bool, DomainError> {
    match ctx.store.transact(ops).await {
        Ok(()) => Ok(true),
        Err(error) if error.is_condition_failure() => Ok(false),
        Err(error) => Err(error.into()),
    }
}
