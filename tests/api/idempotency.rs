//! createGroup with an `Idempotency-Key`: retries never make a second group.

use gateway_domain::OrgId;
use gateway_live::idempotency;
use lambda_http::Body;
use serde_json::{Value, json};

use crate::support::{TestApp, assert_error, read, spawn_app};

const PATH: &str = "/api/v1/sessions/s1/groups";
const BODY: &str = r#"{"name": "Launch", "participants": ["6281111111111@s.whatsapp.net"]}"#;

async fn ready() -> (TestApp, String) {
    let app = spawn_app().await;
    app.add_session("org-a", "s1").await;
    app.whatsapp_session("s1", true).await;
    let key = app.api_key("org-a", "read,send").await;
    (app, key)
}

/// POST with an idempotency key: (status, body, replayed?, location).
async fn create(
    app: &TestApp,
    token: &str,
    idempotency_key: &str,
    path: &str,
    body: &str,
) -> (u16, Value, bool, Option<String>) {
    let response = app
        .http
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .header("idempotency-key", idempotency_key)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let replayed = response
        .headers()
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true");
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    let (status, body) = read(response).await;
    (status, body, replayed, location)
}

#[tokio::test]
async fn a_repeated_request_is_answered_from_the_record_without_whatsapp() {
    let (app, key) = ready().await;
    let first = create(&app, &key, "order-1", PATH, BODY).await;
    let second = create(&app, &key, "order-1", PATH, BODY).await;
    assert_eq!((first.0, first.2), (201, false));
    assert_eq!((second.0, second.2), (201, true));
    assert_eq!(first.1, second.1, "the same body");
    assert_eq!(first.3, second.3, "the same Location");
    assert_eq!(app.whatsapp_groups("s1").await.len(), 1);
    assert_eq!(app.calls("s1").await, 1, "the replay did not call WhatsApp");
}

#[tokio::test]
async fn a_retry_after_a_timeout_completes_with_the_group_made_the_first_time() {
    let (app, key) = ready().await;
    app.fault(json!({"session": "s1", "operation": "createGroup", "delayMs": 3000, "times": 1}))
        .await;
    let timed_out = create(&app, &key, "order-2", PATH, BODY).await;
    assert_eq!(timed_out.0, 504, "{}", timed_out.1);
    app.emulator.emulator.settled().await;
    let made = app.whatsapp_groups("s1").await;
    assert_eq!(made.len(), 1, "the first attempt did make the group");

    let retry = create(&app, &key, "order-2", PATH, BODY).await;
    assert_eq!((retry.0, retry.2), (201, false), "{}", retry.1);
    assert_eq!(retry.1["groupJid"], made[0]["groupJid"]);
    assert_eq!(
        app.whatsapp_groups("s1").await.len(),
        1,
        "and only that one"
    );
    let (_, list) = app.get(PATH, Some(&key)).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1, "now stored");
}

#[tokio::test]
async fn the_same_key_with_another_body_is_422() {
    let (app, key) = ready().await;
    assert_eq!(create(&app, &key, "order-3", PATH, BODY).await.0, 201);
    let other = BODY.replace("Launch", "Other");
    let (status, body, ..) = create(&app, &key, "order-3", PATH, &other).await;
    assert_error(&(status, body), 422, "idempotency_mismatch", json!({}));
    assert_eq!(app.whatsapp_groups("s1").await.len(), 1);
}

#[tokio::test]
async fn concurrent_requests_with_one_key_make_one_group() {
    let (app, key) = ready().await;
    // WhatsApp is slow, so the others arrive while the first is in progress.
    app.fault(json!({"session": "s1", "operation": "createGroup", "delayMs": 500}))
        .await;
    let requests = (0..6).map(|_| create(&app, &key, "order-4", PATH, BODY));
    let answers = futures_util::future::join_all(requests).await;
    let created: Vec<_> = answers.iter().filter(|a| a.0 == 201 && !a.2).collect();
    assert_eq!(created.len(), 1, "{answers:?}");
    for answer in &answers {
        match answer.0 {
            201 => assert_eq!(answer.1, created[0].1),
            409 => assert_eq!(answer.1["error"]["code"], "request_in_progress"),
            other => panic!("unexpected {other}: {}", answer.1),
        }
    }
    assert!(answers.iter().any(|a| a.0 == 409));
    app.emulator.emulator.settled().await;
    assert_eq!(app.whatsapp_groups("s1").await.len(), 1);
}

