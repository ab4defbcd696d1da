//! `spawn_app()`: a fresh, isolated world per test: its own table on moto's server, its own
//! local API on a random port, a clock the test moves, and a count of DynamoDB requests.

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::Client;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use connection_emulator::{Emulator, RunningEmulator};
use gateway_auth::login::dev::DevSigner;
use gateway_auth::{LoginConfig, LoginVerifier, api_key};
use gateway_connection::{ConnectionClient, Timeouts, TokenSource};
use gateway_domain::GroupSnapshot;
use gateway_domain::{
    Capabilities, Clock, Description, Group, GroupJid, ManualClock, OrgId, SessionId, Subject,
    SystemClock, UserJid,
};
use gateway_http::Services;
use gateway_live::{LiveServices, Pacing};
use gateway_store::{SessionRecord, Store};
use ingest_events::Ingest;
use local_api::LocalApi;

use crate::dynamo_proxy::DynamoProxy;
use local_api::event_source::{Batch, EventSource};
use serde_json::Value;
use std::time::Duration;

pub const ACCOUNT: &str = "6281234567890@s.whatsapp.net";
pub const ISSUER: &str = "https://frontend.test";
pub const AUDIENCE: &str = "whatsapp-gateway";
pub const CONNECTION_SECRET: &str = "test-connection-secret";
/// The client's per-call timeout in tests: short, so a slow-service test takes seconds.
pub const CONNECTION_TIMEOUT: Duration = Duration::from_secs(2);

/// Every DynamoDB request the API sends, by operation (`DynamoDB_20120810.GetItem`, ...).
#[derive(Debug, Default)]
pub struct RequestLog(Mutex<Vec<String>>);

impl RequestLog {
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

#[derive(Debug, Clone)]
struct CountRequests(Arc<RequestLog>);

impl Intercept for CountRequests {
    fn name(&self) -> &'static str {
        "CountRequests"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let target = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or("?")
            .trim_start_matches("DynamoDB_20120810.")
            .to_owned();
        self.0.0.lock().unwrap().push(target);
        Ok(())
    }
}

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    /// The table, through a client whose requests are not counted (for seeding and checks).
    pub store: Store,
    pub requests: Arc<RequestLog>,
    pub clock: Arc<ManualClock>,
    /// The key of the "frontend": the local API publishes its JWKS over HTTP.
    pub signer: DevSigner,
    /// The connection service, over HTTP, in-process.
    pub emulator: RunningEmulator,
    /// The events queue, read as Lambda's event source mapping would.
    pub events: EventSource,
    pub dead_letter_url: String,
    /// The ingest function's state, with a store whose requests it counts.
    pub ingest: Ingest,
    pub ingest_requests: Arc<RequestLog>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub fn endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL_DYNAMODB").unwrap_or_else(|_| {
        panic!("AWS_ENDPOINT_URL_DYNAMODB is not set: run the tests with `make test`, which starts moto's server")
    })
}

/// What the functions configure their SDK clients with: the environment `make test` sets.
pub fn sdk_config() -> gateway_aws::SdkConfig {
    gateway_aws::from_env(&gateway_aws::SdkTimeouts::default())
        .unwrap_or_else(|missing| panic!("{missing}: run the tests with `make test`"))
}

/// A DynamoDB client whose requests `log` records.
pub fn counted_client(log: Arc<RequestLog>) -> Client {
    Client::from_conf(
        gateway_store::client_config(&sdk_config())
            .interceptor(CountRequests(log))
            .build(),
    )
}

pub async fn fresh_table() -> Store {
    endpoint();
    let store = Store::connect(
        format!("test-{}", api_key::random_base62(12)),
        &sdk_config(),
    );
    store.create_table().await.unwrap();
    store
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with_connection(None).await
}

/// Like [`spawn_app`], with per-session budgets of live operations.
pub async fn spawn_app_paced(pacing: Pacing) -> TestApp {
    spawn(None, pacing).await
}

