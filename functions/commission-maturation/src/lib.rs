//! The commission-maturation function, run on a schedule: pending commissions whose group's
//! holding period is over become processed (payable). First it finishes the due cancel jobs
//! of banned partners (`shared::commissions::run_cancel_jobs`) and the payouts whose
//! commissions a request left unsettled (`shared::payouts::settle_unsettled`).

use lambda_runtime::Diagnostic;
use shared::context::AppContext;
use shared::store::StoreError;

/// Commissions processed per run at most; the next run takes the rest.
pub const MAX_PER_RUN: usize = 5_000;

/// Payouts whose commissions are settled per run at most.
pub const MAX_UNSETTLED_PER_RUN: usize = 100;

/// Pages (100 commissions each) of banned partners' commissions cancelled per run at most.
pub const MAX_CANCEL_PAGES_PER_RUN: usize = 10;

#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct MaturationFailure(#[from] StoreError);

impl From<MaturationFailure> for Diagnostic {
    fn from(failure: MaturationFailure) -> Self {
        Diagnostic {
            error_type: "CommissionMaturationFailed".into(),
            error_message: failure.to_string(),
        }
    }
}

/// Handles the schedule's event (its payload is not needed).
pub async fn handle(
    ctx: &AppContext,
    _trigger: serde_json::Value,
) -> Result<serde_json::Value, MaturationFailure> {
    let cancels = shared::commissions::run_cancel_jobs(ctx, MAX_CANCEL_PAGES_PER_RUN).await?;
    if cancels.finished + cancels.left > 0 {
        tracing::info!(
            canceled = cancels.canceled,
            finished = cancels.finished,
            left = cancels.left,
            "banned partners' commissions canceled"
        );
    }
    match shared::payouts::settle_unsettled(ctx, MAX_UNSETTLED_PER_RUN).await {
        Ok(0) => {}
        Ok(settled) => tracing::info!(settled, "payouts settled"),
        Err(error) => tracing::warn!(%error, "settling payouts failed; the next run retries"),
    }
    let report = shared::commissions::mature_commissions(ctx, MAX_PER_RUN).await?;
    // After the maturation, so that a scheduled run pays what became payable this tick.
    match shared::payouts::run_scheduled_payouts(ctx).await {
        Ok(0) => {}
        Ok(programs) => tracing::info!(programs, "scheduled payout runs"),
        Err(error) => tracing::warn!(%error, "scheduled payout runs failed; the next tick retries"),
    }
    if report.processed + report.skipped > 0 {
        tracing::info!(
            processed = report.processed,
            skipped = report.skipped,
            deferred = report.deferred,
            "commissions matured"
        );
    }
    Ok(serde_json::to_value(report).expect("a report serialises"))
}

#[cfg(test)]
mod sample_events;
