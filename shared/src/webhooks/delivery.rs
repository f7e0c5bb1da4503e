//! The delivery worker: one attempt per deliveries-queue message.
//!
//! Exactly-once as far as we can: an attempt first claims the delivery with a conditional write
//! (pending, this attempt not yet made, no live claim), POSTs, then records the outcome under
//! the same claim. A redelivered or duplicate message for an attempt already made is dropped,
//! so a delivery that succeeded is never POSTed again. The remaining window: the process dies
//! after the receiver answered 2xx but before the outcome is written; once the claim lapses the
//! attempt is made again with the same `webhook-id`, which receivers dedupe on.

use super::endpoint_health;
use super::message::DeliveryMessage;
use super::records::{self, ATTEMPT_LOG_LIMIT};
use super::schedule;
use super::sender::{SendOutcome, WebhookRequest};
use super::services::WebhookServices;
use super::signing;
use crate::layout;
use crate::model::WebhookEndpoint;
use crate::model::{DeliveryAttempt, DeliveryState, WebhookDelivery};
use crate::queue::{QueueError, send_all};
use crate::store::{Condition, StoreError, Update, UpdateItem, n, s};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;

/// How long a claimed attempt may run before another receive may take it over: the 15 s
/// timeout plus the writes around it. The queue's visibility timeout must be longer.
pub const CLAIM_SECONDS: i64 = 60;

/// Why a message stays on the queue (reported as a batch item failure).
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("malformed delivery message: {0}")]
    Malformed(String),
    #[error("another attempt holds the delivery")]
    Claimed,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// What one attempt ended as, for the record.
enum Verdict {
    Succeeded,
    /// 410: the receiver asks us to stop.
    Gone,
    Retry(Option<std::time::Duration>),
}

