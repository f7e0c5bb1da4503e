//! The README's local-stack command, run as a process: it starts, the printed API key
//! authenticates a request, and the data survives a restart.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Stack {
    child: Child,
    base: String,
}

impl Drop for Stack {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(data_dir: &Path) -> Stack {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_local-stack"))
        .env("PARTNERLINE_DATA_DIR", data_dir)
        .env("PARTNERLINE_PORT", port.to_string())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the local stack");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    let base = loop {
        assert!(
            Instant::now() < deadline,
            "the stack did not announce itself"
        );
        let line = lines.next().expect("stdout closed").unwrap();
        if let Some(url) = line.strip_prefix("Partnerline local stack on ") {
            break url.trim().to_owned();
        }
    };
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Stack { child, base }
}

/// The status and JSON body of the response on `stream` (`Connection: close`).
fn read_response(mut stream: TcpStream) -> (u16, serde_json::Value) {
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    (
        status,
        serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
    )
}

/// A minimal HTTP/1.1 GET; returns (status, body).
fn get(base: &str, path: &str, api_key: &str) -> (u16, serde_json::Value) {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {api_key}\r\nConnection: close\r\n\r\n").unwrap();
    read_response(stream)
}

#[test]
fn the_printed_key_works_and_data_survives_a_restart() {
    let data_dir = std::env::temp_dir().join(format!("partnerline-local-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);

    let first = start(&data_dir);
    let demo: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data_dir.join("demo.json")).unwrap())
            .unwrap();
    let key = demo["apiKey"].as_str().unwrap().to_owned();
    let program = demo["programId"].as_str().unwrap().to_owned();
    let (status, body) = get(&first.base, &format!("/programs/{program}"), &key);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "Demo program");
    // The demo groups, as Dub's seed describes them.
    let (status, body) = get(&first.base, &format!("/programs/{program}/groups"), &key);
    assert_eq!(status, 200, "{body}");
    let groups = body["data"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{body}");
    let (default, referral) = (&groups[0], &groups[1]);
    assert_eq!(default["slug"], "default");
    assert_eq!(default["rewards"][0]["event"], "sale");
    assert_eq!(default["rewards"][0]["amountInPercentage"], 20);
    assert_eq!(
        default["rewards"][0]["maxDuration"],
        serde_json::Value::Null
    );
    assert_eq!(referral["slug"], "referral");
    assert_eq!(referral["rewards"][0]["event"], "lead");
    assert_eq!(referral["rewards"][0]["amountInCents"], 0);
    assert_eq!(
        referral["rewards"][0]["description"],
        "500 free credits for every signup you refer"
    );
    assert_eq!(
        referral["moveRules"][0]["conditions"],
        serde_json::json!([{"metric": "totalLeads", "operator": "gte", "value": 10}])
    );
    assert_eq!(referral["moveRules"][0]["targetGroupId"], default["id"]);
    let (status, _) = get(
        &first.base,
        &format!("/programs/{program}"),
        "plk_not-the-key",
    );
    assert_eq!(status, 401);
    drop(first);

    let second = start(&data_dir);
    let again: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data_dir.join("demo.json")).unwrap())
            .unwrap();
    assert_eq!(
        again["programId"],
        program.as_str(),
        "no second demo program on restart"
    );
    let (status, body) = get(&second.base, &format!("/programs/{program}"), &key);
    assert_eq!(
        status, 200,
        "the program and its key survive a restart: {body}"
    );
    drop(second);
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// A raw GET with a chosen `Host`; returns the status and the response head.
fn get_head(base: &str, path: &str, host: &str) -> (u16, String) {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let head = response.split("\r\n\r\n").next().unwrap_or_default();
    (response[9..12].parse().unwrap(), head.to_ascii_lowercase())
}

#[test]
fn the_printed_short_link_redirects() {
    let data_dir = std::env::temp_dir().join(format!("partnerline-links-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let stack = start(&data_dir);
    let demo: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data_dir.join("demo.json")).unwrap())
            .unwrap();
    let link = demo["demoLink"].as_str().expect("a demo link is printed");
    let path = link.strip_prefix(&stack.base).expect("on the stack's port");
    assert_eq!(path, "/r/demo.partnerline.localhost/welcome");
    let address = stack.base.trim_start_matches("http://").to_owned();

    let (status, head) = get_head(&stack.base, path, &address);
    assert_eq!(status, 302, "{head}");
    assert!(
        head.contains("location: https://example.com/welcome?dub_id=clk_"),
        "{head}"
    );
    assert!(head.contains("set-cookie: pl_click_link_"), "{head}");
    // As deployed: the short-link domain in `Host`.
    let (status, head) = get_head(&stack.base, "/WELCOME", "demo.partnerline.localhost:3000");
    assert_eq!(status, 302, "{head}");
    let (status, _) = get_head(&stack.base, "/r/demo.partnerline.localhost/nope", &address);
    assert_eq!(status, 404);
    // The front page a browser shows at the stack's address.
    let (status, head) = get_head(&stack.base, "/", &address);
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("content-type: text/html"), "{head}");
    assert!(
        head.contains("content-security-policy: default-src 'none'"),
        "{head}"
    );
    drop(stack);
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// A minimal HTTP/1.1 JSON POST; returns (status, body).
fn post(
    base: &str,
    path: &str,
    credential: &str,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    let address = base.trim_start_matches("http://");
    let body = body.to_string();
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {credential}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    read_response(stream)
}

