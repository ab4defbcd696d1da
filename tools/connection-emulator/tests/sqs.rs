//! Publishing to SQS, against moto's server: `AWS_ENDPOINT_URL_SQS` if set, else
//! `AWS_ENDPOINT_URL_DYNAMODB` (`make test`'s moto serves both), else a moto server this test
//! starts itself (`python3 -m moto.server`). Each test makes its own queue.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_sdk_sqs::config::{BehaviorVersion, Credentials, Region};
use connection_emulator::Emulator;
use gateway_domain::ManualClock;
use reqwest::Method;
use serde_json::{Value, json};
use support::{START_MS, TOKEN, Wa, jid};

/// A moto server this test started (stopped when dropped), or the one the environment names.
struct Moto {
    endpoint: String,
    child: Option<Child>,
}

impl Drop for Moto {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn moto() -> Moto {
    for variable in ["AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_DYNAMODB"] {
        if let Ok(endpoint) = std::env::var(variable)
            && !endpoint.trim().is_empty()
        {
            return Moto {
                endpoint: endpoint.trim().to_owned(),
                child: None,
            };
        }
    }
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let venv = concat!(env!("CARGO_MANIFEST_DIR"), "/../../.venv/bin/python");
    let python = if std::path::Path::new(venv).exists() {
        venv
    } else {
        "python3"
    };
    let mut child = Command::new(python)
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start moto's server with {python}: {e}"));
    // Ready when werkzeug says it is running; the rest of its log is drained so the pipe
    // never fills.
    let stderr = child.stderr.take().unwrap();
    let (ready, started) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut ready = Some(ready);
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("Running on")
                && let Some(ready) = ready.take()
            {
                let _ = ready.send(());
            }
        }
    });
    started
        .recv_timeout(Duration::from_secs(60))
        .expect("moto's server did not start");
    Moto {
        endpoint: format!("http://127.0.0.1:{port}"),
        child: Some(child),
    }
}

fn sqs(endpoint: &str) -> aws_sdk_sqs::Client {
    let setting = |name: &str, default: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| default.to_owned())
    };
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(setting("AWS_REGION", "us-east-1")))
        .credentials_provider(Credentials::new(
            setting("AWS_ACCESS_KEY_ID", "local"),
            setting("AWS_SECRET_ACCESS_KEY", "local"),
            None,
            None,
            "test",
        ))
        .endpoint_url(endpoint)
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

static QUEUES: AtomicU64 = AtomicU64::new(0);

async fn fresh_queue(client: &aws_sdk_sqs::Client) -> String {
    let name = format!(
        "emulator-events-{}-{}",
        std::process::id(),
        QUEUES.fetch_add(1, Ordering::SeqCst)
    );
    client
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned()
}

/// Everything on the queue now (short polls: what was sent before an answer is there).
async fn drain(client: &aws_sdk_sqs::Client, queue_url: &str) -> Vec<Value> {
    let mut bodies = Vec::new();
    loop {
        let received = client
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(0)
            .visibility_timeout(300)
            .send()
            .await
            .unwrap();
        let messages = received.messages();
        if messages.is_empty() {
            return bodies;
        }
        for message in messages {
            bodies.push(serde_json::from_str(message.body().unwrap()).unwrap());
            client
                .delete_message()
                .queue_url(queue_url)
                .receipt_handle(message.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
    }
}

fn ids(events: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = events
        .iter()
        .map(|e| e["eventId"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn events_are_on_the_queue_before_the_answer() {
    let moto = moto();
    let client = sqs(&moto.endpoint);
    let queue_url = fresh_queue(&client).await;
    let clock = Arc::new(ManualClock::new(START_MS));
    let emulator = Emulator::with_clock(Some(TOKEN.into()), clock.clone())
        .with_events_queue(queue_url.clone(), client.clone());
    let wa = Wa::start_with(emulator, clock).await;
    wa.session("s1", "6281000@s.whatsapp.net").await;

    // A contract call: its event is on the queue when the answer arrives, exactly as
    // published.
    let (status, group) = wa
        .call(
            Method::POST,
            "/v1/sessions/s1/groups",
            Some(json!({"subject": "Team", "participants": [jid(2)]})),
        )
        .await;
    assert_eq!(status, 201);
    let on_queue = drain(&client, &queue_url).await;
    assert_eq!(on_queue, wa.events().await);
    assert_eq!(on_queue[0]["type"], "group.snapshot");
    assert_eq!(on_queue[0]["group"]["version"], group["version"]);

    // Control calls: 25 groups seeded while disconnected publish nothing; connecting sends
    // 25 snapshots (three batches), then a sync sends them again and `sync.completed`.
    wa.connect("s1", false).await;
    for n in 0..25 {
        wa.seed("s1", &format!("{}@g.us", 1000 + n), json!({"subject": "T"}))
            .await;
    }
    assert!(drain(&client, &queue_url).await.is_empty());
    let seen = wa.events().await.len();
    wa.connect("s1", true).await;
    let on_queue = drain(&client, &queue_url).await;
    assert_eq!(on_queue.len(), 26);
    assert_eq!(ids(&on_queue), ids(&wa.events_since(seen).await));

    let seen = wa.events().await.len();
    let (status, _) = wa
        .call(
            Method::POST,
            "/v1/sessions/s1/sync",
            Some(json!({"syncId": "sync-1"})),
        )
        .await;
    assert_eq!(status, 202);
    let on_queue = drain(&client, &queue_url).await;
    assert_eq!(on_queue.len(), 27);
    assert_eq!(ids(&on_queue), ids(&wa.events_since(seen).await));
    let completed: Vec<&Value> = on_queue
        .iter()
        .filter(|e| e["type"] == "sync.completed")
        .collect();
    assert_eq!(completed.len(), 1);
    assert_eq!(completed[0]["groupJids"].as_array().unwrap().len(), 26);

    // In-process changes are sent by themselves; flush_events waits for them.
    let session = gateway_domain::SessionId::parse("s1").unwrap();
    let gid = gateway_domain::GroupJid::parse("1000@g.us").unwrap();
    wa.emulator().remove_account(&session, &gid).unwrap();
    wa.emulator().flush_events().await;
    let on_queue = drain(&client, &queue_url).await;
    assert_eq!(on_queue.len(), 1);
    assert_eq!(on_queue[0]["type"], "group.left");
}

#[tokio::test]
async fn a_failed_publish_does_not_fail_the_call() {
    let moto = moto();
    let client = sqs(&moto.endpoint);
    // A queue that does not exist: SQS refuses every batch.
    let queue_url = format!(
        "{}/123456789012/no-such-queue-{}",
        moto.endpoint,
        std::process::id()
    );
    let clock = Arc::new(ManualClock::new(START_MS));
    let emulator = Emulator::with_clock(Some(TOKEN.into()), clock.clone())
        .with_events_queue(queue_url, client);
    let wa = Wa::start_with(emulator, clock).await;
    wa.session("s1", "6281000@s.whatsapp.net").await;
    let (status, _) = wa
        .call(
            Method::POST,
            "/v1/sessions/s1/groups",
            Some(json!({"subject": "Team", "participants": [jid(2)]})),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(wa.events().await.len(), 1, "kept in memory all the same");
}
