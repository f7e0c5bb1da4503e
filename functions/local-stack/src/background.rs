//! The in-process stand-ins for what AWS runs on triggers: the outbox relay (stream and
//! schedule), TTL expiry.

use crate::stack::Stack;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

const RELAY_EVERY: Duration = Duration::from_millis(200);
const SWEEP_EVERY: Duration = Duration::from_secs(60);

pub struct Workers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Workers {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
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
    let sweep = every(SWEEP_EVERY, stopped, move || {
        let stack = stack.clone();
        async move {
            let now = stack.ctx.clock.now().unix_timestamp();
            if let Err(error) = stack.store.sweep_expired(now) {
                tracing::warn!(%error, "expiry sweep failed");
            }
        }
    });
    Workers {
        stop,
        tasks: vec![relay, sweep],
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