impl WebhookServices {
    /// Handles a batch of deliveries-queue messages concurrently (bounded); returns the ids
    /// of the messages to leave on the queue.
    pub async fn deliver_batch(self: &Arc<Self>, messages: Vec<(String, String)>) -> Vec<String> {
        let all_ids: Vec<String> = messages.iter().map(|(id, _)| id.clone()).collect();
        let permits = Arc::new(Semaphore::new(self.concurrency.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for (message_id, body) in messages {
            let services = Arc::clone(self);
            let permits = Arc::clone(&permits);
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await.expect("never closed");
                let result = services.deliver_message(&body).await;
                if let Err(error) = &result {
                    tracing::warn!(%message_id, %error, "delivery message kept for retry");
                }
                (message_id, result.is_ok())
            });
        }
        let mut failed = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((_, true)) => {}
                Ok((message_id, false)) => failed.push(message_id),
                // A panicked attempt took its message id with it: retry the whole batch
                // (attempts already made are dropped as duplicates).
                Err(_) => return all_ids,
            }
        }
        failed
    }

    /// Handles one message. `Ok` means the message is done with and may be deleted.
    pub async fn deliver_message(&self, body: &str) -> Result<(), DeliveryError> {
        let message: DeliveryMessage =
            serde_json::from_str(body).map_err(|e| DeliveryError::Malformed(e.to_string()))?;
        let now = self.clock.now().unix_timestamp();
        if message.not_before.is_some_and(|at| at > now) {
            // Not yet: wait another hop (SQS delays at most 15 minutes).
            send_all(self.deliveries.as_ref(), &[message.outgoing("0", now)]).await?;
            return Ok(());
        }
        let Some(delivery) =
            records::find_delivery(self.store.as_ref(), &message.delivery_id).await?
        else {
            tracing::warn!(delivery = %message.delivery_id, "no such delivery; dropped");
            return Ok(());
        };
        if delivery.state != DeliveryState::Pending || delivery.attempts >= message.attempt {
            return Ok(()); // Done already, or a duplicate of an attempt already made.
        }
        if delivery.attempts + 1 != message.attempt {
            tracing::warn!(delivery = %delivery.id, "out-of-order attempt; dropped");
            return Ok(());
        }
        let endpoint = records::find_endpoint(
            self.store.as_ref(),
            &delivery.program_id,
            &delivery.endpoint_id,
        )
        .await?;
        let endpoint = match endpoint {
            Some(endpoint) if endpoint.enabled => endpoint,
            Some(_) => return self.give_up(delivery, "the endpoint is disabled").await,
            None => return self.give_up(delivery, "the endpoint was deleted").await,
        };
        let lease = self.claim(&delivery, now).await?;
        let started = Instant::now();
        let outcome = self
            .sender
            .send(self.signed_request(&endpoint, &delivery, now))
            .await;
        let latency_ms = started.elapsed().as_millis() as u64;
        let (verdict, status_code, error) = judge(outcome);
        let attempt = DeliveryAttempt {
            attempt: message.attempt,
            at: self.clock.now(),
            status_code,
            latency_ms,
            error,
        };
        self.record(delivery, endpoint, &message, lease, attempt, verdict)
            .await
    }

    fn signed_request(
        &self,
        endpoint: &WebhookEndpoint,
        delivery: &WebhookDelivery,
        now: i64,
    ) -> WebhookRequest {
        let now_time = self.clock.now();
        let mut secrets = vec![endpoint.secret.as_str()];
        if let (Some(previous), Some(until)) = (
            &endpoint.previous_secret,
            endpoint.previous_secret_expires_at,
        ) && until > now_time
        {
            secrets.push(previous);
        }
        let headers = signing::sign(
            &secrets,
            delivery.event_id.as_str(),
            now,
            delivery.body.as_bytes(),
        )
        .map(|signed| {
            signed
                .pairs()
                .into_iter()
                .map(|(name, value)| (name, value.to_owned()))
                .collect()
        })
        .unwrap_or_default();
        WebhookRequest {
            url: endpoint.url.to_string(),
            headers,
            body: bytes::Bytes::from(delivery.body.clone()),
        }
    }

    /// Takes the delivery for this attempt; fails when another live attempt holds it.
    async fn claim(&self, delivery: &WebhookDelivery, now: i64) -> Result<i64, DeliveryError> {
        let lease = now + CLAIM_SECONDS;
        let condition = Condition::equals("state", s("pending"))
            .and(Condition::equals(
                "attempts",
                n(i64::from(delivery.attempts)),
            ))
            .and(Condition::Or(vec![
                Condition::AttributeNotExists("leaseUntil".into()),
                Condition::LessThan("leaseUntil".into(), n(now)),
            ]));
        let update = UpdateItem {
            key: layout::webhook_delivery(&delivery.id),
            update: Update::new().set("leaseUntil", n(lease)),
            condition: Some(condition),
        };
        match self.store.update(update).await {
            Ok(_) => Ok(lease),
            Err(StoreError::ConditionFailed { .. }) => Err(DeliveryError::Claimed),
            Err(error) => Err(error.into()),
        }
    }

    /// Writes the attempt under the claim, then schedules the next one or settles the endpoint.
    async fn record(
        &self,
        mut delivery: WebhookDelivery,
        endpoint: WebhookEndpoint,
        message: &DeliveryMessage,
        lease: i64,
        attempt: DeliveryAttempt,
        verdict: Verdict,
    ) -> Result<(), DeliveryError> {
        let previous_attempts = delivery.attempts;
        delivery.attempts = message.attempt;
        delivery.lease_until = None;
        delivery.log.push(attempt);
        if delivery.log.len() > ATTEMPT_LOG_LIMIT {
            delivery.log.remove(0);
        }
        let mut next = None;
        delivery.next_attempt_at = None;
        delivery.state = match verdict {
            Verdict::Succeeded => DeliveryState::Succeeded,
            Verdict::Gone => DeliveryState::Failed,
            Verdict::Retry(retry_after) => {
                let delay = (!message.manual)
                    .then(|| {
                        schedule::next_delay(message.attempt, retry_after, self.random.as_ref())
                    })
                    .flatten();
                match delay {
                    Some(delay) => {
                        let at = self.clock.now() + delay;
                        delivery.next_attempt_at = Some(at);
                        next = Some(DeliveryMessage {
                            delivery_id: delivery.id.clone(),
                            attempt: message.attempt + 1,
                            // Rounded up: never earlier than the schedule says.
                            not_before: Some(at.unix_timestamp() + i64::from(at.nanosecond() > 0)),
                            manual: false,
                        });
                        DeliveryState::Pending
                    }
                    None => DeliveryState::Failed,
                }
            }
        };
        let condition = Condition::equals("attempts", n(i64::from(previous_attempts)))
            .and(Condition::equals("leaseUntil", n(lease)));
        match self
            .store
            .put(records::delivery_put(&delivery, Some(condition))?)
            .await
        {
            Ok(()) => {}
            // Our claim lapsed and another attempt took over: it records the outcome.
            Err(StoreError::ConditionFailed { .. }) => return Err(DeliveryError::Claimed),
            Err(error) => return Err(error.into()),
        }
        let now = self.clock.now().unix_timestamp();
        if let Some(next) = next {
            // If this send fails, the message stays and a later receive redoes this attempt.
            send_all(self.deliveries.as_ref(), &[next.outgoing("0", now)]).await?;
        }
        match (verdict, delivery.state) {
            (Verdict::Succeeded, _) => endpoint_health::reset_failures(self, &endpoint).await?,
            (Verdict::Gone, _) => {
                endpoint_health::disable(self, &endpoint, "the endpoint answered 410 Gone").await?
            }
            (_, DeliveryState::Failed) => endpoint_health::count_failure(self, &endpoint).await?,
            _ => {}
        }
        Ok(())
    }

    /// Ends a delivery without an attempt (its endpoint is disabled or gone).
    async fn give_up(&self, mut delivery: WebhookDelivery, why: &str) -> Result<(), DeliveryError> {
        let attempts = delivery.attempts;
        delivery.state = DeliveryState::Failed;
        delivery.next_attempt_at = None;
        delivery.log.push(DeliveryAttempt {
            attempt: attempts,
            at: self.clock.now(),
            status_code: None,
            latency_ms: 0,
            error: Some(why.into()),
        });
        if delivery.log.len() > ATTEMPT_LOG_LIMIT {
            delivery.log.remove(0);
        }
        let condition = Condition::equals("attempts", n(i64::from(attempts)))
            .and(Condition::equals("state", s("pending")));
        match self
            .store
            .put(records::delivery_put(&delivery, Some(condition))?)
            .await
        {
            Ok(()) | Err(StoreError::ConditionFailed { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}

/// Only 2xx succeeds; 410 stops; everything else (3xx included, redirects are not followed)
/// is retried on the schedule, waiting at least `Retry-After` on 429 and 5xx.
fn judge(outcome: SendOutcome) -> (Verdict, Option<u16>, Option<String>) {
    match outcome {
        SendOutcome::Answered { status, .. } if (200..300).contains(&status) => {
            (Verdict::Succeeded, Some(status), None)
        }
        SendOutcome::Answered { status: 410, .. } => {
            (Verdict::Gone, Some(410), Some("410 Gone".into()))
        }
        SendOutcome::Answered {
            status,
            retry_after,
        } => {
            let honoured = (status == 429 || status >= 500)
                .then_some(retry_after)
                .flatten();
            (
                Verdict::Retry(honoured),
                Some(status),
                Some(format!("HTTP {status}")),
            )
        }
        SendOutcome::NoAnswer(why) => (Verdict::Retry(None), None, Some(why)),
    }
}
