//! The local stack: `cargo run -p local-stack`. Serves every HTTP function on one port over the
//! embedded engines (data kept in a directory across restarts) and runs the queue consumers
//! in-process.

mod background;
mod demo;
mod demo_setup;
#[cfg(test)]
mod openapi;
mod server;
mod stack;

use std::net::SocketAddr;
use std::path::PathBuf;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_target(false)
        .compact()
        .init();
    if let Err(error) = run().await {
        eprintln!("local stack failed: {error}");
        std::process::exit(1);
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

    let shutdown = tokio_shutdown_signal();
    let workers = background::spawn(stack.clone());
    server::serve(listener, stack, shutdown).await;
    workers.stop().await;
    tracing::info!("local stack stopped");
    Ok(())
}

async fn tokio_shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}
