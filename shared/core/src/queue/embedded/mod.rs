//! The embedded engine of the queue port, with SQS standard-queue semantics, optionally
//! durable in a redb file.
//!
//! [`EmbeddedQueues`] holds named queues; each [`EmbeddedQueue`] keeps its messages in memory
//! behind one lock and, when durable, writes every change through before the call returns.
//! Times use `tokio::time::Instant`, so tests may pause the clock.

mod durable;
mod ids;

use self::durable::{FileWrite, QueueFile, StoredMessage};
use crate::queue::{
    MAX_BATCH_MESSAGES, MAX_VISIBILITY, MessageQueue, OutgoingMessage, QueueError, QueueSettings,
    ReceivedMessage,
};
use async_trait::async_trait;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::Notify;
use tokio::time::Instant;

/// SQS's limit on long polling.
const MAX_WAIT: Duration = Duration::from_secs(20);

/// A set of named queues sharing one (optional) file.
pub struct EmbeddedQueues {
    queues: Mutex<HashMap<String, Arc<EmbeddedQueue>>>,
    file: Option<Arc<QueueFile>>,
    /// Message sequence numbers, unique across the hub so a message keeps its number when
    /// moved to a dead-letter queue.
    sequence: Arc<AtomicU64>,
}

impl EmbeddedQueues {
    pub fn in_memory() -> Self {
        Self {
            queues: Mutex::default(),
            file: None,
            sequence: Arc::default(),
        }
    }

    /// Queues kept in the redb file at `path`. A queue's stored messages come back when it is
    /// created again with [`EmbeddedQueues::create`]; messages that were in flight are visible.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, QueueError> {
        let (file, highest) = QueueFile::open(path.as_ref())?;
        Ok(Self {
            queues: Mutex::default(),
            file: Some(Arc::new(file)),
            sequence: Arc::new(AtomicU64::new(highest)),
        })
    }

    /// Creates the queue, or returns the existing one of that name with the new settings.
    /// A dead-letter queue named in the settings must already exist.
    pub fn create(
        &self,
        name: &str,
        settings: QueueSettings,
    ) -> Result<Arc<EmbeddedQueue>, QueueError> {
        crate::queue::rules::queue_name(name)?;
        let mut queues = self.queues.lock().unwrap_or_else(PoisonError::into_inner);
        let config = QueueConfig::resolve(&settings, &queues)?;
        if let Some(queue) = queues.get(name) {
            queue.lock().config = config;
            return Ok(Arc::clone(queue));
        }
        let queue = Arc::new(EmbeddedQueue {
            name: name.to_owned(),
            token: ids::random_id()?,
            state: Mutex::new(QueueState {
                config,
                messages: self.load(name)?,
            }),
            arrivals: Notify::new(),
            file: self.file.clone(),
            sequence: Arc::clone(&self.sequence),
        });
        queues.insert(name.to_owned(), Arc::clone(&queue));
        Ok(queue)
    }

    pub fn get(&self, name: &str) -> Option<Arc<EmbeddedQueue>> {
        let queues = self.queues.lock().unwrap_or_else(PoisonError::into_inner);
        queues.get(name).cloned()
    }

    fn load(&self, name: &str) -> Result<BTreeMap<u64, Message>, QueueError> {
        let Some(file) = &self.file else {
            return Ok(BTreeMap::new());
        };
        let now = Instant::now();
        let now_ms = epoch_ms();
        Ok(file
            .load(name)?
            .into_iter()
            .map(|(sequence, stored)| {
                let delay = Duration::from_millis(stored.delayed_until_ms.saturating_sub(now_ms));
                (sequence, Message::new(stored, now + delay))
            })
            .collect())
    }
}

/// A queue's settings with the dead-letter queue resolved.
struct QueueConfig {
    visibility_timeout: Duration,
    redrive: Option<Redrive>,
}

#[derive(Clone)]
struct Redrive {
    max_receive_count: u32,
    dead_letter: Arc<EmbeddedQueue>,
}

impl QueueConfig {
    fn resolve(
        settings: &QueueSettings,
        queues: &HashMap<String, Arc<EmbeddedQueue>>,
    ) -> Result<Self, QueueError> {
        if settings.visibility_timeout > MAX_VISIBILITY {
            return Err(QueueError::Validation(
                "the visibility timeout is over 12 hours".into(),
            ));
        }
        let redrive = match (settings.max_receive_count, &settings.dead_letter_queue) {
            (None, None) => None,
            (Some(max_receive_count @ 1..), Some(name)) => Some(Redrive {
                max_receive_count,
                dead_letter: queues.get(name).cloned().ok_or_else(|| {
                    QueueError::Validation(format!("dead-letter queue {name} does not exist"))
                })?,
            }),
            _ => {
                return Err(QueueError::Validation(
                    "a redrive policy needs both a max receive count >= 1 and a dead-letter queue"
                        .into(),
                ));
            }
        };
        Ok(Self {
            visibility_timeout: settings.visibility_timeout,
            redrive,
        })
    }
}