#[tokio::test]
async fn in_progress_answers_409_with_retry_after() {
    let (app, key) = ready().await;
    app.fault(json!({"session": "s1", "operation": "createGroup", "delayMs": 800, "times": 1}))
        .await;
    let first = create(&app, &key, "order-5", PATH, BODY);
    let second = async {
        // Once WhatsApp has the first call, the key is certainly claimed.
        for _ in 0..400 {
            if app.calls("s1").await > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let response = app
            .http
            .post(format!("{}{PATH}", app.base))
            .bearer_auth(&key)
            .header("idempotency-key", "order-5")
            .body(BODY)
            .send()
            .await
            .unwrap();
        let retry_after: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        (read(response).await, retry_after)
    };
    let (first, (second, retry_after)) = tokio::join!(first, second);
    assert_eq!(first.0, 201);
    assert_eq!(second.0, 409);
    assert_eq!(second.1["error"]["code"], "request_in_progress");
    assert!((1..=30).contains(&retry_after), "{retry_after}");
    assert_eq!(second.1["error"]["details"]["retryAfterS"], retry_after);
}

#[tokio::test]
async fn keys_are_scoped_to_the_organization() {
    let (app, key_a) = ready().await;
    app.add_session("org-b", "s2").await;
    app.whatsapp_session("s2", true).await;
    let key_b = app.api_key("org-b", "send").await;
    let a = create(&app, &key_a, "shared-key", PATH, BODY).await;
    let b = create(
        &app,
        &key_b,
        "shared-key",
        "/api/v1/sessions/s2/groups",
        BODY,
    )
    .await;
    assert_eq!((a.0, a.2, b.0, b.2), (201, false, 201, false));
    assert_ne!(a.1["groupJid"], b.1["groupJid"]);
}

#[tokio::test]
async fn final_refusals_are_replayed_and_retryable_failures_are_not() {
    let (app, key) = ready().await;
    let invalid = r#"{"name": "", "participants": []}"#;
    let first = create(&app, &key, "order-6", PATH, invalid).await;
    let again = create(&app, &key, "order-6", PATH, invalid).await;
    assert_eq!((first.0, again.0, again.2), (400, 400, true));
    assert_eq!(first.1, again.1);

    // Not connected (501) may change: the retry runs again, and succeeds once connected.
    app.whatsapp_session("s1", false).await;
    assert_eq!(create(&app, &key, "order-7", PATH, BODY).await.0, 501);
    app.whatsapp_session("s1", true).await;
    // Released for the same request only: another body under the key is still refused.
    let other = BODY.replace("Launch", "Other");
    let (status, body, ..) = create(&app, &key, "order-7", PATH, &other).await;
    assert_error(&(status, body), 422, "idempotency_mismatch", json!({}));
    let retry = create(&app, &key, "order-7", PATH, BODY).await;
    assert_eq!((retry.0, retry.2), (201, false));
}

#[tokio::test]
async fn a_malformed_key_is_400() {
    let (app, key) = ready().await;
    for bad in ["with space", &"k".repeat(256)] {
        let (status, body, ..) = create(&app, &key, bad, PATH, BODY).await;
        assert_error(
            &(status, body),
            400,
            "validation_error",
            json!({"field": "Idempotency-Key", "reason": "must be 1-255 visible ASCII characters"}),
        );
    }
    assert_eq!(app.calls("s1").await, 0);
}

/// The record a dead function left behind: claimed, never finished.
async fn abandoned_claim(app: &TestApp, idempotency_key: &str) {
    let request = lambda_http::http::Request::builder()
        .uri(PATH)
        .header("idempotency-key", idempotency_key)
        .header("content-type", "application/json")
        .body(Body::Text(BODY.to_owned()))
        .unwrap();
    let inputs = gateway_http::Inputs::of(&request).unwrap();
    let key = idempotency::IdempotencyKey::read(&inputs).unwrap().unwrap();
    let hash = idempotency::request_hash(&inputs);
    use gateway_domain::Clock;
    let claim = app
        .store
        .claim_idempotency_key(
            &key.record_id(&OrgId::parse("org-a").unwrap()),
            &hash,
            "dead-attempt",
            app.clock.now_ms(),
            idempotency::IN_PROGRESS_MS,
        )
        .await
        .unwrap();
    assert!(matches!(claim, gateway_store::Claim::Claimed { .. }));
}

#[tokio::test]
async fn a_claim_whose_function_died_expires_after_the_timeout_and_margin() {
    let (app, key) = ready().await;
    abandoned_claim(&app, "order-8").await;
    assert_eq!(create(&app, &key, "order-8", PATH, BODY).await.0, 409);
    app.clock.advance_ms(idempotency::IN_PROGRESS_MS - 1);
    assert_eq!(create(&app, &key, "order-8", PATH, BODY).await.0, 409);
    app.clock.advance_ms(1);
    let taken_over = create(&app, &key, "order-8", PATH, BODY).await;
    assert_eq!((taken_over.0, taken_over.2), (201, false));
}

#[tokio::test]
async fn a_finished_record_is_kept_for_24_hours() {
    let (app, key) = ready().await;
    assert_eq!(create(&app, &key, "order-9", PATH, BODY).await.0, 201);
    app.clock.advance_ms(idempotency::KEEP_MS - 1);
    assert!(
        create(&app, &key, "order-9", PATH, BODY).await.2,
        "replayed within 24 h"
    );
    app.clock.advance_ms(1);
    let after = create(&app, &key, "order-9", PATH, BODY).await;
    assert_eq!((after.0, after.2), (201, false), "runs again after 24 h");
    assert_eq!(app.calls("s1").await, 2);
}
