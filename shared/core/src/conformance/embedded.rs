//! The embedded queue hub as a [`QueueFactory`].

use super::{QueueFactory, unique};
use crate::queue::embedded::EmbeddedQueues;
use crate::queue::{MessageQueue, QueueSettings};
use async_trait::async_trait;
use std::sync::Arc;

#[async_trait]
impl QueueFactory for EmbeddedQueues {
    async fn create(
        &self,
        mut settings: QueueSettings,
    ) -> (Arc<dyn MessageQueue>, Option<Arc<dyn MessageQueue>>) {
        let name = unique("queue");
        let dead_letters = match settings.max_receive_count {
            Some(_) => {
                let dead_name = format!("{name}-dlq");
                let dead = EmbeddedQueues::create(self, &dead_name, QueueSettings::default())
                    .expect("create the dead-letter queue");
                settings.dead_letter_queue = Some(dead_name);
                Some(dead as Arc<dyn MessageQueue>)
            }
            None => None,
        };
        let queue = EmbeddedQueues::create(self, &name, settings).expect("create the queue");
        (queue, dead_letters)
    }
}