/// Like [`spawn_app`], with the functions' DynamoDB behind `proxy` (the test's own reads and
/// the ingest function reach moto directly) and invocations that time out after `timeout`.
pub async fn spawn_app_behind(proxy: &DynamoProxy, timeout: Duration) -> TestApp {
    let store = fresh_table().await;
    let requests = Arc::new(RequestLog::default());
    let client = Client::from_conf(
        gateway_store::client_config(&sdk_config())
            .endpoint_url(&proxy.url)
            .interceptor(CountRequests(requests.clone()))
            .build(),
    );
    let clock = Arc::new(ManualClock::new(SystemClock.now_ms()));
    let services = Services::new(
        Store::new(client, store.table()),
        LoginVerifier::default(),
        clock.clone(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    serve(
        listener,
        Backend {
            services,
            store,
            requests,
            clock,
        },
        Options {
            timeout,
            ..Options::default()
        },
    )
    .await
}

/// Like [`spawn_app`], with the connection service at `url` instead of the emulator.
pub async fn spawn_app_with_connection(url: Option<&str>) -> TestApp {
    spawn(url, Pacing::OFF).await
}

async fn spawn(url: Option<&str>, pacing: Pacing) -> TestApp {
    let store = fresh_table().await;
    let requests = Arc::new(RequestLog::default());
    let counted = counted_client(requests.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let clock = Arc::new(ManualClock::new(SystemClock.now_ms()));
    let login = LoginVerifier::new(
        LoginConfig::new(
            format!("{base}{}", local_api::DEV_JWKS_PATH),
            ISSUER,
            AUDIENCE,
        ),
        clock.clone(),
    );
    let services = Services::new(Store::new(counted, store.table()), login, clock.clone());
    serve(
        listener,
        Backend {
            services,
            store,
            requests,
            clock,
        },
        Options {
            connection_url: url,
            pacing,
            ..Options::default()
        },
    )
    .await
}

/// An app whose services the test built itself (login tokens refused: API keys only).
pub async fn spawn_with(
    services: Services,
    store: Store,
    requests: Arc<RequestLog>,
    clock: Arc<ManualClock>,
) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let backend = Backend {
        services,
        store,
        requests,
        clock,
    };
    serve(listener, backend, Options::default()).await
}

/// What a test app serves: the functions' services, and the store, request log and clock the
/// test reads.
struct Backend {
    services: Services,
    store: Store,
    requests: Arc<RequestLog>,
    clock: Arc<ManualClock>,
}

/// How a test app differs from the usual one.
struct Options<'a> {
    connection_url: Option<&'a str>,
    pacing: Pacing,
    timeout: Duration,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Self {
            connection_url: None,
            pacing: Pacing::OFF,
            timeout: gateway_http::LOCAL_DEADLINE,
        }
    }
}

async fn serve(
    listener: tokio::net::TcpListener,
    backend: Backend,
    options: Options<'_>,
) -> TestApp {
    let Backend {
        services,
        store,
        requests,
        clock,
    } = backend;
    let Options {
        connection_url,
        pacing,
        timeout,
    } = options;
    let base = format!("http://{}", listener.local_addr().unwrap());
    let signer = DevSigner::generate().unwrap();
    // The connection service publishes its events to a queue of this test's own, which the
    // test drains through the ingest function as Lambda's event source mapping would.
    let sqs = local_api::event_source::sqs_client(&sdk_config());
    let (queue_url, dead_letter_url) = gatewayctl::queues::create_event_queues(
        &sqs,
        &format!("events-{}", api_key::random_base62(12)),
    )
    .await
    .unwrap();
    let emulator = connection_emulator::spawn(
        Emulator::with_clock(Some(CONNECTION_SECRET.to_owned()), clock.clone())
            .with_events_queue(queue_url.clone(), sqs.clone()),
    )
    .await
    .unwrap();
    let ingest_requests = Arc::new(RequestLog::default());
    let ingest = Ingest::new(
        Store::new(counted_client(ingest_requests.clone()), store.table()),
        clock.clone(),
    );
    let events = EventSource {
        sqs,
        queue_url,
        // A failed message comes back at once: tests see redeliveries without waiting.
        visibility_timeout: Duration::ZERO,
    };
    let connection = connection_client(connection_url.unwrap_or(&emulator.url()));
    let api = Arc::new(LocalApi {
        live: LiveServices {
            services,
            connection,
            pacing,
        },
        dev_jwks: Some(signer.jwks_json()),
        cors: local_api::Cors::parse("http://app.example.test"),
        timeout,
    });
    let server = tokio::spawn(async move {
        let _ = local_api::serve(listener, api).await;
    });
    TestApp {
        base,
        http: reqwest::Client::new(),
        store,
        requests,
        clock,
        signer,
        emulator,
        events,
        dead_letter_url,
        ingest,
        ingest_requests,
        server,
    }
}

