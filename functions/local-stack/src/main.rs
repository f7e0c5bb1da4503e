//! The local stack: `cargo run -p local-stack`. Serves every HTTP function on one port over the
//! embedded engines (data kept in a directory across restarts) and runs the queue consumers
//! in-process.

mod background;
mod demo;
mod demo_setup;
mod front_page;
#[cfg(test)]
mod openapi;
mod server;
mod stack;

use std::net::SocketAddr;
use std::path::PathBuf;

#[tokio::main]
async fn main() {
    init_logs();
    if let Err(error) = run().await {
        eprintln!("local stack failed: {error}");
        std::process::exit(1);
    }
}

/// Logs to stdout: compact text, coloured only on a terminal (a redirected log stays plain), or
/// JSON lines with `PARTNERLINE_LOG_FORMAT=json`. `RUST_LOG` filters (default `info`).
fn init_logs() {
    use std::io::IsTerminal;
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if std::env::var("PARTNERLINE_LOG_FORMAT").is_ok_and(|format| format == "json") {
        logs.json().init();
    } else {
        logs.with_ansi(std::io::stdout().is_terminal())
            .compact()
            .init();
    }
}

async fn run() -> Result<(), String> {
    let port: u16 = std::env::var("PARTNERLINE_PORT")
        .unwrap_or_else(|_| "3000".into())
        .parse()
        .map_err(|_| "PARTNERLINE_PORT must be a port number".to_string())?;
    let data_dir = PathBuf::from(
        std::env::var("PARTNERLINE_DATA_DIR").unwrap_or_else(|_| ".local-stack".into()),
    );
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let base_url = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );

    let stack = stack::Stack::open(&data_dir)?;
    let demo = demo::ensure_demo(&stack, &data_dir, &base_url).await?;
    demo::announce(&demo, &data_dir, &base_url);

    let mut signals = Signals::listen()?;
    let workers = background::spawn(stack.clone());
    let stop = signals.first();
    server::serve(listener, stack.clone(), stop).await;
    // Stopped accepting, requests in flight drained: what remains is the background work.
    tokio::spawn(signals.second_exits_at_once());
    workers.stop(&stack).await;
    tracing::info!("local stack stopped");
    Ok(())
}

/// SIGINT (Ctrl-C) and SIGTERM (`kill`, systemd, Docker, CI) run the same graceful stop; a
/// second signal while it runs exits at once.
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn listen() -> Result<Self, String> {
        use tokio::signal::unix::{SignalKind, signal};
        let listen = |kind| signal(kind).map_err(|e| format!("cannot listen for signals: {e}"));
        Ok(Self {
            interrupt: listen(SignalKind::interrupt())?,
            terminate: listen(SignalKind::terminate())?,
        })
    }

    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }

    /// Resolves at the first signal, logging the stop.
    async fn first(&mut self) {
        let signal = self.next().await;
        tracing::info!(
            signal,
            "stopping: no new requests; draining, then flushing clicks and queues"
        );
    }

    async fn second_exits_at_once(mut self) {
        let signal = self.next().await;
        tracing::warn!(signal, "second signal: exiting without finishing the stop");
        std::process::exit(130);
    }
}
