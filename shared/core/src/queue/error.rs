#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The request breaks a rule of the queue (batch too large, bad delay, unknown receipt).
    #[error("invalid queue request: {0}")]
    Validation(String),
    /// Some entries were still refused after retries; their entry ids.
    #[error("{} message(s) could not be sent", .0.len())]
    PartialFailure(Vec<String>),
    /// Any other failure of the engine (network, service error).
    #[error("queue engine failure: {0}")]
    Engine(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl QueueError {
    pub fn engine(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        QueueError::Engine(Box::new(error))
    }
}
