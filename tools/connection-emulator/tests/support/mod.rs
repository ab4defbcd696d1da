//! What the emulator's HTTP tests share: an emulator on a loopback port, the contract's calls
//! with the bearer secret, and the control API without.

#![allow(dead_code)]

use std::sync::Arc;

use connection_emulator::{Emulator, RunningEmulator};
use gateway_domain::ManualClock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const TOKEN: &str = "test-secret";

/// 2024-06-29T12:00:00Z, where every manual clock starts.
pub const START_MS: i64 = 1_719_662_400_000;

pub const HOUR_MS: i64 = 60 * 60 * 1000;

pub struct Wa {
    pub running: RunningEmulator,
    pub http: reqwest::Client,
    pub clock: Arc<ManualClock>,
}

impl Wa {
    /// An emulator on a clock that moves only when the test moves it.
    pub async fn start() -> Self {
        let clock = Arc::new(ManualClock::new(START_MS));
        Self::start_with(
            Emulator::with_clock(Some(TOKEN.into()), clock.clone()),
            clock,
        )
        .await
    }

    pub async fn start_with(emulator: Emulator, clock: Arc<ManualClock>) -> Self {
        let running = connection_emulator::spawn(emulator).await.unwrap();
        Self {
            running,
            http: reqwest::Client::new(),
            clock,
        }
    }

    pub fn emulator(&self) -> &Emulator {
        &self.running.emulator
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.url())
    }

    /// A call of the contract; a body that is not JSON comes back as a JSON string.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, self.url(path)).bearer_auth(TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn control(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, self.url(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        (
            response.status(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    /// A control call that must succeed.
    pub async fn ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, answer) = self.control(method.clone(), path, body).await;
        assert!(status.is_success(), "{method} {path}: {status} {answer}");
        answer
    }

    pub async fn session(&self, session: &str, account: &str) {
        self.ok(
            Method::PUT,
            &format!("/_emulator/sessions/{session}"),
            Some(json!({"connected": true, "account": account})),
        )
        .await;
    }

    pub async fn connect(&self, session: &str, connected: bool) {
        self.ok(
            Method::PUT,
            &format!("/_emulator/sessions/{session}"),
            Some(json!({"connected": connected})),
        )
        .await;
    }

    pub async fn seed(&self, session: &str, gid: &str, group: Value) -> Value {
        self.ok(
            Method::PUT,
            &format!("/_emulator/sessions/{session}/groups/{gid}"),
            Some(group),
        )
        .await
    }

    /// What WhatsApp holds for the group (control view).
    pub async fn held(&self, session: &str, gid: &str) -> Value {
        self.ok(
            Method::GET,
            &format!("/_emulator/sessions/{session}/groups/{gid}"),
            None,
        )
        .await
    }

    pub async fn fault(&self, fault: Value) {
        let (status, body) = self
            .control(Method::PUT, "/_emulator/faults", Some(fault))
            .await;
        assert_eq!(status, 201, "{body}");
    }

    pub async fn user(&self, jid: &str, settings: Value) {
        self.ok(
            Method::PUT,
            &format!("/_emulator/users/{jid}"),
            Some(settings),
        )
        .await;
    }

    /// `changeParticipants`.
    pub async fn members(&self, session: &str, gid: &str, body: Value) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            &format!("/v1/sessions/{session}/groups/{gid}/participants"),
            Some(body),
        )
        .await
    }

    /// A change made from a phone.
    pub async fn phone(&self, session: &str, gid: &str, action: &str, people: Value) -> Value {
        self.ok(
            Method::POST,
            &format!("/_emulator/sessions/{session}/groups/{gid}/participants"),
            Some(json!({"action": action, "participants": people})),
        )
        .await
    }

    /// Every event published so far (control API).
    pub async fn events(&self) -> Vec<Value> {
        let answer = self.ok(Method::GET, "/_emulator/events", None).await;
        answer["events"].as_array().cloned().unwrap_or_default()
    }

    /// The events published after the first `since`.
    pub async fn events_since(&self, since: usize) -> Vec<Value> {
        self.events().await.split_off(since)
    }
}

pub fn kind(body: &Value) -> &str {
    body["error"]["kind"].as_str().unwrap_or("")
}

/// `code` of every result, in order.
pub fn codes(answer: &Value) -> Vec<u64> {
    answer["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results: {answer}"))
        .iter()
        .map(|r| r["code"].as_u64().unwrap())
        .collect()
}

/// The member with this `jid` in a group (contract or control view), if any.
pub fn member<'a>(group: &'a Value, jid: &str) -> Option<&'a Value> {
    group["participants"]
        .as_array()?
        .iter()
        .find(|p| p["jid"] == jid)
}

pub fn role<'a>(group: &'a Value, jid: &str) -> &'a str {
    member(group, jid)
        .and_then(|p| p["role"].as_str())
        .unwrap_or("none")
}

pub fn jid(n: u64) -> String {
    format!("62{n}@s.whatsapp.net")
}
