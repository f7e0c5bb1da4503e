//! Batch files the business uploads to its own payout provider, one row per payout:
//! - PayPal Payouts (Payouts Web): no header row; recipient (the partner's PayPal email),
//!   amount, currency, customer id (the payout id, at most 30 characters), note, wallet `PAYPAL`;
//! - Wise batch, "send by email": a header row, then name, recipient email, payment reference
//!   (the payout id), `PERSON`, the amount's currency (the target's: the partner gets the exact
//!   amount and the business pays the fees), amount, source and target currency, `EMAIL`.
//!
//! Amounts are written in major units from integer minor units with the currency's decimals
//! (`12345` USD → `123.45`, `500` JPY → `500`), never through a float. PayPal wants one currency
//! per file: an export holds the program's one currency.

use super::list::{PayoutFilter, list_payouts};
use crate::auth::Principal;
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::{Partner, Payout, PayoutStatus};
use crate::programs::caller_program_id;
use crate::types::Currency;

/// The most rows a file holds: PayPal takes 5,000 per file, Wise 1,000 per batch.
pub const MAX_ROWS: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Paypal,
    Wise,
}

/// A payout file: its name and CSV text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutFile {
    pub file_name: String,
    pub csv: String,
}

/// The file of the program's payouts with `status` (pending by default), or of one run.
pub async fn export_payouts(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    format: ExportFormat,
    status: Option<PayoutStatus>,
    run: Option<String>,
) -> Result<PayoutFile, DomainError> {
    let program = caller_program_id(principal, crate::auth::Scope::PayoutsRead)?;
    if program.as_str() != program_id {
        return Err(DomainError::not_found("Program"));
    }
    let filter = PayoutFilter {
        status: Some(status.unwrap_or(PayoutStatus::Pending)),
        invoice_id: run.clone(),
        ascending: true,
        ..Default::default()
    };
    let payouts = list_payouts(ctx, principal, filter, 1, MAX_ROWS as u32).await?;
    let rows: Vec<(&Payout, Option<&Partner>)> = payouts
        .iter()
        .map(|(p, partner)| (p, partner.as_ref()))
        .collect();
    let csv = match format {
        ExportFormat::Paypal => paypal_csv(&rows)?,
        ExportFormat::Wise => wise_csv(&rows)?,
    };
    let name = match format {
        ExportFormat::Paypal => "paypal-payouts",
        ExportFormat::Wise => "wise-batch",
    };
    Ok(PayoutFile {
        file_name: format!("{name}-{}.csv", run.as_deref().unwrap_or("payouts")),
        csv,
    })
}

/// `amount` minor units as the currency's major units, e.g. `123.45`.
pub fn major_units(amount: i64, currency: Currency) -> String {
    let digits = u32::from(currency.minor_digits());
    let sign = if amount < 0 { "-" } else { "" };
    let unsigned = amount.unsigned_abs();
    if digits == 0 {
        return format!("{sign}{unsigned}");
    }
    let scale = 10u64.pow(digits);
    format!(
        "{sign}{}.{:0width$}",
        unsigned / scale,
        unsigned % scale,
        width = digits as usize
    )
}

/// One CSV field: quoted when it holds a comma, a quote or a line break (quotes doubled). A
/// field starting with `=`, `+`, `-` or `@` is prefixed with `'` so that a spreadsheet never
/// runs a partner's name as a formula.
fn field(value: &str) -> String {
    let value = match value.chars().next() {
        Some('=' | '+' | '-' | '@') => format!("'{value}"),
        _ => value.to_owned(),
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn line(fields: &[&str]) -> String {
    let mut line = fields
        .iter()
        .map(|f| field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

fn missing(payout: &Payout, what: &str) -> DomainError {
    DomainError::Unprocessable(format!(
        "Payout {} cannot be exported: its partner has no {what}. Pay it by hand and confirm \
         it, or set the partner's {what} first.",
        payout.id
    ))
}

pub fn paypal_csv(rows: &[(&Payout, Option<&Partner>)]) -> Result<String, DomainError> {
    let mut csv = String::new();
    for (payout, partner) in rows {
        let email = partner
            .and_then(|p| {
                p.profile
                    .paypal_email
                    .clone()
                    .or(p.email.as_ref().map(|e| e.as_str().to_owned()))
            })
            .ok_or_else(|| missing(payout, "PayPal email"))?;
        let amount = major_units(payout.amount, payout.currency);
        let note = payout.description.clone().unwrap_or_default();
        let currency = payout.currency.code().to_ascii_uppercase();
        csv.push_str(&line(&[
            &email,
            &amount,
            &currency,
            payout.id.as_str(),
            &note,
            "PAYPAL",
        ]));
    }
    Ok(csv)
}

pub const WISE_HEADER: [&str; 9] = [
    "name",
    "recipientEmail",
    "paymentReference",
    "receiverType",
    "amountCurrency",
    "amount",
    "sourceCurrency",
    "targetCurrency",
    "type",
];

pub fn wise_csv(rows: &[(&Payout, Option<&Partner>)]) -> Result<String, DomainError> {
    let mut csv = line(&WISE_HEADER);
    for (payout, partner) in rows {
        let partner = partner.ok_or_else(|| missing(payout, "record"))?;
        let email = partner
            .email
            .as_ref()
            .map(|e| e.as_str().to_owned())
            .ok_or_else(|| missing(payout, "email"))?;
        let currency = payout.currency.code().to_ascii_uppercase();
        let amount = major_units(payout.amount, payout.currency);
        csv.push_str(&line(&[
            &partner.name,
            &email,
            payout.id.as_str(),
            "PERSON",
            &currency,
            &amount,
            &currency,
            &currency,
            "EMAIL",
        ]));
    }
    Ok(csv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_major_units_with_the_currencys_decimals() {
        let usd = Currency::parse("usd").unwrap();
        let jpy = Currency::parse("jpy").unwrap();
        let bhd = Currency::parse("bhd").unwrap();
        assert_eq!(major_units(12_345, usd), "123.45");
        assert_eq!(major_units(5, usd), "0.05");
        assert_eq!(major_units(0, usd), "0.00");
        assert_eq!(major_units(-150, usd), "-1.50");
        assert_eq!(major_units(500, jpy), "500");
        assert_eq!(major_units(1_234, bhd), "1.234");
        assert_eq!(major_units(i64::MIN, usd), "-92233720368547758.08");
    }

    #[test]
    fn fields_are_quoted_and_never_formulas() {
        assert_eq!(field("Jane"), "Jane");
        assert_eq!(field("Doe, Jane"), "\"Doe, Jane\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("@sum"), "'@sum");
        assert_eq!(line(&["a", "b"]), "a,b\r\n");
    }

    #[test]
    fn an_empty_batch_is_only_the_header() {
        assert_eq!(wise_csv(&[]).unwrap(), line(&WISE_HEADER));
        assert_eq!(paypal_csv(&[]).unwrap(), "");
    }
}
