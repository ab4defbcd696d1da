//! What the security and reliability review asked for: no duplicate groups after an ambiguous
//! failure, nothing read of another organization's partition before its 404, our own answer
//! inside the deadline whatever DynamoDB does, stored data that converges after a failed store,
//! and keys that work as soon as they exist.

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{Value, json};

use crate::dynamo_proxy::{DynamoProxy, Trouble};
use crate::support::{TestApp, assert_error, endpoint, read, spawn_app, spawn_app_behind};

const CREATE: &str = "/api/v1/sessions/s1/groups";
const BODY: &str = r#"{"name": "Launch", "participants": ["6281111111111@s.whatsapp.net"]}"#;

async fn ready() -> (TestApp, String) {
    let app = spawn_app().await;
    app.add_session("org-a", "s1").await;
    app.whatsapp_session("s1", true).await;
    let key = app.api_key("org-a", "read,send").await;
    (app, key)
}

async fn create_with_key(app: &TestApp, key: &str, idempotency_key: &str) -> (u16, Value) {
    let response = app
        .http
        .post(format!("{}{CREATE}", app.base))
        .bearer_auth(key)
        .header("idempotency-key", idempotency_key)
        .header("content-type", "application/json")
        .body(BODY)
        .send()
        .await
        .unwrap();
    read(response).await
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_an_unknown_outcome_never_a_retryable_502() {
    let (app, key) = ready().await;
    let lost_answers = [
        json!({"drop": true}),
        json!({"error": "garbage"}),
        json!({"status": 504}),
    ];
    for (n, lost) in lost_answers.into_iter().enumerate() {
        let mut fault = json!({"session": "s1", "operation": "createGroup", "carryOut": true,
                               "times": 1});
        fault
            .as_object_mut()
            .unwrap()
            .extend(lost.as_object().unwrap().clone());
        app.fault(fault).await;
        let idempotency_key = format!("order-{n}");
        let answer = create_with_key(&app, &key, &idempotency_key).await;
        assert_error(&answer, 504, "upstream_timeout", json!({}));
        assert!(
            answer.1["error"]["message"]
                .as_str()
                .unwrap()
                .contains("may or may not"),
            "{answer:?}"
        );
        // It was made; retrying with the key gets that group, and makes no second one.
        assert_eq!(app.whatsapp_groups("s1").await.len(), n + 1);
        let (status, group) = create_with_key(&app, &key, &idempotency_key).await;
        assert_eq!(status, 201, "{group}");
        assert_eq!(app.whatsapp_groups("s1").await.len(), n + 1);
    }
}

#[tokio::test]
async fn a_foreign_session_is_refused_before_anything_of_its_partition_is_read() {
    let (app, _) = ready().await;
    let theirs = app.api_key("org-b", "read").await;
    for i in 0..5 {
        app.add_group(
            &gateway_domain::SessionId::parse("s1").unwrap(),
            &crate::support::jid(i),
            "Theirs",
        )
        .await;
    }
    app.requests.take();
    assert_eq!(app.get(CREATE, Some(&theirs)).await.0, 404);
    assert_eq!(
        app.requests.take(),
        ["BatchGetItem"],
        "the key and the session in one batch: never a Query of the partition"
    );
    // Remembered: the next refusal reads nothing of it.
    assert_eq!(app.get(CREATE, Some(&theirs)).await.0, 404);
    assert!(app.requests.take().is_empty());
}

#[tokio::test]
async fn a_malformed_group_of_another_organization_is_a_404_not_a_500() {
    let (app, _) = ready().await;
    let theirs = app.api_key("org-b", "read").await;
    let jid = "120363000000000001@g.us";
    app.store
        .client()
        .put_item()
        .table_name(app.store.table())
        .item("PK", AttributeValue::S("SESSION#s1".into()))
        .item("SK", AttributeValue::S(format!("GROUP#{jid}")))
        .item("subject", AttributeValue::N("42".into()))
        .send()
        .await
        .unwrap();
    let path = format!("{CREATE}/{jid}");
    assert_error(
        &app.get(&path, Some(&theirs)).await,
        404,
        "not_found",
        json!({}),
    );
}

#[tokio::test]
async fn a_slow_dynamodb_still_gets_our_answer_before_the_deadline() {
    let proxy = DynamoProxy::start(endpoint()).await;
    let timeout = Duration::from_secs(4);
    let app = spawn_app_behind(&proxy, timeout).await;
    app.add_session("org-a", "s1").await;
    let key = app.api_key("org-a", "read").await;
    // Every DynamoDB answer comes after 3 s: the SDK's attempts (2 s each) and retries alone
    // would run for 7 s, past the function's timeout.
    proxy.set(Trouble {
        operations: vec!["GetItem", "BatchGetItem", "Query"],
        delay: Some(Duration::from_millis(3000)),
        fail: None,
    });
    let started = Instant::now();
    let answer = app.get(CREATE, Some(&key)).await;
    let took = started.elapsed();
    assert_error(&answer, 503, "unavailable", json!({}));
    assert!(took < timeout, "answered after {took:?}");
}

#[tokio::test]
async fn a_group_made_but_stored_too_slowly_is_a_503_naming_it_inside_the_deadline() {
    let proxy = DynamoProxy::start(endpoint()).await;
    let timeout = Duration::from_secs(5);
    let app = spawn_app_behind(&proxy, timeout).await;
    app.add_session("org-a", "s1").await;
    app.whatsapp_session("s1", true).await;
    let key = app.api_key("org-a", "send").await;
    // DynamoDB is fine until the group is stored; then it answers after 4 s.
    proxy.set(Trouble {
        operations: vec!["TransactWriteItems", "BatchWriteItem", "PutItem"],
        delay: Some(Duration::from_millis(4000)),
        fail: None,
    });
    let started = Instant::now();
    let (status, body) = app.post(CREATE, Some(&key), BODY).await;
    let took = started.elapsed();
    assert_eq!(status, 503, "{body}");
    let made = app.whatsapp_groups("s1").await;
    assert_eq!(body["error"]["details"]["groupJid"], made[0]["groupJid"]);
    assert!(took < timeout, "answered after {took:?}");
}

#[tokio::test]
async fn a_partly_applied_update_whose_store_failed_converges_through_its_events() {
    let proxy = DynamoProxy::start(endpoint()).await;
    let app = spawn_app_behind(&proxy, Duration::from_secs(10)).await;
    let session = app.add_session("org-a", "s1").await;
    app.whatsapp_session("s1", true).await;
    let key = app.api_key("org-a", "send").await;
    let jid = "120363021234567890@g.us";
    // Not an admin: the subject may change (the group is unlocked), `locked` may not.
    app.live_group(&session, jid, json!({"subject": "Before", "admin": false}))
        .await;
    app.drain_events().await;
    proxy.set(Trouble {
        operations: vec!["UpdateItem"],
        delay: None,
        fail: Some(500),
    });
    let (status, body) = app
        .patch(
            &format!("{CREATE}/120363021234567890%40g.us"),
            Some(&key),
            r#"{"subject": "After", "locked": true}"#,
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["details"]["applied"], json!(["subject"]));
    assert_eq!(
        app.stored("s1", jid).await.unwrap().subject.as_str(),
        "Before"
    );
    // The change's event brings the stored group up to what WhatsApp holds.
    app.drain_events().await;
    assert_eq!(
        app.stored("s1", jid).await.unwrap().subject.as_str(),
        "After"
    );
}

#[tokio::test]
async fn a_key_made_a_moment_ago_works_within_seconds() {
    let app = spawn_app().await;
    app.add_session("org-a", "s1").await;
    let made = gateway_auth::api_key::generate();
    // Tried before it is stored: its absence is remembered, briefly.
    assert_eq!(app.get(CREATE, Some(&made.key)).await.0, 401);
    let record = gateway_auth::api_key::record_for(
        &made,
        gateway_domain::OrgId::parse("org-a").unwrap(),
        gateway_domain::Capabilities::parse_list("read").unwrap(),
        None,
        0,
        None,
    );
    app.store.put_api_key(&record).await.unwrap();
    app.clock.advance_ms(gateway_auth::api_key::MISS_TTL_MS);
    assert_eq!(app.get(CREATE, Some(&made.key)).await.0, 200);
}

#[tokio::test]
async fn an_idempotency_key_used_with_another_content_type_is_another_request() {
    let (app, key) = ready().await;
    let (app, key) = (&app, key.as_str());
    let send = |content_type: &'static str| async move {
        let response = app
            .http
            .post(format!("{}{CREATE}", app.base))
            .bearer_auth(key)
            .header("idempotency-key", "typed")
            .header("content-type", content_type)
            .body(BODY)
            .send()
            .await
            .unwrap();
        read(response).await
    };
    assert_eq!(send("text/plain").await.0, 400);
    // The corrected request is not answered with the first one's 400.
    assert_error(
        &send("application/json").await,
        422,
        "idempotency_mismatch",
        json!({}),
    );
}
