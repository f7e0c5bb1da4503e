//! The local stack as people leave it running, at scale: what an idle stack costs, its memory,
//! its file against its data, the speed of `GET /partners`, and how long a start and a stop take.
//!
//! `cargo run --release -p integration-tests --bin local_stack_report -- <local-stack binary>...`
//!
//! For each binary given (for example `target/debug/local-stack` and
//! `target/release/local-stack`): a fresh data directory; a first start makes the demo program,
//! SIGTERM stops it; `PARTNERS` partners (default 25,000) with one link each are written into its
//! store; then a second start (time until it answers), `IDLE_SECONDS` (default 30) with no request
//! (CPU used, resident memory), `GET /partners?pageSize=50` (p50 of 20 after one warm-up), the
//! store file as seeded and once the start compacted it, and a SIGTERM stop.

use integration_tests::partner_seed::seed;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the stack and waits until it announces its address; returns it with the start time.
fn start(binary: &Path, data_dir: &Path) -> (Child, String, Duration) {
    let started = Instant::now();
    let mut child = Command::new(binary)
        .env("PARTNERLINE_DATA_DIR", data_dir)
        .env("PARTNERLINE_PORT", free_port().to_string())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the local stack");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("the stack exited").unwrap();
        if let Some(url) = line.strip_prefix("Partnerline local stack on ") {
            break url.trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, base, started.elapsed())
}

fn stop(mut child: Child) -> Duration {
    let started = Instant::now();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "the stack did not stop cleanly: {status}");
    started.elapsed()
}

/// (user + system CPU seconds, resident KB) of a process, from /proc.
fn usage(pid: u32) -> (f64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat.rsplit_once(") ").unwrap().1.split(' ').collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    let tick_rate: f64 = String::from_utf8(
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .parse()
    .unwrap();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let rss = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0);
    (ticks / tick_rate, rss)
}

/// One GET; returns its latency and status.
fn get(base: &str, path: &str, key: &str) -> (Duration, u16) {
    let address = base.trim_start_matches("http://");
    let started = Instant::now();
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let status = String::from_utf8_lossy(&response[9..12]).parse().unwrap();
    (started.elapsed(), status)
}

/// Writes the partners into the stopped stack's store.
async fn seed_partners(data_dir: &Path, program: &str, partners: usize) {
    let store = shared::store::embedded::EmbeddedStore::open(data_dir.join("store.redb")).unwrap();
    let id = shared::types::ProgramId::parse(program).unwrap();
    let program = shared::programs::find_program(&store, &id)
        .await
        .unwrap()
        .expect("the demo program");
    seed(&store, &program, partners).await;
}

fn file_mb(data_dir: &Path) -> u64 {
    std::fs::metadata(data_dir.join("store.redb"))
        .unwrap()
        .len()
        / 1_000_000
}

/// The report prints its table: that is its output.
#[allow(clippy::print_stdout)]
async fn report(binary: &Path, partners: usize, idle: Duration) {
    let data_dir: PathBuf =
        std::env::temp_dir().join(format!("partnerline-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let (first, _, _) = start(binary, &data_dir);
    stop(first);
    let demo: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data_dir.join("demo.json")).unwrap())
            .unwrap();
    let (program, key) = (
        demo["programId"].as_str().unwrap(),
        demo["apiKey"].as_str().unwrap(),
    );
    seed_partners(&data_dir, program, partners).await;
    let seeded = file_mb(&data_dir);
    let (child, base, start_time) = start(binary, &data_dir);
    let opened = file_mb(&data_dir);
    let pid = child.id();
    let (cpu_before, _) = usage(pid);
    std::thread::sleep(idle);
    let (cpu_after, idle_rss) = usage(pid);
    let idle_cpu = 100.0 * (cpu_after - cpu_before) / idle.as_secs_f64();
    let path = "/partners?pageSize=50";
    assert_eq!(get(&base, path, key).1, 200);
    let mut times: Vec<Duration> = (0..20).map(|_| get(&base, path, key).0).collect();
    times.sort();
    let (_, busy_rss) = usage(pid);
    let stop_time = stop(child);
    println!(
        "| {} | {partners} | {:.1} s | {idle_cpu:.2} % | {} MB | {} MB | {:.1} ms | {seeded} MB | {opened} MB | {:.2} s |",
        binary.display(),
        start_time.as_secs_f64(),
        idle_rss / 1_024,
        busy_rss / 1_024,
        times[times.len() / 2].as_secs_f64() * 1_000.0,
        stop_time.as_secs_f64(),
    );
    let _ = std::fs::remove_dir_all(&data_dir);
}

#[allow(clippy::print_stdout)]
#[tokio::main]
async fn main() {
    let binaries: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    assert!(
        !binaries.is_empty(),
        "usage: local_stack_report <local-stack binary>..."
    );
    let partners = setting("PARTNERS", 25_000) as usize;
    let idle = Duration::from_secs(setting("IDLE_SECONDS", 30));
    println!(
        "| binary | partners | start | idle CPU (of a core) | idle RSS | RSS after GET /partners | GET /partners?pageSize=50 p50 | store file as seeded | store file once started (compacted) | stop (SIGTERM) |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for binary in &binaries {
        report(binary, partners, idle).await;
    }
}
