//! A DynamoDB in front of moto whose answers a test can slow down or fail, by operation: how a
//! test makes DynamoDB slow (not only unreachable) at one step of a request.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// What happens to requests whose operation (`X-Amz-Target` without its prefix) is listed.
#[derive(Debug, Clone, Default)]
pub struct Trouble {
    pub operations: Vec<&'static str>,
    /// Answer this late (the request reaches moto first).
    pub delay: Option<Duration>,
    /// Answer this status instead (moto never sees the request), as DynamoDB's
    /// `InternalServerError` does.
    pub fail: Option<u16>,
}

#[derive(Clone)]
struct Proxy {
    upstream: String,
    http: reqwest::Client,
    trouble: Arc<Mutex<Trouble>>,
}

/// The running proxy: `url` for the SDK's endpoint; `set` changes what it does.
pub struct DynamoProxy {
    pub url: String,
    trouble: Arc<Mutex<Trouble>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for DynamoProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl DynamoProxy {
    pub async fn start(upstream: String) -> Self {
        let trouble = Arc::new(Mutex::new(Trouble::default()));
        let proxy = Proxy {
            upstream,
            http: reqwest::Client::new(),
            trouble: trouble.clone(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new().fallback(forward).with_state(proxy);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, trouble, task }
    }

    pub fn set(&self, trouble: Trouble) {
        *self.trouble.lock().unwrap() = trouble;
    }
}

fn operation(headers: &HeaderMap) -> String {
    headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim_start_matches("DynamoDB_20120810.")
        .to_owned()
}

async fn forward(State(proxy): State<Proxy>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let target = operation(&parts.headers);
    let trouble = proxy.trouble.lock().unwrap().clone();
    let affected = trouble.operations.iter().any(|op| *op == target);
    if affected && let Some(status) = trouble.fail {
        let body = r#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected"}"#;
        return (StatusCode::from_u16(status).unwrap(), body).into_response();
    }
    let bytes = to_bytes(body, usize::MAX).await.unwrap();
    let mut upstream = proxy
        .http
        .request(parts.method, format!("{}{}", proxy.upstream, parts.uri))
        .body(bytes);
    for (name, value) in &parts.headers {
        if name != "host" {
            upstream = upstream.header(name, value);
        }
    }
    let answer = upstream.send().await.unwrap();
    if affected && let Some(delay) = trouble.delay {
        tokio::time::sleep(delay).await;
    }
    let status = answer.status();
    let headers = answer.headers().clone();
    let bytes = answer.bytes().await.unwrap();
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    for (name, value) in &headers {
        if name != "content-length" && name != "transfer-encoding" {
            response.headers_mut().insert(name, value.clone());
        }
    }
    response
}