pub fn connection_client(url: &str) -> ConnectionClient {
    ConnectionClient::new(
        url,
        TokenSource::Static(CONNECTION_SECRET.to_owned()),
        Timeouts {
            connect: Duration::from_millis(500),
            request: CONNECTION_TIMEOUT,
            safety_margin: Duration::from_millis(500),
        },
    )
    .unwrap()
}

impl TestApp {
    pub async fn add_session(&self, org: &str, id: &str) -> SessionId {
        let id = SessionId::parse(id).unwrap();
        self.store
            .create_session(&SessionRecord {
                id: id.clone(),
                org: OrgId::parse(org).unwrap(),
                account: Some(UserJid::parse(ACCOUNT).unwrap()),
                created_at: self.clock.now_ms(),
            })
            .await
            .unwrap();
        id
    }

    /// A new API key of `org` with capabilities such as `"read,send"`; returns the key.
    pub async fn api_key(&self, org: &str, capabilities: &str) -> String {
        self.api_key_expiring(org, capabilities, None).await
    }

    pub async fn api_key_expiring(
        &self,
        org: &str,
        capabilities: &str,
        expires_at: Option<i64>,
    ) -> String {
        let key = api_key::generate();
        let record = api_key::record_for(
            &key,
            OrgId::parse(org).unwrap(),
            Capabilities::parse_list(capabilities).unwrap(),
            None,
            self.clock.now_ms(),
            expires_at,
        );
        self.store.put_api_key(&record).await.unwrap();
        key.key
    }

    /// A login token of a person of `org` with `role`, as the frontend would mint it.
    pub fn token(&self, org: &str, role: &str) -> String {
        self.signer
            .mint(
                &OrgId::parse(org).unwrap(),
                role,
                ISSUER,
                AUDIENCE,
                300,
                self.clock.now_ms(),
            )
            .unwrap()
    }

    pub async fn add_group(&self, session: &SessionId, jid: &str, subject: &str) -> Group {
        self.store
            .upsert_group(session, &snapshot(jid, subject, None), self.clock.now_ms())
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        read(response).await
    }
}

pub async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    if status != 204 {
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = response.text().await.unwrap();
        assert!(
            content_type.starts_with("application/json"),
            "content type {content_type:?} of {text}"
        );
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    } else {
        (status, Value::Null)
    }
}

pub fn snapshot(jid: &str, subject: &str, version: Option<i64>) -> GroupSnapshot {
    GroupSnapshot {
        group_jid: GroupJid::parse(jid).unwrap(),
        subject: Subject::parse(subject).unwrap(),
        description: Description::parse("").unwrap(),
        owner_jid: Some(UserJid::parse(ACCOUNT).unwrap()),
        participant_count: 2,
        is_announce: false,
        is_locked: false,
        created_at_wa: 1_700_000_000_000,
        version,
    }
}

/// Asserts the error envelope exactly: status, code and details.
pub fn assert_error(actual: &(u16, Value), status: u16, code: &str, details: Value) {
    assert_eq!(actual.0, status, "body: {}", actual.1);
    let error = &actual.1["error"];
    assert_eq!(error["code"], code, "body: {}", actual.1);
    assert_eq!(error["details"], details, "body: {}", actual.1);
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "body: {}",
        actual.1
    );
}

/// A group JID for index `i`, so JID order is index order.
pub fn jid(i: usize) -> String {
    format!("1203630{i:011}@g.us")
}

/// The connection service's events, through the queue and the ingest function.
impl TestApp {
    /// Runs the ingest function on every event queued so far, until the queue is empty (a
    /// failing message comes back until SQS moves it to the dead-letter queue).
    pub async fn drain_events(&self) -> Vec<Batch> {
        self.events.drain(&self.ingest).await.unwrap()
    }

