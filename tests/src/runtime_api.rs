//! A local server speaking the Lambda Runtime API (`/2018-06-01/runtime/...`), so that a
//! compiled function binary can be run exactly as Lambda runs it: it polls for the next
//! invocation, and posts a response or an error. It also takes the registration of internal
//! extensions (`/2020-01-01/extension/...`), which Lambda requires before it sends a runtime
//! SIGTERM at shutdown; they subscribe to no events, so their `event/next` never answers.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex as AsyncMutex, mpsc, oneshot};

/// How an invocation ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Response(serde_json::Value),
    Error(serde_json::Value),
}

struct Pending {
    request_id: String,
    payload: String,
}

#[derive(Default)]
struct State {
    waiting: HashMap<String, oneshot::Sender<Outcome>>,
    first_poll: Option<Instant>,
    init_error: Option<String>,
    extensions: Vec<String>,
}

/// The server; dropping it stops serving.
pub struct RuntimeApi {
    pub address: SocketAddr,
    queue: mpsc::UnboundedSender<Pending>,
    state: Arc<Mutex<State>>,
    next_id: std::sync::atomic::AtomicU64,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RuntimeApi {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let (queue, receiver) = mpsc::unbounded_channel();
        let receiver = Arc::new(AsyncMutex::new(receiver));
        let state = Arc::new(Mutex::new(State::default()));
        let task = {
            let state = state.clone();
            tokio::spawn(async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let (state, receiver) = (state.clone(), receiver.clone());
                    tokio::spawn(async move {
                        let service = service_fn(move |request| {
                            let (state, receiver) = (state.clone(), receiver.clone());
                            async move { Ok::<_, Infallible>(route(request, &state, &receiver).await) }
                        });
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            })
        };
        Self {
            address,
            queue,
            state,
            next_id: Default::default(),
            task,
        }
    }

    /// The value of `AWS_LAMBDA_RUNTIME_API` for the function process.
    pub fn endpoint(&self) -> String {
        self.address.to_string()
    }

    /// Hands an event to the function and waits for its outcome.
    pub async fn invoke(&self, payload: &str, timeout: Duration) -> Outcome {
        let request_id = format!(
            "req-{}",
            self.next_id
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        );
        let (done, outcome) = oneshot::channel();
        self.state
            .lock()
            .unwrap()
            .waiting
            .insert(request_id.clone(), done);
        self.queue
            .send(Pending {
                request_id,
                payload: payload.to_owned(),
            })
            .expect("the server is running");
        tokio::time::timeout(timeout, outcome)
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "no outcome within {timeout:?}; init error: {:?}",
                    self.init_error()
                )
            })
            .expect("the outcome was recorded")
    }

    /// When the function first asked for an invocation (the end of its init).
    pub fn first_poll(&self) -> Option<Instant> {
        self.state.lock().unwrap().first_poll
    }

    pub fn init_error(&self) -> Option<String> {
        self.state.lock().unwrap().init_error.clone()
    }

    /// The names of the extensions the process registered.
    pub fn extensions(&self) -> Vec<String> {
        self.state.lock().unwrap().extensions.clone()
    }
}

async fn route(
    request: Request<Incoming>,
    state: &Mutex<State>,
    receiver: &AsyncMutex<mpsc::UnboundedReceiver<Pending>>,
) -> Response<Full<Bytes>> {
    let path = request.uri().path().to_owned();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["2018-06-01", "runtime", "invocation", "next"] => {
            state
                .lock()
                .unwrap()
                .first_poll
                .get_or_insert_with(Instant::now);
            let Some(next) = receiver.lock().await.recv().await else {
                return reply(StatusCode::GONE, "");
            };
            let deadline = std::time::SystemTime::now() + Duration::from_secs(30);
            let deadline_ms = deadline
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis();
            Response::builder()
                .header("lambda-runtime-aws-request-id", &next.request_id)
                .header("lambda-runtime-deadline-ms", deadline_ms.to_string())
                .header(
                    "lambda-runtime-invoked-function-arn",
                    "arn:aws:lambda:us-east-1:123456789012:function:partnerline-test",
                )
                .header(
                    "lambda-runtime-trace-id",
                    "Root=1-00000000-000000000000000000000000",
                )
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(next.payload)))
                .expect("a response")
        }
        [
            "2018-06-01",
            "runtime",
            "invocation",
            id,
            kind @ ("response" | "error"),
        ] => {
            let body = request
                .into_body()
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            let value = serde_json::from_slice(&body).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(&body).into())
            });
            let outcome = if *kind == "response" {
                Outcome::Response(value)
            } else {
                Outcome::Error(value)
            };
            if let Some(done) = state.lock().unwrap().waiting.remove(*id) {
                let _ = done.send(outcome);
            }
            reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
        }
        ["2018-06-01", "runtime", "init", "error"] => {
            let body = request
                .into_body()
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            state.lock().unwrap().init_error = Some(String::from_utf8_lossy(&body).into());
            reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
        }
        ["2020-01-01", "extension", "register"] => {
            let name = request
                .headers()
                .get("lambda-extension-name")
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let id = {
                let mut state = state.lock().unwrap();
                state.extensions.push(name);
                format!("extension-{}", state.extensions.len())
            };
            Response::builder()
                .header("lambda-extension-identifier", id)
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from_static(
                    br#"{"functionName":"partnerline-test","functionVersion":"$LATEST","handler":"bootstrap"}"#,
                )))
                .expect("a response")
        }
        // An extension registered for no events is never woken.
        ["2020-01-01", "extension", "event", "next"] => std::future::pending().await,
        _ => reply(StatusCode::NOT_FOUND, ""),
    }
}

fn reply(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .expect("a response")
}
