//! createGroup over HTTP: local API, moto's server, the connection emulator.

use serde_json::{Value, json};

use crate::support::{ACCOUNT, TestApp, assert_error, read, spawn_app, spawn_app_with_connection};

const PATH: &str = "/api/v1/sessions/s1/groups";
const BODY: &str = r#"{"name": "  Project Team  ", "participants": ["6281111111111@s.whatsapp.net", "6282222222222@c.us", "123456789@lid"]}"#;

/// Org A owns connected session s1; returns the app and a read,send key of org A.
async fn ready() -> (TestApp, String) {
    let app = spawn_app().await;
    app.add_session("org-a", "s1").await;
    app.whatsapp_session("s1", true).await;
    let key = app.api_key("org-a", "read,send").await;
    (app, key)
}

async fn assert_nothing_happened(app: &TestApp) {
    assert!(
        app.whatsapp_groups("s1").await.is_empty(),
        "a group was made on WhatsApp"
    );
    let session = gateway_domain::SessionId::parse("s1").unwrap();
    let stored = app
        .store
        .list_groups(&session, None, 10, true)
        .await
        .unwrap();
    assert!(stored.groups.is_empty(), "a group was stored");
}

#[tokio::test]
async fn creates_on_whatsapp_stores_and_answers_201_with_location() {
    let (app, key) = ready().await;
    let response = app
        .send(reqwest::Method::POST, PATH, Some(&key), BODY)
        .await;
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let (status, group) = read(response).await;
    assert_eq!(status, 201, "{group}");
    let jid = group["groupJid"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/sessions/s1/groups/{jid}"));
    assert_eq!(group["id"], 1);
    assert_eq!(group["subject"], "Project Team");
    assert_eq!(group["description"], "");
    assert_eq!(group["ownerJid"], ACCOUNT);
    assert_eq!(
        group["participantCount"], 4,
        "three participants and the owner"
    );
    assert_eq!(
        (group["isAnnounce"].clone(), group["isLocked"].clone()),
        (json!(false), json!(false))
    );
    assert_eq!(group["firstSeenAt"], group["updatedAt"]);

    let on_whatsapp = app.whatsapp_group("s1", &jid).await;
    assert_eq!(on_whatsapp["createdAt"], group["createdAtWa"]);
    let participants: Vec<&str> = on_whatsapp["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["jid"].as_str().unwrap())
        .collect();
    assert!(
        participants.contains(&"6282222222222@s.whatsapp.net"),
        "@c.us is sent normalised"
    );

    // What WhatsApp did for each participant, in request order.
    assert_eq!(
        group["results"],
        json!([
            {"jid": "6281111111111@s.whatsapp.net", "status": "added"},
            {"jid": "6282222222222@s.whatsapp.net", "status": "added"},
            {"jid": "123456789@lid", "status": "added"}
        ])
    );
    // It is listed at once, and reads back the same (the group, without the results).
    let mut group = group;
    group.as_object_mut().unwrap().remove("results");
    let (_, list) = app.get(PATH, Some(&key)).await;
    assert_eq!(list["data"], json!([group.clone()]));
    assert_eq!(app.get(&location, Some(&key)).await, (200, group));
}

#[tokio::test]
async fn is_not_idempotent_two_calls_make_two_groups() {
    let (app, key) = ready().await;
    let (_, first) = app.post(PATH, Some(&key), BODY).await;
    let (_, second) = app.post(PATH, Some(&key), BODY).await;
    assert_ne!(first["groupJid"], second["groupJid"]);
    assert_eq!(
        (first["id"].clone(), second["id"].clone()),
        (json!(1), json!(2))
    );
    assert_eq!(app.whatsapp_groups("s1").await.len(), 2);
}

#[tokio::test]
async fn send_capability_is_required_and_nothing_is_called() {
    let (app, _) = ready().await;
    let read_only = app.api_key("org-a", "read").await;
    let answer = app.post(PATH, Some(&read_only), BODY).await;
    assert_error(
        &answer,
        403,
        "forbidden",
        json!({"reason": "missing_capability", "required": "send"}),
    );
    let member = app.token("org-a", "member");
    let answer = app.post(PATH, Some(&member), BODY).await;
    assert_error(
        &answer,
        403,
        "forbidden",
        json!({"reason": "missing_capability", "required": "send"}),
    );
    let admin = app.token("org-a", "admin");
    assert_eq!(
        app.post(PATH, Some(&admin), BODY).await.0,
        201,
        "an admin may send"
    );
    assert_eq!(app.calls("s1").await, 1);
}

#[tokio::test]
async fn another_orgs_session_is_404_and_nothing_is_called() {
    let (app, _) = ready().await;
    let key_b = app.api_key("org-b", "read,send").await;
    let foreign = app.post(PATH, Some(&key_b), BODY).await;
    let missing = app
        .post("/api/v1/sessions/nobody/groups", Some(&key_b), BODY)
        .await;
    assert_error(&foreign, 404, "not_found", json!({}));
    assert_eq!(foreign, missing);
    assert_eq!(app.calls("s1").await, 0);
    assert_nothing_happened(&app).await;
}

#[tokio::test]
async fn a_disconnected_session_is_501_and_nothing_is_stored() {
    let (app, key) = ready().await;
    app.whatsapp_session("s1", false).await;
    let answer = app.post(PATH, Some(&key), BODY).await;
    assert_error(&answer, 501, "not_implemented", json!({}));
    assert_nothing_happened(&app).await;
}

#[tokio::test]
async fn rate_limited_by_whatsapp_is_429_with_retry_after() {
    let (app, key) = ready().await;
    app.fault(json!({"session": "s1", "operation": "createGroup", "error": "rate_limited", "retryAfterS": 17})).await;
    let response = app
        .send(reqwest::Method::POST, PATH, Some(&key), BODY)
        .await;
    assert_eq!(response.headers()["retry-after"], "17");
    let answer = read(response).await;
    assert_error(&answer, 429, "rate_limited", json!({"retryAfterS": 17}));
    assert_nothing_happened(&app).await;
}

#[tokio::test]
async fn a_request_the_service_refuses_as_bad_is_400() {
    let (app, key) = ready().await;
    app.fault(json!({"session": "s1", "operation": "createGroup", "error": "bad_request"}))
        .await;
    let answer = app.post(PATH, Some(&key), BODY).await;
    assert_eq!(answer.0, 400, "{}", answer.1);
    assert_eq!(answer.1["error"]["code"], "validation_error");
    assert_eq!(answer.1["error"]["details"]["field"], "body");
    assert_nothing_happened(&app).await;
}

#[tokio::test]
async fn the_service_failing_is_502() {
    let (app, key) = ready().await;
    app.fault(json!({"session": "s1", "operation": "createGroup", "status": 503}))
        .await;
    let answer = app.post(PATH, Some(&key), BODY).await;
    assert_error(&answer, 502, "upstream_unavailable", json!({}));
    assert_eq!(
        app.calls("s1").await,
        1,
        "creating a group is never retried"
    );
}

#[tokio::test]
async fn a_slow_service_is_504_within_the_deadline_and_says_the_outcome_is_unknown() {
    let (app, key) = ready().await;
    app.fault(json!({"session": "s1", "operation": "createGroup", "delayMs": 4000, "times": 1}))
        .await;
    let started = std::time::Instant::now();
    let answer = app.post(PATH, Some(&key), BODY).await;
    assert_error(&answer, 504, "upstream_timeout", json!({}));
    assert!(
        answer.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("may or may not")
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "answered before the service did"
    );
    // The service did make it in the end: the caller was right to be told "unknown".
    app.emulator.emulator.settled().await;
    assert_eq!(app.whatsapp_groups("s1").await.len(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_502() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let app = spawn_app_with_connection(Some(&format!("http://127.0.0.1:{closed}"))).await;
    app.add_session("org-a", "s1").await;
    let key = app.api_key("org-a", "send").await;
    let answer = app.post(PATH, Some(&key), BODY).await;
    assert_error(&answer, 502, "upstream_unavailable", json!({}));
}

fn participants(n: usize) -> Value {
    Value::Array(
        (0..n)
            .map(|i| json!(format!("62{i:010}@s.whatsapp.net")))
            .collect(),
    )
}

#[tokio::test]
async fn invalid_bodies_are_400_and_never_reach_whatsapp() {
    let (app, key) = ready().await;
    let one = json!(["6281111111111@s.whatsapp.net"]);
    let cases: Vec<(String, &str)> = vec![
        (json!({"participants": one}).to_string(), "name"),
        (
            json!({"name": "   ", "participants": one}).to_string(),
            "name",
        ),
        (
            json!({"name": "x".repeat(101), "participants": one}).to_string(),
            "name",
        ),
        (
            json!({"name": null, "participants": one}).to_string(),
            "name",
        ),
        (json!({"name": 5, "participants": one}).to_string(), "name"),
        (json!({"name": "Team"}).to_string(), "participants"),
        (
            json!({"name": "Team", "participants": []}).to_string(),
            "participants",
        ),
        (
            json!({"name": "Team", "participants": participants(1024)}).to_string(),
            "participants",
        ),
        (
            json!({"name": "Team", "participants": "6281@s.whatsapp.net"}).to_string(),
            "participants",
        ),
        (
            json!({"name": "Team", "participants": ["6281@s.whatsapp.net", "nope"]}).to_string(),
            "participants[1]",
        ),
        (
            json!({"name": "Team", "participants": ["6281@g.us"]}).to_string(),
            "participants[0]",
        ),
        (
            json!({"name": "Team", "participants": ["6281@s.whatsapp.net", "6281@c.us"]})
                .to_string(),
            "participants[1]",
        ),
        (
            json!({"name": "Team", "participants": one, "description": "x"}).to_string(),
            "description",
        ),
        ("null".to_owned(), "body"),
        ("[]".to_owned(), "body"),
        // serde fills a struct from an array by position; the API takes objects only.
        (
            json!(["Team", ["6281111111111@s.whatsapp.net"]]).to_string(),
            "body",
        ),
        ("{not json".to_owned(), "body"),
        (String::new(), "body"),
    ];
    for (body, field) in cases {
        let (status, answer) = app.post(PATH, Some(&key), &body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], "validation_error", "{body}");
        let named = answer["error"]["details"]["field"]
            .as_str()
            .unwrap_or_default();
        assert!(
            named == field || named.starts_with(field),
            "{body}: field {named}, want {field}"
        );
    }
    assert_eq!(app.calls("s1").await, 0);
    assert_nothing_happened(&app).await;
}

#[tokio::test]
async fn the_largest_valid_group_is_accepted() {
    let (app, key) = ready().await;
    let body = json!({"name": "x".repeat(100), "participants": participants(1023)}).to_string();
    let (status, group) = app.post(PATH, Some(&key), &body).await;
    assert_eq!(status, 201, "{group}");
    assert_eq!(group["participantCount"], 1024);
}

#[tokio::test]
async fn a_body_over_64_kib_is_413_before_anything_else_about_it() {
    let (app, key) = ready().await;
    let huge = format!(
        r#"{{"name": "{}", "participants": []}}"#,
        "x".repeat(70 * 1024)
    );
    let answer = app
        .post("/api/v1/sessions/bad%20id/groups", Some(&key), &huge)
        .await;
    assert_error(&answer, 413, "payload_too_large", json!({"limit": 65536}));
    assert_eq!(app.calls("s1").await, 0);
}

#[tokio::test]
async fn a_wrong_content_type_is_400() {
    let (app, key) = ready().await;
    let response = app
        .http
        .post(format!("{}{PATH}", app.base))
        .bearer_auth(&key)
        .header("content-type", "text/plain")
        .body(BODY)
        .send()
        .await
        .unwrap();
    let answer = read(response).await;
    assert_eq!(answer.1["error"]["details"]["field"], "Content-Type");
    assert_eq!(app.calls("s1").await, 0);
}