    /// Puts events on the queue as the connection service would (10 a request, in order).
    pub async fn send_events(&self, events: &[Value]) {
        for chunk in events.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, event)| {
                    aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(event.to_string())
                        .build()
                        .unwrap()
                })
                .collect();
            let sent = self
                .events
                .sqs
                .send_message_batch()
                .queue_url(&self.events.queue_url)
                .set_entries(Some(entries))
                .send()
                .await
                .unwrap();
            assert!(sent.failed.is_empty(), "{:?}", sent.failed);
        }
    }

    /// Empties the queue without applying anything (a test then sends the events it wants).
    pub async fn forget_queued_events(&self) {
        self.events
            .sqs
            .purge_queue()
            .queue_url(&self.events.queue_url)
            .send()
            .await
            .unwrap();
    }

    /// Every event the connection service published so far, in order, as JSON.
    pub fn published(&self) -> Vec<Value> {
        self.emulator
            .emulator
            .events()
            .iter()
            .map(|e| serde_json::to_value(e).unwrap())
            .collect()
    }

    /// The stored members of a group, every page.
    pub async fn stored_members(&self, session: &str, jid: &str) -> Vec<gateway_domain::Member> {
        let (session, jid) = (
            SessionId::parse(session).unwrap(),
            GroupJid::parse(jid).unwrap(),
        );
        let mut members = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .store
                .list_members(&session, &jid, after.as_ref(), 100)
                .await
                .unwrap();
            members.extend(page.members);
            match page.next_after {
                Some(next) => after = Some(next),
                None => return members,
            }
        }
    }

    /// Messages in the dead-letter queue.
    pub async fn dead_letters(&self) -> u64 {
        local_api::event_source::queue_depth(&self.events.sqs, &self.dead_letter_url)
            .await
            .unwrap()
    }
}

/// The connection emulator's control API and the live endpoints.
impl TestApp {
    /// Makes `session` known to WhatsApp with our account, connected or not.
    pub async fn whatsapp_session(&self, session: &str, connected: bool) {
        self.control_put(
            &format!("/_emulator/sessions/{session}"),
            serde_json::json!({"connected": connected, "account": ACCOUNT}),
        )
        .await;
    }

    /// A group on WhatsApp (the emulator) and, as the gateway last saw it, in the store.
    pub async fn live_group(&self, session: &SessionId, jid: &str, settings: Value) -> Group {
        self.control_put(
            &format!("/_emulator/sessions/{session}/groups/{jid}"),
            settings,
        )
        .await;
        let live = self.whatsapp_group(session.as_str(), jid).await;
        let snapshot = GroupSnapshot {
            group_jid: GroupJid::parse(jid).unwrap(),
            subject: Subject::parse(live["subject"].as_str().unwrap()).unwrap(),
            description: Description::parse(live["description"].as_str().unwrap()).unwrap(),
            owner_jid: live["ownerJid"]
                .as_str()
                .map(|j| UserJid::parse(j).unwrap()),
            participant_count: u32::try_from(live["participantCount"].as_u64().unwrap()).unwrap(),
            is_announce: live["isAnnounce"].as_bool().unwrap(),
            is_locked: live["isLocked"].as_bool().unwrap(),
            created_at_wa: live["createdAt"].as_i64().unwrap(),
            version: live["version"].as_i64(),
        };
        self.store
            .upsert_group(session, &snapshot, self.clock.now_ms())
            .await
            .unwrap()
    }

    /// What WhatsApp now holds for a group.
    pub async fn whatsapp_group(&self, session: &str, jid: &str) -> Value {
        self.control_get(&format!("/_emulator/sessions/{session}/groups/{jid}"))
            .await
    }

    /// Every group WhatsApp holds for a session.
    pub async fn whatsapp_groups(&self, session: &str) -> Vec<Value> {
        match self
            .control_get(&format!("/_emulator/sessions/{session}/groups"))
            .await
        {
            Value::Array(groups) => groups,
            other => other["groups"].as_array().cloned().unwrap_or_default(),
        }
    }

    /// Calls the connection service received for a session.
    pub async fn calls(&self, session: &str) -> u64 {
        self.control_get(&format!("/_emulator/calls?session={session}"))
            .await["total"]
            .as_u64()
            .unwrap()
    }

    pub async fn fault(&self, fault: Value) {
        self.control_put("/_emulator/faults", fault).await;
    }

    async fn control_put(&self, path: &str, body: Value) {
        let response = self
            .http
            .put(format!("{}{path}", self.emulator.url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.text().await.unwrap()
        );
    }

    async fn control_get(&self, path: &str) -> Value {
        let response = self
            .http
            .get(format!("{}{path}", self.emulator.url()))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{path}");
        response.json().await.unwrap()
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: &str,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &str) -> (u16, Value) {
        read(self.send(reqwest::Method::POST, path, token, body).await).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: &str) -> (u16, Value) {
        read(self.send(reqwest::Method::PATCH, path, token, body).await).await
    }

    /// The stored group, as getGroup shows it.
    pub async fn stored(&self, session: &str, jid: &str) -> Option<Group> {
        self.store
            .get_group(
                &SessionId::parse(session).unwrap(),
                &GroupJid::parse(jid).unwrap(),
            )
            .await
            .unwrap()
    }
}
