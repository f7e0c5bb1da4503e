//! One moto server per test binary, started on first use and stopped when the binary exits.
//!
//! Statics are never dropped, so a guard cannot stop the server. Instead moto runs under a
//! small `sh` watchdog whose stdin is a pipe from this process: when the process ends, however
//! it ends (success, panic, abort, SIGKILL), the kernel closes the pipe, the watchdog reads
//! EOF and kills moto. No orphan survives the test run.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

const HOW_TO_RUN: &str = "the engine tests need moto 5.2.5; create the venv with \
    `python3 -m venv .venv && .venv/bin/pip install 'moto[server]==5.2.5'` at the repository \
    root (or set MOTO_SERVER to a moto_server binary), or simply run `./tests/run`, which does all of it";

// `$0` is moto_server, `$1` the port, `$2` the log file. The watchdog copies stdin (fd 3)
// because background jobs of a script otherwise get /dev/null as stdin. The script itself waits
// on moto, so a moto that fails to start ends the script and is noticed. SIGKILL, because on
// SIGTERM moto exits only after its request threads (long polls) finish.
const WATCHDOG: &str = r#"
exec 3<&0
"$0" -H 127.0.0.1 -p "$1" >"$2" 2>&1 </dev/null &
server=$!
{ cat >/dev/null; kill -KILL "$server" 2>/dev/null; } <&3 3<&- &
exec 3<&-
wait "$server"
"#;

struct Server {
    endpoint: String,
    // Held only to keep the watchdog's stdin pipe open for the life of the process.
    _watchdog: Mutex<Child>,
}

static SERVER: OnceLock<Server> = OnceLock::new();

static SHARED: OnceLock<String> = OnceLock::new();

/// The endpoint URL of the moto server. `tests/run` starts one for the whole run and sets
/// `MOTO_ENDPOINT`; otherwise one is started on first call for this test binary. Panics when
/// moto is missing or the given endpoint does not answer: these tests never skip.
pub fn endpoint() -> &'static str {
    if let Some(shared) = std::env::var("MOTO_ENDPOINT")
        .ok()
        .filter(|url| !url.is_empty())
    {
        return SHARED.get_or_init(|| {
            let address = shared.trim_start_matches("http://").trim_end_matches('/');
            let reachable = address.parse::<SocketAddr>().ok().is_some_and(|socket| {
                TcpStream::connect_timeout(&socket, Duration::from_secs(2)).is_ok()
            });
            assert!(
                reachable,
                "MOTO_ENDPOINT={shared} does not answer: {HOW_TO_RUN}"
            );
            shared
        });
    }
    &SERVER.get_or_init(start).endpoint
}

fn moto_binary() -> PathBuf {
    let path = match std::env::var_os("MOTO_SERVER") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/moto_server"),
    };
    if !path.is_file() {
        panic!("moto_server not found at {}: {HOW_TO_RUN}", path.display());
    }
    path
}

/// A loopback port nobody listens on right now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("local address").port()
}

fn start() -> Server {
    let binary = moto_binary();
    let port = free_port();
    let log = std::env::temp_dir().join(format!("moto-{}-{port}.log", std::process::id()));
    let mut watchdog = Command::new("sh")
        .arg("-c")
        .arg(WATCHDOG)
        .arg(&binary)
        .arg(port.to_string())
        .arg(&log)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}; {HOW_TO_RUN}", binary.display()));

    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            break;
        }
        let exited = watchdog.try_wait().ok().flatten();
        if exited.is_some() || Instant::now() > deadline {
            panic!(
                "moto_server ({}) did not start on port {port} ({exited:?}); its log:\n{}\n{HOW_TO_RUN}",
                binary.display(),
                read_log(&log)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Server {
        endpoint: format!("http://127.0.0.1:{port}"),
        _watchdog: Mutex::new(watchdog),
    }
}

fn read_log(path: &PathBuf) -> String {
    let mut text = String::new();
    if let Ok(mut file) = std::fs::File::open(path) {
        let _ = file.read_to_string(&mut text);
    }
    text
}
