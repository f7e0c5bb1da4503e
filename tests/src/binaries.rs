//! The compiled function binaries, run as Lambda runs them: under a local Runtime API, with
//! the environment Lambda sets, pointed at moto.

use crate::runtime_api::RuntimeApi;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// The binary of a function crate, from the profile directory this program was built into
/// (`target/debug` for the tests, which `tests/run` builds with `cargo build --bins --tests`;
/// `target/release` for the reports); `PARTNERLINE_BIN_DIR` names another directory.
pub fn binary(name: &str) -> PathBuf {
    let dir = std::env::var_os("PARTNERLINE_BIN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(profile_dir);
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "{} is missing: build the functions first (`cargo build --workspace --all-features --bins --tests`), or run ./tests/run",
        path.display()
    );
    path
}

/// `target/{profile}`: the directory of this executable, or of its `deps/` folder for a test.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the path of this executable");
    let dir = exe.parent().expect("an executable's directory");
    match dir.file_name() {
        Some(name) if name == "deps" => dir.parent().unwrap_or(dir).to_path_buf(),
        _ => dir.to_path_buf(),
    }
}

/// A running function process; killed when dropped.
pub struct FunctionProcess(Child);

impl FunctionProcess {
    /// Sends SIGTERM, as Lambda does at shutdown when an extension is registered, and waits
    /// for the process to exit (at most `within`); true when it exited by itself.
    pub fn terminate(&mut self, within: std::time::Duration) -> bool {
        let sent = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status()
            .is_ok_and(|status| status.success());
        let deadline = std::time::Instant::now() + within;
        while sent && std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        false
    }
}

impl Drop for FunctionProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `name` against `runtime`, with Lambda's variables, moto's endpoint and `extra_env`.
pub fn start(name: &str, runtime: &RuntimeApi, extra_env: &[(&str, String)]) -> FunctionProcess {
    let mut command = Command::new(binary(name));
    command
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", runtime.endpoint())
        .env("AWS_LAMBDA_FUNCTION_NAME", name)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_ENDPOINT_URL", crate::moto::endpoint())
        .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (key, value) in extra_env {
        command.env(key, value);
    }
    FunctionProcess(command.spawn().expect("start the function binary"))
}

/// A sample event from `events/<function>/<file>`.
pub fn sample_event(function: &str, file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../events")
        .join(function)
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