struct Message {
    stored: StoredMessage,
    /// Before this instant the message is delayed or in flight.
    visible_at: Instant,
    /// Every receipt handle issued for it; the last one is current.
    handles: Vec<String>,
}

impl Message {
    fn new(stored: StoredMessage, visible_at: Instant) -> Self {
        Self {
            stored,
            visible_at,
            handles: Vec::new(),
        }
    }
}

struct QueueState {
    config: QueueConfig,
    /// Messages by sequence number: oldest first.
    messages: BTreeMap<u64, Message>,
}

pub struct EmbeddedQueue {
    name: String,
    /// Random per queue instance, so handles of other queues are recognised as foreign.
    token: String,
    state: Mutex<QueueState>,
    /// Woken whenever a message may have become visible.
    arrivals: Notify,
    file: Option<Arc<QueueFile>>,
    sequence: Arc<AtomicU64>,
}

/// What one receive attempt got.
struct Take {
    received: Vec<ReceivedMessage>,
    /// When the next hidden message becomes visible.
    next_visible: Option<Instant>,
}

impl EmbeddedQueue {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Messages in the queue: visible, in flight and delayed.
    pub fn approximate_len(&self) -> usize {
        self.lock().messages.len()
    }

    // No code under the lock panics halfway through a change.
    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn persist(&self, writes: &[FileWrite<'_>]) -> Result<(), QueueError> {
        match &self.file {
            Some(file) => file.write(writes),
            None => Ok(()),
        }
    }

    /// Receives up to `max` visible messages, moving those past their receive limit to the
    /// dead-letter queue.
    fn take_visible(&self, max: usize) -> Result<Take, QueueError> {
        let mut state = self.lock();
        let now = Instant::now();
        let visibility = state.config.visibility_timeout;
        let redrive = state.config.redrive.clone();
        let mut deliver = Vec::new();
        let mut dead = Vec::new();
        for (sequence, message) in &state.messages {
            if deliver.len() == max {
                break;
            }
            if message.visible_at > now {
                continue;
            }
            let exhausted = redrive
                .as_ref()
                .is_some_and(|redrive| message.stored.receive_count >= redrive.max_receive_count);
            if exhausted {
                dead.push(*sequence);
            } else {
                deliver.push((*sequence, ids::receipt_handle(&self.token, *sequence)?));
            }
        }

        let mut writes = Vec::new();
        for (sequence, _) in &deliver {
            let mut stored = state.messages[sequence].stored.clone();
            stored.receive_count += 1;
            writes.push(FileWrite::Put {
                queue: &self.name,
                sequence: *sequence,
                message: stored,
            });
        }
        if let Some(redrive) = &redrive {
            for sequence in &dead {
                writes.push(FileWrite::Remove {
                    queue: &self.name,
                    sequence: *sequence,
                });
                writes.push(FileWrite::Put {
                    queue: &redrive.dead_letter.name,
                    sequence: *sequence,
                    message: state.messages[sequence].stored.clone(),
                });
            }
        }
        self.persist(&writes)?;

        let mut received = Vec::with_capacity(deliver.len());
        for (sequence, handle) in deliver {
            let message = state.messages.get_mut(&sequence).expect("chosen above");
            message.stored.receive_count += 1;
            message.visible_at = now + visibility;
            message.handles.push(handle.clone());
            received.push(ReceivedMessage {
                message_id: message.stored.id.clone(),
                receipt_handle: handle,
                body: message.stored.body.clone(),
                receive_count: message.stored.receive_count,
            });
        }
        let moved: Vec<(u64, StoredMessage)> = dead
            .into_iter()
            .filter_map(|sequence| Some((sequence, state.messages.remove(&sequence)?.stored)))
            .collect();
        let next_visible = state
            .messages
            .values()
            .map(|message| message.visible_at)
            .filter(|at| *at > now)
            .min();
        drop(state);

        if let Some(redrive) = redrive.filter(|_| !moved.is_empty()) {
            redrive.dead_letter.accept_dead_letters(moved);
        }
        Ok(Take {
            received,
            next_visible,
        })
    }

    /// Takes messages moved here from a source queue (already persisted under this queue).
    fn accept_dead_letters(&self, moved: Vec<(u64, StoredMessage)>) {
        let now = Instant::now();
        let mut state = self.lock();
        for (sequence, stored) in moved {
            state.messages.insert(sequence, Message::new(stored, now));
        }
        drop(state);
        self.arrivals.notify_waiters();
    }
}

fn epoch_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as u64)
}

