//! Stripe Connect: a payout paid as one transfer to the partner's connected account
//! (`POST /v1/transfers`), from the business's own Stripe balance: no fee is added here.
//!
//! Exactly once: the transfer carries the `Idempotency-Key` `partnerline-payout-{payoutId}`,
//! so a send that is retried (a timeout, a crash before the answer was recorded, a second
//! request) gets the first transfer back from Stripe instead of a second one. Stripe keeps
//! idempotency keys for 24 hours; the payout stays `processing` until a send is answered.

pub use crate::context::{Transfer, TransferError, TransferRequest, TransferSender};
use crate::model::{Payout, PayoutStatus};

use async_trait::async_trait;
use std::time::Duration;

/// Stripe's API over reqwest.
pub struct StripeTransfers {
    client: reqwest::Client,
    base_url: String,
    secret_key: String,
}

impl StripeTransfers {
    /// `base_url` is `https://api.stripe.com` in production.
    pub fn new(base_url: &str, secret_key: &str) -> Result<Self, String> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .user_agent("Partnerline-Payouts/1")
            .build()
            .map_err(|error| error.to_string())?;
        Ok(Self {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            secret_key: secret_key.to_owned(),
        })
    }

    /// From `STRIPE_SECRET_KEY` (and `STRIPE_API_BASE`, for tests); `None` without a key.
    pub fn from_env() -> Option<Self> {
        let key = std::env::var("STRIPE_SECRET_KEY")
            .ok()
            .filter(|k| !k.is_empty())?;
        let base =
            std::env::var("STRIPE_API_BASE").unwrap_or_else(|_| "https://api.stripe.com".into());
        match Self::new(&base, &key) {
            Ok(sender) => Some(sender),
            Err(error) => {
                tracing::warn!(%error, "the Stripe client cannot be built; Connect payouts are off");
                None
            }
        }
    }
}

#[async_trait]
impl TransferSender for StripeTransfers {
    async fn transfer(&self, request: &TransferRequest) -> Result<Transfer, TransferError> {
        let response = self
            .client
            .post(format!("{}/v1/transfers", self.base_url))
            .bearer_auth(&self.secret_key)
            .header("idempotency-key", request.idempotency_key())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(request.form())
            .send()
            .await
            .map_err(|error| TransferError::Unreachable(error.to_string()))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|error| TransferError::Unreachable(error.to_string()))?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|error| {
                TransferError::Unreachable(format!("an unreadable answer: {error}"))
            });
        }
        if status.is_client_error() && status.as_u16() != 429 {
            let error: StripeErrorBody = serde_json::from_slice(&body).unwrap_or_default();
            return Err(TransferError::Refused {
                code: error.error.code,
                message: error.error.message.unwrap_or_else(|| status.to_string()),
            });
        }
        Err(TransferError::Unreachable(format!(
            "Stripe answered {status}"
        )))
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct StripeErrorBody {
    #[serde(default)]
    error: StripeError,
}

#[derive(Debug, Default, serde::Deserialize)]
struct StripeError {
    code: Option<String>,
    message: Option<String>,
}

/// Whether a payout may be sent: a Connect payout that is pending, or processing after a send
/// that got no answer.
pub fn sendable(payout: &Payout) -> Result<(), String> {
    if payout.rail != crate::model::PayoutRail::Connect {
        return Err(format!(
            "This payout is paid outside (its rail is `{}`); confirm it once paid.",
            payout.rail.as_str()
        ));
    }
    match payout.status {
        PayoutStatus::Pending | PayoutStatus::Processing => Ok(()),
        other => Err(format!("This payout is already {}.", other.as_str())),
    }
}
