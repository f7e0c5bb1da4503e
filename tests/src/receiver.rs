//! A real loopback HTTP receiver for webhook tests: it records every request, verifies the
//! Standard Webhooks signature, and answers with whatever the test decides.

use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
    pub status: u16,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// The status and extra headers to answer with.
pub type Answer = (u16, Vec<(&'static str, String)>);
type Responder = dyn Fn(&Received) -> Answer + Send + Sync;

pub struct Receiver {
    pub address: SocketAddr,
    requests: Arc<Mutex<Vec<Received>>>,
    responder: Arc<Mutex<Arc<Responder>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let requests: Arc<Mutex<Vec<Received>>> = Arc::default();
        let responder: Arc<Mutex<Arc<Responder>>> =
            Arc::new(Mutex::new(Arc::new(|_: &Received| (200, Vec::new()))));
        let task = {
            let requests = requests.clone();
            let responder = responder.clone();
            tokio::spawn(async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let requests = requests.clone();
                    let responder = responder.clone();
                    tokio::spawn(async move {
                        let service =
                            service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                                let requests = requests.clone();
                                let responder = responder.clone();
                                async move {
                                    let (parts, body) = request.into_parts();
                                    let body = body.collect().await.map(|b| b.to_bytes().to_vec());
                                    let mut received = Received {
                                        path: parts.uri.path().to_owned(),
                                        headers: parts.headers,
                                        body: body.unwrap_or_default(),
                                        status: 0,
                                    };
                                    let respond = responder.lock().unwrap().clone();
                                    let (status, headers) = respond(&received);
                                    received.status = status;
                                    requests.lock().unwrap().push(received);
                                    let mut response =
                                        hyper::Response::new(Full::new(bytes::Bytes::new()));
                                    *response.status_mut() =
                                        http::StatusCode::from_u16(status).unwrap();
                                    for (name, value) in headers {
                                        response.headers_mut().insert(name, value.parse().unwrap());
                                    }
                                    Ok::<_, Infallible>(response)
                                }
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
            requests,
            responder,
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Answers every following request with `respond`.
    pub fn answer(&self, respond: impl Fn(&Received) -> Answer + Send + Sync + 'static) {
        *self.responder.lock().unwrap() = Arc::new(respond);
    }

    pub fn requests(&self) -> Vec<Received> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}