#[async_trait]
impl MessageQueue for EmbeddedQueue {
    async fn send_batch(&self, messages: &[OutgoingMessage]) -> Result<Vec<String>, QueueError> {
        crate::queue::rules::batch(messages)?;
        let now = Instant::now();
        let now_ms = epoch_ms();
        let mut accepted = Vec::with_capacity(messages.len());
        for outgoing in messages {
            let sequence = self.sequence.fetch_add(1, Ordering::Relaxed) + 1;
            let stored = StoredMessage {
                id: ids::random_id()?,
                body: outgoing.body.clone(),
                receive_count: 0,
                delayed_until_ms: now_ms + outgoing.delay.as_millis() as u64,
            };
            accepted.push((sequence, stored, now + outgoing.delay));
        }
        let writes: Vec<FileWrite<'_>> = accepted
            .iter()
            .map(|(sequence, stored, _)| FileWrite::Put {
                queue: &self.name,
                sequence: *sequence,
                message: stored.clone(),
            })
            .collect();
        self.persist(&writes)?;
        let mut state = self.lock();
        for (sequence, stored, visible_at) in accepted {
            state
                .messages
                .insert(sequence, Message::new(stored, visible_at));
        }
        drop(state);
        self.arrivals.notify_waiters();
        Ok(Vec::new())
    }

    async fn receive(&self, max: u32, wait: Duration) -> Result<Vec<ReceivedMessage>, QueueError> {
        if !(1..=MAX_BATCH_MESSAGES as u32).contains(&max) {
            return Err(QueueError::Validation(format!(
                "receive takes 1 to {MAX_BATCH_MESSAGES} messages, not {max}"
            )));
        }
        if wait > MAX_WAIT {
            return Err(QueueError::Validation(
                "long polling waits at most 20 s".into(),
            ));
        }
        let deadline = Instant::now() + wait;
        loop {
            // Registered before looking, so a send between the look and the wait still wakes us.
            let arrival = self.arrivals.notified();
            tokio::pin!(arrival);
            arrival.as_mut().enable();
            let take = self.take_visible(max as usize)?;
            if !take.received.is_empty() || Instant::now() >= deadline {
                return Ok(take.received);
            }
            let wake = take.next_visible.map_or(deadline, |at| at.min(deadline));
            tokio::select! {
                () = &mut arrival => {}
                () = tokio::time::sleep_until(wake) => {}
            }
        }
    }

    /// Any handle issued for a message still queued deletes it; a handle of a message already
    /// deleted is accepted, as in SQS.
    async fn delete(&self, receipt_handle: &str) -> Result<(), QueueError> {
        let sequence = ids::parse_receipt_handle(&self.token, receipt_handle)?;
        let mut state = self.lock();
        let Some(message) = state.messages.get(&sequence) else {
            return Ok(());
        };
        if !message
            .handles
            .iter()
            .any(|handle| handle == receipt_handle)
        {
            return Err(QueueError::Validation(
                "the receipt handle was never issued".into(),
            ));
        }
        self.persist(&[FileWrite::Remove {
            queue: &self.name,
            sequence,
        }])?;
        state.messages.remove(&sequence);
        Ok(())
    }

    async fn change_visibility(
        &self,
        receipt_handle: &str,
        timeout: Duration,
    ) -> Result<(), QueueError> {
        if timeout > MAX_VISIBILITY {
            return Err(QueueError::Validation(
                "the visibility timeout is over 12 hours".into(),
            ));
        }
        let sequence = ids::parse_receipt_handle(&self.token, receipt_handle)?;
        let mut state = self.lock();
        let message = state.messages.get_mut(&sequence).ok_or_else(|| {
            QueueError::Validation("the message is no longer in the queue".into())
        })?;
        if message.handles.last().map(String::as_str) != Some(receipt_handle) {
            return Err(QueueError::Validation(
                "the receipt handle is not the message's latest".into(),
            ));
        }
        message.visible_at = Instant::now() + timeout;
        drop(state);
        // Waiters recompute when to look again.
        self.arrivals.notify_waiters();
        Ok(())
    }
}
