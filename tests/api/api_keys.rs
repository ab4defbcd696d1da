//! API keys over HTTP: refused shapes, caching, revocation and expiry.

use serde_json::json;

use crate::support::{TestApp, assert_error, spawn_app};

const PATH: &str = "/api/v1/sessions/s1/groups";

async fn app_with_session() -> TestApp {
    let app = spawn_app().await;
    app.add_session("org-a", "s1").await;
    app
}

async fn assert_401(app: &TestApp, token: Option<&str>) {
    let mut request = app.http.get(format!("{}{PATH}", app.base));
    if let Some(token) = token {
        request = request.header("authorization", token);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let answer = crate::support::read(response).await;
    assert_error(&answer, 401, "unauthorized", json!({}));
    assert_eq!(
        answer.1["error"]["message"],
        "missing or invalid bearer token"
    );
}

#[tokio::test]
async fn a_valid_key_reads() {
    let app = app_with_session().await;
    let key = app.api_key("org-a", "read").await;
    assert_eq!(app.get(PATH, Some(&key)).await.0, 200);
}

#[tokio::test]
async fn missing_and_malformed_authorization_is_401() {
    let app = app_with_session().await;
    let key = app.api_key("org-a", "read").await;
    for header in [
        None,
        Some(String::new()),
        Some(key.clone()),
        Some(format!("Basic {key}")),
        Some("Bearer".to_owned()),
        Some("Bearer not-a-key".to_owned()),
        Some(format!("Bearer {key} extra")),
        Some("Bearer wgk_".to_owned()),
    ] {
        assert_401(&app, header.as_deref()).await;
    }
}

#[tokio::test]
async fn an_unknown_key_is_401() {
    let app = app_with_session().await;
    let unknown = gateway_auth::api_key::generate().key;
    assert_401(&app, Some(&format!("Bearer {unknown}"))).await;
}

#[tokio::test]
async fn a_tampered_key_is_401_without_a_dynamodb_read() {
    let app = app_with_session().await;
    let key = app.api_key("org-a", "read").await;
    let mut tampered = key.into_bytes();
    tampered[10] = if tampered[10] == b'x' { b'y' } else { b'x' };
    let tampered = String::from_utf8(tampered).unwrap();
    app.requests.take();
    assert_401(&app, Some(&format!("Bearer {tampered}"))).await;
    assert_eq!(app.requests.take(), Vec::<String>::new());
}

#[tokio::test]
async fn a_revoked_key_stops_working_within_60_seconds() {
    let app = app_with_session().await;
    let key = app.api_key("org-a", "read").await;
    assert_eq!(app.get(PATH, Some(&key)).await.0, 200);
    let key_id = gateway_auth::api_key::parse(&key)
        .unwrap()
        .key_id
        .to_owned();
    assert!(app.store.revoke_api_key(&key_id, 0).await.unwrap());
    app.clock.advance_ms(60_000);
    assert_401(&app, Some(&format!("Bearer {key}"))).await;
}

#[tokio::test]
async fn an_expired_key_is_401() {
    let app = app_with_session().await;
    let expires = app.clock_now() + 1_000;
    let key = app.api_key_expiring("org-a", "read", Some(expires)).await;
    assert_eq!(app.get(PATH, Some(&key)).await.0, 200);
    app.clock.advance_ms(1_000);
    assert_401(&app, Some(&format!("Bearer {key}"))).await;
}

#[tokio::test]
async fn a_warm_function_reads_each_key_once() {
    let app = app_with_session().await;
    let key = app.api_key("org-a", "read").await;
    let unknown = gateway_auth::api_key::generate().key;
    for _ in 0..3 {
        app.get(PATH, Some(&key)).await;
        app.get(PATH, Some(&unknown)).await;
    }
    let reads = app.requests.take();
    // The first request reads its key and the session's owner in one batch, the unknown key
    // costs one GetItem (then both are remembered), and each valid request costs its Query.
    assert_eq!(
        reads,
        ["BatchGetItem", "Query", "GetItem", "Query", "Query"]
    );
}

impl TestApp {
    fn clock_now(&self) -> i64 {
        use gateway_domain::Clock;
        self.clock.now_ms()
    }
}
