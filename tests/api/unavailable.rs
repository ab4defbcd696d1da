//! DynamoDB throttled or unreachable after the SDK's retries answers 503 `unavailable`.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use gateway_auth::LoginVerifier;
use gateway_aws::SdkTimeouts;
use gateway_domain::{Clock, ManualClock, SystemClock};
use gateway_http::Services;
use gateway_store::Store;
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::support::{RequestLog, TestApp, assert_error, endpoint, fresh_table, spawn_with};

/// A TCP proxy to moto's server that the test can cut: when cut, it drops every open
/// connection and every new one, as an unreachable DynamoDB would.
struct Cable {
    port: u16,
    cut: watch::Sender<bool>,
}

impl Cable {
    async fn to(target: String) -> Cable {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (cut, watcher) = watch::channel(false);
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let mut watcher = watcher.clone();
                if *watcher.borrow() {
                    continue;
                }
                let target = target.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = watcher.wait_for(|cut| *cut) => {}
                    }
                });
            }
        });
        Cable { port, cut }
    }

    fn cut(&self) {
        self.cut.send_replace(true);
    }
}

async fn app_behind(cable: &Cable) -> TestApp {
    let seed = fresh_table().await;
    let timeouts = SdkTimeouts {
        connect_timeout: Duration::from_millis(300),
        attempt_timeout: Duration::from_millis(700),
        operation_timeout: Duration::from_secs(3),
        max_attempts: 2,
    };
    let sdk = gateway_aws::from_env(&timeouts).unwrap();
    let client = Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&sdk)
            .endpoint_url(format!("http://127.0.0.1:{}", cable.port))
            .build(),
    );
    let clock = Arc::new(ManualClock::new(SystemClock.now_ms()));
    let services = Services::new(
        Store::new(client, seed.table()),
        LoginVerifier::default(),
        clock.clone(),
    );
    spawn_with(services, seed, Arc::new(RequestLog::default()), clock).await
}

#[tokio::test]
async fn reads_answer_503_when_dynamodb_becomes_unreachable() {
    let moto = endpoint().trim_start_matches("http://").to_owned();
    let cable = Cable::to(moto).await;
    let app = app_behind(&cable).await;
    let session = app.add_session("org-a", "s1").await;
    app.add_group(&session, "1@g.us", "Team").await;
    let key = app.api_key("org-a", "read").await;
    // Both endpoints work, and the key is now in the warm cache...
    assert_eq!(
        app.get("/api/v1/sessions/s1/groups", Some(&key)).await.0,
        200
    );
    assert_eq!(
        app.get("/api/v1/sessions/s1/groups/1@g.us", Some(&key))
            .await
            .0,
        200
    );

    // ...so after the cut, the 503 comes from each handler's own store call.
    cable.cut();
    for path in [
        "/api/v1/sessions/s1/groups",
        "/api/v1/sessions/s1/groups/1@g.us",
    ] {
        let answer = app.get(path, Some(&key)).await;
        assert_error(&answer, 503, "unavailable", json!({}));
    }
}

#[tokio::test]
async fn authentication_answers_503_not_401_when_it_cannot_read_keys() {
    let moto = endpoint().trim_start_matches("http://").to_owned();
    let cable = Cable::to(moto).await;
    let app = app_behind(&cable).await;
    let key = app.api_key("org-a", "read").await;
    cable.cut();
    let answer = app.get("/api/v1/sessions/s1/groups", Some(&key)).await;
    assert_error(&answer, 503, "unavailable", json!({}));
}

/// WhatsApp made the group but DynamoDB went away before it was stored: 503, naming the group
/// so the caller knows it exists and does not make it again.
#[tokio::test]
async fn a_group_created_but_not_stored_is_503_with_its_jid() {
    let moto = endpoint().trim_start_matches("http://").to_owned();
    let cable = Cable::to(moto).await;
    let app = app_behind(&cable).await;
    app.add_session("org-a", "s1").await;
    app.whatsapp_session("s1", true).await;
    let key = app.api_key("org-a", "send").await;
    // WhatsApp takes a moment to create the group: long enough to cut the cable meanwhile.
    app.fault(json!({"session": "s1", "operation": "createGroup", "delayMs": 500, "times": 1}))
        .await;

    let body = r#"{"name": "Team", "participants": ["6281111111111@s.whatsapp.net"]}"#;
    let request = app.post("/api/v1/sessions/s1/groups", Some(&key), body);
    let cut_once_whatsapp_has_the_call = async {
        // Waits for a condition (the call reached WhatsApp), bounded; not a timed guess.
        for _ in 0..400 {
            if app.calls("s1").await > 0 {
                cable.cut();
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("the create call never reached the connection service");
    };
    let (answer, ()) = tokio::join!(request, cut_once_whatsapp_has_the_call);

    let made = app.whatsapp_groups("s1").await;
    assert_eq!(made.len(), 1);
    assert_error(
        &answer,
        503,
        "unavailable",
        json!({"groupJid": made[0]["groupJid"]}),
    );
    assert!(
        answer.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("created on WhatsApp")
    );
}
