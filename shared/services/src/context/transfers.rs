//! The payout rail's port: one transfer of a payout to a partner's connected account. The
//! context holds a sender (`payouts::transfers::StripeTransfers` in production, a fake in
//! tests); the payout use cases decide when to send.

use crate::model::Payout;
use crate::types::{Currency, PayoutId};
use async_trait::async_trait;

/// One transfer to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRequest {
    pub payout_id: PayoutId,
    /// Minor units, as Stripe takes them.
    pub amount: i64,
    pub currency: Currency,
    /// The partner's connected account (`acct_...`).
    pub destination: String,
    pub description: Option<String>,
    /// The run the payout was made in.
    pub transfer_group: String,
}

impl TransferRequest {
    pub fn of(payout: &Payout, destination: &str) -> Self {
        Self {
            payout_id: payout.id.clone(),
            amount: payout.amount,
            currency: payout.currency,
            destination: destination.to_owned(),
            description: payout.description.clone(),
            transfer_group: payout.run_id.clone(),
        }
    }

    pub fn idempotency_key(&self) -> String {
        format!("partnerline-payout-{}", self.payout_id)
    }

    /// The form Stripe's API takes.
    pub fn form(&self) -> String {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("amount", &self.amount.to_string());
        form.append_pair("currency", self.currency.code());
        form.append_pair("destination", &self.destination);
        form.append_pair("transfer_group", &self.transfer_group);
        form.append_pair("metadata[payoutId]", self.payout_id.as_str());
        if let Some(description) = &self.description {
            form.append_pair("description", description);
        }
        form.finish()
    }
}

/// What Stripe answered for a transfer (the fields used here).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Transfer {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub destination: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransferError {
    /// A final answer (a 4xx other than 429): the payout failed.
    #[error("Stripe refused the transfer: {message}")]
    Refused {
        code: Option<String>,
        message: String,
    },
    /// No answer, a 429 or a 5xx: sending again is safe (the same idempotency key).
    #[error("Stripe could not be reached: {0}")]
    Unreachable(String),
}

/// The payout rail that makes transfers.
#[async_trait]
pub trait TransferSender: Send + Sync {
    async fn transfer(&self, request: &TransferRequest) -> Result<Transfer, TransferError>;
}
