//! Operability: one JSON line per request with who, what and how it went; never a token, a
//! key, the connection secret or a phone number at info level.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};

use crate::support::{CONNECTION_SECRET, spawn_app};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The logs of this test binary from the first call on, as production writes them (info).
fn logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        gateway_http::init_tracing_to(move || writer.clone(), "info");
        captured
    })
}

fn lines() -> Vec<Value> {
    let bytes = logs().0.lock().unwrap().clone();
    String::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[tokio::test]
async fn one_line_per_request_and_no_secrets_or_phone_numbers() {
    logs();
    let app = spawn_app().await;
    let session = app.add_session("org-logs", "s-logs").await;
    app.whatsapp_session("s-logs", true).await;
    let legacy = "6281999888777-1700000000@g.us";
    app.live_group(
        &session,
        legacy,
        json!({"subject": "Family", "participants": ["6285551234567@s.whatsapp.net"]}),
    )
    .await;
    let key = app.api_key("org-logs", "read,send").await;
    let token = app.token("org-logs", "admin");
    let mut tampered = key.clone();
    tampered.replace_range(8..9, if &key[8..9] == "x" { "y" } else { "x" });

    let create = r#"{"name": "Secret Team", "participants": ["6289876543210@s.whatsapp.net", "6283334445556@c.us"]}"#;
    assert_eq!(
        app.post("/api/v1/sessions/s-logs/groups", Some(&key), create)
            .await
            .0,
        201
    );
    let group = format!(
        "/api/v1/sessions/s-logs/groups/{}",
        legacy.replace('@', "%40")
    );
    assert_eq!(
        app.patch(&group, Some(&token), r#"{"subject": "Family 2"}"#)
            .await
            .0,
        204
    );
    assert_eq!(app.get(&group, Some(&token)).await.0, 200);
    assert_eq!(
        app.get("/api/v1/sessions/s-logs/groups", Some(&key))
            .await
            .0,
        200
    );
    assert_eq!(
        app.get("/api/v1/sessions/s-logs/groups", Some(&tampered))
            .await
            .0,
        401
    );
    let bad_participant = r#"{"name": "x", "participants": ["+62 899 000 1111"]}"#;
    assert_eq!(
        app.post(
            "/api/v1/sessions/s-logs/groups",
            Some(&key),
            bad_participant
        )
        .await
        .0,
        400
    );

    let text = String::from_utf8(logs().0.lock().unwrap().clone()).unwrap();
    let signature = token.rsplit('.').next().unwrap();
    for secret in [
        key.as_str(),
        &key[4..20],
        tampered.as_str(),
        token.as_str(),
        signature,
        CONNECTION_SECRET,
        "6281999888777",
        "6285551234567",
        "6289876543210",
        "6283334445556",
        "899 000 1111",
    ] {
        assert!(!text.contains(secret), "the logs carry {secret:?}");
    }

    let ours: Vec<Value> = lines()
        .into_iter()
        .filter(|l| l["span"]["org"] == "org-logs" || l["span"]["session"] == "s-logs")
        .filter(|l| l["fields"]["message"] == "request")
        .collect();
    let summary = |operation: &str, status: u16| {
        ours.iter()
            .find(|l| l["span"]["operation"] == operation && l["fields"]["status"] == status)
            .unwrap_or_else(|| panic!("no {operation} {status} line in {ours:#?}"))
            .clone()
    };
    let created = summary("createGroup", 201);
    assert_eq!(created["level"], "INFO");
    assert_eq!(created["span"]["session"], "s-logs");
    assert!(
        created["span"]["request_id"]
            .as_str()
            .unwrap()
            .starts_with("local-")
    );
    assert!(created["fields"]["latency_ms"].as_f64().unwrap() > 0.0);
    summary("updateGroup", 204);
    summary("getGroup", 200);
    let refused = summary("createGroup", 400);
    assert_eq!(refused["span"]["code"], "validation_error");
    assert_eq!(refused["span"]["reason"], "invalid participants[0]");
    // The 401 names which check failed, for the operator only.
    let unauthorized = lines()
        .into_iter()
        .find(|l| l["span"]["code"] == "unauthorized" && l["fields"]["message"] == "request")
        .unwrap();
    assert!(
        unauthorized["span"]["reason"]
            .as_str()
            .unwrap()
            .contains("checksum")
    );
}

#[tokio::test]
async fn a_replayed_answer_is_marked_on_its_request_line() {
    logs();
    let app = spawn_app().await;
    app.add_session("org-replays", "s-replays").await;
    app.whatsapp_session("s-replays", true).await;
    let key = app.api_key("org-replays", "read,send").await;
    let create = || async {
        app.http
            .post(format!("{}/api/v1/sessions/s-replays/groups", app.base))
            .bearer_auth(&key)
            .header("content-type", "application/json")
            .header("idempotency-key", "replay-me")
            .body(r#"{"name": "Once", "participants": ["6289876543210@s.whatsapp.net"]}"#)
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(create().await, 201);
    assert_eq!(create().await, 201);

    let replayed: Vec<Value> = lines()
        .into_iter()
        .filter(|l| l["span"]["org"] == "org-replays" && l["fields"]["message"] == "request")
        .map(|l| l["span"]["replayed"].clone())
        .collect();
    // What the template's metric filter matches: `$.span.replayed IS TRUE`, on the replay only.
    assert_eq!(replayed, [Value::Null, Value::Bool(true)]);
}
