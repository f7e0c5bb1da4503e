//! The in-process stand-ins for what AWS runs on triggers: the outbox relay (stream and
//! schedule), TTL expiry, the click folds' schedule, and the SQS consumers (webhook fan-out
//! and delivery, the click aggregator) polling the embedded queues with the functions' own
//! handlers.

use crate::stack::Stack;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use shared::queue::MessageQueue;
use shared::queue::embedded::EmbeddedQueue;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

const RELAY_EVERY: Duration = Duration::from_millis(200);
const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// Commits after which the sweep compacts the store's file (about 0.5 s per 100 MB of data,
/// writes waiting meanwhile; see `EmbeddedStore::compact_if_grown`).
const COMPACT_AFTER_COMMITS: u64 = 10_000;
const MATURE_EVERY: Duration = Duration::from_secs(60);
const POLL_WAIT: Duration = Duration::from_secs(1);
/// How often buffered clicks are checked for age (Lambda checks at each request instead).
const CLICK_FLUSH_EVERY: Duration = Duration::from_secs(1);
/// The click folds' schedule (10 minutes deployed): the local stack folds at every
/// consumption, so this only resumes a fold that stopped half-way.
const CLICK_FOLD_EVERY: Duration = Duration::from_secs(60);

/// How long the background work may take to finish at stop. Past it the rest is dropped:
/// a message being handled stays on its queue (redelivered at the next start), and the store
/// and the queues are durable at every commit.
const STOP_WITHIN: Duration = Duration::from_secs(10);

pub struct Workers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Workers {
    /// Sends the redirect's buffered clicks to the click queue first (they are the only state
    /// kept in memory), then lets every worker finish its last run, within [`STOP_WITHIN`].
    pub async fn stop(self, stack: &Stack) {
        if let Err(error) = stack.redirector.flush(true).await {
            tracing::warn!(%error, "click flush at stop failed; those clicks are lost");
        }
        let _ = self.stop.send(true);
        let aborts: Vec<_> = self.tasks.iter().map(JoinHandle::abort_handle).collect();
        let finished = tokio::time::timeout(STOP_WITHIN, async {
            for task in self.tasks {
                let _ = task.await;
            }
        })
        .await;
        if finished.is_err() {
            tracing::warn!(
                seconds = STOP_WITHIN.as_secs(),
                "background work still running at stop: left for the next start"
            );
            aborts.iter().for_each(tokio::task::AbortHandle::abort);
        }
    }
}

pub fn spawn(stack: Stack) -> Workers {
    let (stop, stopped) = watch::channel(false);
    let relay = {
        let stack = stack.clone();
        every(RELAY_EVERY, stopped.clone(), move || {
            let stack = stack.clone();
            async move {
                if let Err(error) =
                    outbox_relay::handle(&stack.relay, serde_json::Value::Null).await
                {
                    tracing::warn!(%error, "outbox relay failed; retrying");
                }
            }
        })
    };
    let fanout = {
        let stack = stack.clone();
        consume(stack.events.clone(), stopped.clone(), move |event| {
            let services = stack.webhooks.clone();
            async move { webhook_fanout::handle(&services, event).await }
        })
    };
    let delivery = {
        let stack = stack.clone();
        consume(stack.deliveries.clone(), stopped.clone(), move |event| {
            let services = stack.webhooks.clone();
            async move { webhook_delivery::handle(&services, event).await }
        })
    };
    let maturation = {
        let stack = stack.clone();
        every(MATURE_EVERY, stopped.clone(), move || {
            let stack = stack.clone();
            async move {
                if let Err(error) =
                    commission_maturation::handle(&stack.ctx, serde_json::Value::Null).await
                {
                    tracing::warn!(%error, "commission maturation failed; retrying");
                }
            }
        })
    };
    // The redirect's buffered clicks: sent when old, and all of them on the last run at stop
    // (as the Lambda's SHUTDOWN does).
    let click_flush = {
        let redirector = stack.redirector.clone();
        let stopping = stopped.clone();
        every(CLICK_FLUSH_EVERY, stopped.clone(), move || {
            let redirector = redirector.clone();
            let everything = *stopping.borrow();
            async move {
                if let Err(error) = redirector.flush(everything).await {
                    tracing::warn!(%error, "click flush failed; the batch is kept");
                }
            }
        })
    };
    let clicks = {
        let stack = stack.clone();
        consume(stack.clicks.clone(), stopped.clone(), move |event| {
            let aggregator = stack.click_aggregator.clone();
            async move { click_aggregator::handle(&aggregator, event).await }
        })
    };
    let click_fold = {
        let stack = stack.clone();
        every(CLICK_FOLD_EVERY, stopped.clone(), move || {
            let aggregator = stack.click_aggregator.clone();
            async move {
                let schedule = serde_json::json!({"detail-type": "Scheduled Event"});
                if let Err(error) = click_aggregator::handle_event(&aggregator, schedule).await {
                    tracing::warn!(%error, "click fold failed; retrying");
                }
            }
        })
    };
    let sweep = every(SWEEP_EVERY, stopped, move || {
        let stack = stack.clone();
        async move {
            let now = stack.ctx.clock.now().unix_timestamp();
            if let Err(error) = stack.store.sweep_expired(now) {
                tracing::warn!(%error, "expiry sweep failed");
            }
            match stack.store.compact_if_grown(COMPACT_AFTER_COMMITS) {
                Ok(true) => tracing::info!("store file compacted"),
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, "store compaction failed"),
            }
        }
    });
    Workers {
        stop,
        tasks: vec![
            relay,
            fanout,
            delivery,
            maturation,
            clicks,
            click_flush,
            click_fold,
            sweep,
        ],
    }
}

