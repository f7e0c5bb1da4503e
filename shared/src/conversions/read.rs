//! The read step: everything a decision needs, in as few reads as its keys allow. A lead or a
//! sale reads one batch (customer, program unless cached, the click's link, the email's deal
//! claim, the request's idempotency record and invoice claim), then one batch of the partner
//! and the customer's link, and the group unless cached (`attribution`). A repeat stops after
//! the first batch. A refund follows its invoice to the sale and the sale's commission.

use super::attribution::{Attribution, NewCustomers, Parties};
use super::input::{LeadInput, RefundInput, SaleInput};
use super::records;
use crate::clicks::ClickIdSigner;
use crate::commissions::records::find_commission;
use crate::context::AppContext;
use crate::error::DomainError;
use crate::idempotency::{self, IdempotencyKey};
use crate::layout;
use crate::model::{Commission, Sale};
use crate::store::Key;
use crate::types::ProgramId;
use serde_json::Value;
use time::OffsetDateTime;

/// What one request is about: its program, its idempotency key, and whether to read strongly
/// (a retry after a lost race).
pub struct Request<'a> {
    pub program: &'a ProgramId,
    pub key: Option<&'a IdempotencyKey>,
    pub now: OffsetDateTime,
    pub strong: bool,
}

impl Request<'_> {
    fn key_record(&self) -> Option<Key> {
        self.key.map(|key| key.record_key(self.program))
    }
}

/// What a lead's decision needs.
#[derive(Debug, Clone, Default)]
pub struct LeadRead {
    /// The response stored under the request's idempotency key: the request is a repeat.
    pub replay: Option<Value>,
    /// `None`: an unknown customer that nothing attributes (or a repeat, not read further).
    pub parties: Option<Parties>,
}

/// What a sale's decision needs.
#[derive(Debug, Clone, Default)]
pub struct SaleRead {
    pub replay: Option<Value>,
    /// The first response of the sale's invoice, when the invoice was already recorded.
    pub invoice: Option<Value>,
    pub parties: Option<Parties>,
}

/// What a refund's decision needs.
#[derive(Debug, Clone, Default)]
pub struct RefundRead {
    pub replay: Option<Value>,
    /// The sale of the invoice, if the program tracked one.
    pub sale: Option<Sale>,
    /// The sale's commission, if it has one.
    pub commission: Option<Commission>,
}

pub async fn read_lead(
    ctx: &AppContext,
    signer: &ClickIdSigner,
    request: &Request<'_>,
    input: &LeadInput,
) -> Result<LeadRead, DomainError> {
    let attribution = Attribution::new(
        signer,
        request.program,
        &input.customer,
        input.click_id.as_deref(),
        input.code.as_ref(),
        NewCustomers::ByClickOrDeal,
    );
    let key_record = request.key_record();
    let first = attribution
        .read(ctx, key_record.as_slice(), request.strong)
        .await?;
    let replay = replay_in(request, key_record.as_ref().and_then(|k| first.item(k)))?;
    if replay.is_some() {
        return Ok(LeadRead {
            replay,
            parties: None,
        });
    }
    let parties = attribution
        .resolve(ctx, &first, request.now, request.strong)
        .await?;
    Ok(LeadRead { replay, parties })
}

pub async fn read_sale(
    ctx: &AppContext,
    signer: &ClickIdSigner,
    request: &Request<'_>,
    input: &SaleInput,
) -> Result<SaleRead, DomainError> {
    let attribution = Attribution::new(
        signer,
        request.program,
        &input.customer,
        input.click_id.as_deref(),
        input.code.as_ref(),
        NewCustomers::ByClick,
    );
    let key_record = request.key_record();
    let invoice_key = input
        .invoice_id
        .as_ref()
        .map(|id| layout::invoice_claim(request.program, id));
    let extra: Vec<Key> = key_record.iter().chain(&invoice_key).cloned().collect();
    let first = attribution.read(ctx, &extra, request.strong).await?;
    let replay = replay_in(request, key_record.as_ref().and_then(|k| first.item(k)))?;
    let invoice = invoice_key
        .as_ref()
        .and_then(|k| first.item(k))
        .map(|claim| records::invoice_claim_of(claim).map(|claim| claim.response))
        .transpose()?;
    if replay.is_some() || invoice.is_some() {
        return Ok(SaleRead {
            replay,
            invoice,
            parties: None,
        });
    }
    let parties = attribution
        .resolve(ctx, &first, request.now, request.strong)
        .await?;
    Ok(SaleRead {
        replay,
        invoice,
        parties,
    })
}

/// A refund reads strongly, one item after the other: each key comes from the item before.
pub async fn read_refund(
    ctx: &AppContext,
    request: &Request<'_>,
    input: &RefundInput,
) -> Result<RefundRead, DomainError> {
    let store = ctx.store.as_ref();
    if let Some(key) = request.key {
        let replay = idempotency::replay(store, request.program, key, request.now).await?;
        if replay.is_some() {
            return Ok(RefundRead {
                replay,
                ..Default::default()
            });
        }
    }
    let Some(claim) = records::find_invoice(store, request.program, &input.invoice_id).await?
    else {
        return Ok(RefundRead::default());
    };
    let sale = records::find_sale(store, &claim.sale_id)
        .await?
        .filter(|sale| sale.program_id == *request.program);
    let commission = match sale.as_ref().and_then(|sale| sale.commission_id.as_ref()) {
        Some(id) => find_commission(store, request.program, id).await?,
        None => None,
    };
    Ok(RefundRead {
        replay: None,
        sale,
        commission,
    })
}

/// The response stored under the request's key, from the record as read.
fn replay_in(
    request: &Request<'_>,
    record: Option<&crate::store::Item>,
) -> Result<Option<Value>, DomainError> {
    match request.key {
        Some(key) => idempotency::replay_of(record, key, request.now),
        None => Ok(None),
    }
}