/// StackBE's `registerDeal` with the partner's session reaches conversion-tracking, not the
/// partner portal (whose `/v1/affiliate…` routes the stack matches last).
#[test]
fn a_partner_session_registers_a_deal_on_the_stack() {
    let data_dir = std::env::temp_dir().join(format!("partnerline-deals-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let stack = start(&data_dir);
    let demo: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data_dir.join("demo.json")).unwrap())
            .unwrap();
    let key = demo["apiKey"].as_str().unwrap();
    let session = serde_json::json!({"tenantId": "demo-tenant"});
    let (status, issued) = post(&stack.base, "/partners/sessions", key, &session);
    assert_eq!(status, 201, "{issued}");
    let token = issued["token"].as_str().unwrap();
    let deal = serde_json::json!({"leadEmail": "prospect@company.com", "leadName": "John Smith",
                                  "notes": "Met at conference"});
    let (status, registered) = post(&stack.base, "/v1/affiliate/deals", token, &deal);
    assert_eq!(status, 201, "{registered}");
    assert_eq!(registered["partnerId"], issued["partnerId"]);
    let (status, refused) = post(&stack.base, "/v1/affiliate/deals", "pst_unknown", &deal);
    assert_eq!(
        (status, &refused["error"]["code"]),
        (401, &serde_json::json!("unauthorized"))
    );
    drop(stack);
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// Sends a JSON POST whose body of `size` bytes goes out in `pieces`, `pause` apart, with a
/// `Content-Length` or chunked; returns the response's status and body.
fn post_in_pieces(
    base: &str,
    size: usize,
    pieces: usize,
    pause: Duration,
    chunked: bool,
) -> (u16, serde_json::Value) {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_owned()
    } else {
        format!("Content-Length: {size}")
    };
    write!(
        stream,
        "POST /track/sale HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n{framing}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let piece = vec![b' '; size / pieces];
    for _ in 0..pieces {
        if chunked {
            write!(stream, "{:x}\r\n", piece.len()).unwrap();
        }
        stream.write_all(&piece).unwrap();
        if chunked {
            stream.write_all(b"\r\n").unwrap();
        }
        std::thread::sleep(pause);
    }
    if chunked {
        stream.write_all(b"0\r\n\r\n").unwrap();
    }
    read_response(stream)
}

#[test]
fn bodies_over_the_limit_get_413_with_a_length_chunked_or_slow() {
    let data_dir = std::env::temp_dir().join(format!("partnerline-bodies-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let stack = start(&data_dir);
    let two_mb = 2 * 1024 * 1024;
    for (pieces, pause, chunked) in [
        (1, Duration::ZERO, false),
        (16, Duration::ZERO, true),
        (32, Duration::from_millis(40), true),
        (32, Duration::from_millis(40), false),
    ] {
        let (status, body) = post_in_pieces(&stack.base, two_mb, pieces, pause, chunked);
        assert_eq!(status, 413, "{pieces} pieces, chunked {chunked}: {body}");
        assert_eq!(body["error"]["code"], "payload_too_large", "{body}");
    }
    drop(stack);
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// Sends `signal` (`TERM`, `INT`) to the stack and waits for it to end: the exit status, and
/// how long the stop took.
fn stop_with(mut stack: Stack, signal: &str) -> (std::process::ExitStatus, Duration) {
    let started = Instant::now();
    let sent = Command::new("kill")
        .args([format!("-{signal}"), stack.child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill -{signal}");
    let deadline = started + Duration::from_secs(20);
    loop {
        if let Some(status) = stack.child.try_wait().unwrap() {
            return (status, started.elapsed());
        }
        assert!(
            Instant::now() < deadline,
            "no stop within 20 s of SIG{signal}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The clicks `GET /links/info` reports for the demo short link.
fn demo_link_clicks(base: &str, key: &str) -> i64 {
    let (status, link) = get(
        base,
        "/links/info?domain=demo.partnerline.localhost&key=welcome",
        key,
    );
    assert_eq!(status, 200, "{link}");
    link["clicks"].as_i64().unwrap()
}

/// SIGTERM and SIGINT both stop the stack cleanly (exit 0, well within the bound), and a click
/// still in the redirect's buffer (sent after 30 s while running) is sent to the click queue at
/// the stop: counted after the restart.
#[test]
fn both_signals_stop_the_stack_cleanly_and_a_buffered_click_survives_sigterm() {
    let data_dir = std::env::temp_dir().join(format!("partnerline-stop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let first = start(&data_dir);
    let demo: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data_dir.join("demo.json")).unwrap())
            .unwrap();
    let key = demo["apiKey"].as_str().unwrap().to_owned();
    assert_eq!(demo_link_clicks(&first.base, &key), 0);
    let address = first.base.trim_start_matches("http://").to_owned();
    let (status, _) = get_head(
        &first.base,
        "/r/demo.partnerline.localhost/welcome",
        &address,
    );
    assert_eq!(status, 302);
    let (status, took) = stop_with(first, "TERM");
    assert!(status.success(), "SIGTERM: {status}");
    assert!(took < Duration::from_secs(15), "SIGTERM took {took:?}");

    let second = start(&data_dir);
    let deadline = Instant::now() + Duration::from_secs(15);
    while demo_link_clicks(&second.base, &key) < 1 {
        assert!(
            Instant::now() < deadline,
            "the buffered click was lost at SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(demo_link_clicks(&second.base, &key), 1);
    let (status, took) = stop_with(second, "INT");
    assert!(status.success(), "SIGINT: {status}");
    assert!(took < Duration::from_secs(15), "SIGINT took {took:?}");
    let _ = std::fs::remove_dir_all(&data_dir);
}