fn every<F, Fut>(period: Duration, mut stopped: watch::Receiver<bool>, mut job: F) -> JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        loop {
            tokio::select! {
                _ = ticks.tick() => job().await,
                _ = stopped.changed() => break,
            }
        }
        // One last run, so nothing committed before Ctrl-C waits for the next start.
        job().await;
    })
}

/// Polls a queue as Lambda's SQS trigger does: batches of up to 10, the handler's reported
/// failures stay on the queue (redelivered after the visibility timeout), the rest is deleted.
fn consume<F, Fut>(
    queue: Arc<EmbeddedQueue>,
    mut stopped: watch::Receiver<bool>,
    handler: F,
) -> JoinHandle<()>
where
    F: Fn(SqsEvent) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = SqsBatchResponse> + Send,
{
    tokio::spawn(async move {
        loop {
            let batch = tokio::select! {
                received = queue.receive(10, POLL_WAIT) => received,
                _ = stopped.changed() => break,
            };
            let messages = match batch {
                Ok(messages) if messages.is_empty() => continue,
                Ok(messages) => messages,
                Err(error) => {
                    tracing::warn!(%error, "queue receive failed");
                    tokio::time::sleep(POLL_WAIT).await;
                    continue;
                }
            };
            let mut event = SqsEvent::default();
            event.records = messages
                .iter()
                .map(|message| {
                    let mut record = SqsMessage::default();
                    record.message_id = Some(message.message_id.clone());
                    record.receipt_handle = Some(message.receipt_handle.clone());
                    record.body = Some(message.body.clone());
                    record
                })
                .collect();
            let response = handler(event).await;
            let failed: Vec<&str> = response
                .batch_item_failures
                .iter()
                .map(|failure| failure.item_identifier.as_str())
                .collect();
            for message in &messages {
                if failed.contains(&message.message_id.as_str()) {
                    continue;
                }
                if let Err(error) = queue.delete(&message.receipt_handle).await {
                    tracing::warn!(%error, "queue delete failed");
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::clicks::ClickBatch;
    use shared::links::stats::link_stats_of;
    use shared::model::Click;
    use shared::queue::OutgoingMessage;
    use shared::store::{Consistency, ItemStore, Put};
    use shared::types::{ClickId, LinkId, ProgramId};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn clicks_sent_to_the_click_queue_are_counted_in_process() {
        let dir = std::env::temp_dir().join(format!("partnerline-clicks-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let stack = Stack::open(&dir).unwrap();
        let link = LinkId::parse("link_local").unwrap();
        let key = shared::layout::link(&link);
        stack
            .store
            .put(Put {
                item: key.to_item(),
                condition: None,
            })
            .await
            .unwrap();
        let click = Click {
            id: ClickId::parse("clk_local").unwrap(),
            timestamp: time::OffsetDateTime::now_utc(),
            link_id: link,
            partner_id: None,
            program_id: ProgramId::parse("prog_local").unwrap(),
            country: None,
            device: "Desktop".into(),
            browser: "Firefox".into(),
            os: "Linux".into(),
            referer: None,
            qr: false,
        };
        let batch = ClickBatch {
            batch_id: "cb_local".into(),
            clicks: vec![click.clone(), click],
        };
        stack
            .clicks
            .send_batch(&[OutgoingMessage::new("0", batch.to_body())])
            .await
            .unwrap();
        let workers = spawn(stack.clone());
        let mut clicks = 0;
        for _ in 0..100 {
            let item = stack.store.get(&key, Consistency::Strong).await.unwrap();
            clicks = link_stats_of(&item.unwrap()).unwrap().clicks;
            if clicks > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        workers.stop(&stack).await;
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(clicks, 2);
    }
}
