//! The items of leads, sales and commissions, and the claims that make tracking idempotent.

use crate::layout;
use crate::model::{Lead, Sale};
use crate::store::records::json_item;
use crate::store::{
    AttributeValue, Condition, Consistency, Item, ItemStore, Put, StoreError, TxOp, get_s, n, s,
    schema,
};
use crate::types::{CustomerId, LinkId, PartnerId, ProgramId, SaleId};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// A duplicate lead (same customer and event name) inside this window records nothing.
pub const LEAD_DEDUPE_WINDOW: time::Duration = time::Duration::days(7);

/// Lists a lead or sale under its link (gsi1) and its partner (gsi2), by time, so that their
/// counters can be recomputed from the records (`partners::repair`), and under its program
/// (gsi3, leads and sales apart) for `GET /events`.
fn index_conversion(
    item: &mut Item,
    program: &ProgramId,
    kind: layout::ConversionKind,
    link: Option<&LinkId>,
    partner: Option<&PartnerId>,
    at: OffsetDateTime,
    id: &str,
) {
    let sort = layout::time_sk(at, id);
    item.insert(
        schema::GSI3.pk.into(),
        s(layout::program_conversions_index_pk(program, kind)),
    );
    item.insert(schema::GSI3.sk.into(), s(sort.clone()));
    if let Some(link) = link {
        item.insert(
            schema::GSI1.pk.into(),
            s(layout::link_conversions_index_pk(program, link)),
        );
        item.insert(schema::GSI1.sk.into(), s(sort.clone()));
    }
    if let Some(partner) = partner {
        item.insert(
            schema::GSI2.pk.into(),
            s(layout::partner_conversions_index_pk(program, partner)),
        );
        item.insert(schema::GSI2.sk.into(), s(sort));
    }
}

pub fn insert_lead(lead: &Lead) -> Result<TxOp, StoreError> {
    let mut item = json_item(&layout::lead(&lead.id), lead, 1)?;
    index_conversion(
        &mut item,
        &lead.program_id,
        layout::ConversionKind::Lead,
        lead.link_id.as_ref(),
        lead.partner_id.as_ref(),
        lead.timestamp,
        lead.id.as_str(),
    );
    Ok(TxOp::Put(Put {
        item,
        condition: Some(Condition::NotExists),
    }))
}

fn sale_item(sale: &Sale) -> Result<Item, StoreError> {
    let mut item = json_item(&layout::sale(&sale.id), sale, sale.version)?;
    index_conversion(
        &mut item,
        &sale.program_id,
        layout::ConversionKind::Sale,
        sale.link_id.as_ref(),
        sale.partner_id.as_ref(),
        sale.timestamp,
        sale.id.as_str(),
    );
    Ok(item)
}

pub fn insert_sale(sale: &Sale) -> Result<TxOp, StoreError> {
    Ok(TxOp::Put(Put {
        item: sale_item(sale)?,
        condition: Some(Condition::NotExists),
    }))
}

/// Writes a changed sale read at `read_version`.
pub fn replace_sale(sale: &Sale, read_version: u64) -> Result<TxOp, StoreError> {
    Ok(TxOp::Put(Put {
        item: sale_item(sale)?,
        condition: Some(Condition::version(read_version)),
    }))
}

pub async fn find_sale(store: &dyn ItemStore, id: &SaleId) -> Result<Option<Sale>, StoreError> {
    crate::store::records::read_json(store, &layout::sale(id)).await
}

/// The claim of an invoice id, holding the sale and the response the first request got.
pub fn invoice_claim(
    program: &ProgramId,
    invoice_id: &str,
    sale: &SaleId,
    response: &impl serde::Serialize,
) -> TxOp {
    let mut item = layout::invoice_claim(program, invoice_id).to_item();
    item.insert("saleId".into(), s(sale.as_str()));
    item.insert(
        "response".into(),
        s(crate::idempotency::stored_text(response)),
    );
    TxOp::Put(Put {
        item,
        condition: Some(Condition::NotExists),
    })
}

/// What an invoice claim holds.
pub struct InvoiceClaim {
    pub sale_id: SaleId,
    pub response: serde_json::Value,
}

pub async fn find_invoice(
    store: &dyn ItemStore,
    program: &ProgramId,
    invoice_id: &str,
) -> Result<Option<InvoiceClaim>, StoreError> {
    store
        .get(
            &layout::invoice_claim(program, invoice_id),
            Consistency::Strong,
        )
        .await?
        .as_ref()
        .map(invoice_claim_of)
        .transpose()
}

/// What an invoice claim's item holds.
pub fn invoice_claim_of(item: &Item) -> Result<InvoiceClaim, StoreError> {
    let sale_id = get_s(item, "saleId")
        .and_then(|id| SaleId::parse(id).ok())
        .ok_or_else(|| StoreError::Validation("invoice claim without sale".into()))?;
    let response = serde_json::from_str(get_s(item, "response").unwrap_or("null"))
        .map_err(StoreError::engine)?;
    Ok(InvoiceClaim { sale_id, response })
}

/// The claim of a customer's lead of one event name: written if absent or older than the
/// dedupe window, so that of two duplicates inside the window only one records anything.
pub fn lead_dedupe_claim(
    program: &ProgramId,
    customer: &CustomerId,
    event_name: &str,
    now: OffsetDateTime,
) -> TxOp {
    let event_hash = hex::encode(Sha256::digest(event_name.as_bytes()));
    let mut item = layout::lead_dedupe_claim(program, customer, &event_hash).to_item();
    let expires = (now + LEAD_DEDUPE_WINDOW).unix_timestamp();
    item.insert("expiresAt".into(), n(expires));
    item.insert(schema::TTL.into(), n(expires));
    TxOp::Put(Put {
        item,
        condition: Some(Condition::Or(vec![
            Condition::NotExists,
            Condition::LessOrEqual(
                "expiresAt".into(),
                AttributeValue::N(now.unix_timestamp().to_string()),
            ),
        ])),
    })
}
