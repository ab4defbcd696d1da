//! updateGroup over HTTP: local API, moto's server, the connection emulator.

use serde_json::{Value, json};

use crate::support::{TestApp, assert_error, spawn_app};

const JID: &str = "120363021234567890@g.us";
const PATH: &str = "/api/v1/sessions/s1/groups/120363021234567890%40g.us";

/// Org A's connected session s1 with group JID, on WhatsApp and stored, the account `admin`.
async fn ready(settings: Value) -> (TestApp, String) {
    let app = spawn_app().await;
    let session = app.add_session("org-a", "s1").await;
    app.whatsapp_session("s1", true).await;
    app.live_group(&session, JID, settings).await;
    let key = app.api_key("org-a", "read,send").await;
    (app, key)
}

fn unlocked(admin: bool) -> Value {
    json!({"subject": "Old", "description": "old", "isAnnounce": false, "isLocked": false,
           "participants": ["6281111111111@s.whatsapp.net"], "admin": admin})
}

/// The stored group equals what WhatsApp holds.
async fn assert_in_step(app: &TestApp) -> Value {
    let live = app.whatsapp_group("s1", JID).await;
    let stored = app.stored("s1", JID).await.unwrap();
    assert_eq!(
        (
            stored.subject.as_str(),
            stored.description.as_str(),
            stored.is_announce,
            stored.is_locked
        ),
        (
            live["subject"].as_str().unwrap(),
            live["description"].as_str().unwrap(),
            live["isAnnounce"].as_bool().unwrap(),
            live["isLocked"].as_bool().unwrap()
        ),
        "stored and WhatsApp differ"
    );
    live
}

#[tokio::test]
async fn applies_every_field_answers_204_and_stores_whatsapps_state() {
    let (app, key) = ready(unlocked(true)).await;
    let before = app.stored("s1", JID).await.unwrap();
    app.clock.advance_ms(5_000);
    let body = r#"{"subject": "  New  ", "description": "", "announce": true, "locked": true}"#;
    let (status, _) = app.patch(PATH, Some(&key), body).await;
    assert_eq!(status, 204);
    let live = assert_in_step(&app).await;
    assert_eq!(
        (live["subject"].as_str(), live["description"].as_str()),
        (Some("New"), Some(""))
    );
    let after = app.stored("s1", JID).await.unwrap();
    assert_eq!(
        (after.id, after.first_seen_at),
        (before.id, before.first_seen_at)
    );
    assert_eq!(after.updated_at, before.updated_at + 5_000);
    let calls = app.calls("s1").await;
    assert_eq!(calls, 4, "one operation per field");
}

#[tokio::test]
async fn omitted_fields_are_left_alone() {
    let (app, key) = ready(unlocked(true)).await;
    assert_eq!(
        app.patch(PATH, Some(&key), r#"{"announce": true}"#).await.0,
        204
    );
    let live = assert_in_step(&app).await;
    assert_eq!(
        (live["subject"].as_str(), live["isAnnounce"].as_bool()),
        (Some("Old"), Some(true))
    );
    assert_eq!(app.calls("s1").await, 1);
}

#[tokio::test]
async fn a_non_admin_may_rename_an_unlocked_group() {
    let (app, key) = ready(unlocked(false)).await;
    assert_eq!(
        app.patch(
            PATH,
            Some(&key),
            r#"{"subject": "Renamed", "description": "d"}"#
        )
        .await
        .0,
        204
    );
    assert_eq!(assert_in_step(&app).await["subject"], "Renamed");
}

#[tokio::test]
async fn a_non_admin_may_not_rename_a_locked_group() {
    let mut settings = unlocked(false);
    settings["isLocked"] = json!(true);
    let (app, key) = ready(settings).await;
    let answer = app
        .patch(PATH, Some(&key), r#"{"subject": "Renamed"}"#)
        .await;
    assert_error(
        &answer,
        403,
        "forbidden",
        json!({"reason": "not_group_admin"}),
    );
    assert_eq!(assert_in_step(&app).await["subject"], "Old");
}

#[tokio::test]
async fn a_non_admin_may_never_change_announce_or_locked() {
    let (app, key) = ready(unlocked(false)).await;
    for body in [r#"{"announce": true}"#, r#"{"locked": true}"#] {
        let answer = app.patch(PATH, Some(&key), body).await;
        assert_error(
            &answer,
            403,
            "forbidden",
            json!({"reason": "not_group_admin"}),
        );
    }
    let live = assert_in_step(&app).await;
    assert_eq!(
        (live["isAnnounce"].as_bool(), live["isLocked"].as_bool()),
        (Some(false), Some(false))
    );
}

#[tokio::test]
async fn a_failure_part_way_keeps_and_stores_what_was_applied_and_a_retry_completes_it() {
    let (app, key) = ready(unlocked(true)).await;
    app.fault(json!({"session": "s1", "operation": "setDescription", "error": "rate_limited", "retryAfterS": 3, "times": 1}))
        .await;
    let body = r#"{"subject": "New", "description": "new", "locked": true}"#;
    let answer = app.patch(PATH, Some(&key), body).await;
    assert_error(
        &answer,
        429,
        "rate_limited",
        json!({"retryAfterS": 3, "applied": ["subject"], "notApplied": ["description", "locked"], "failed": "description"}),
    );
    let live = assert_in_step(&app).await;
    assert_eq!(
        (live["subject"].as_str(), live["description"].as_str()),
        (Some("New"), Some("old"))
    );
    assert_eq!(live["isLocked"], false);

    assert_eq!(app.patch(PATH, Some(&key), body).await.0, 204);
    let live = assert_in_step(&app).await;
    assert_eq!(
        (live["description"].as_str(), live["isLocked"].as_bool()),
        (Some("new"), Some(true))
    );
}

#[tokio::test]
async fn a_non_admin_stopped_at_announce_keeps_the_rename() {
    let (app, key) = ready(unlocked(false)).await;
    let answer = app
        .patch(PATH, Some(&key), r#"{"subject": "New", "announce": true}"#)
        .await;
    assert_error(
        &answer,
        403,
        "forbidden",
        json!({"reason": "not_group_admin", "applied": ["subject"], "notApplied": ["announce"], "failed": "announce"}),
    );
    assert_eq!(assert_in_step(&app).await["subject"], "New");
}

#[tokio::test]
async fn a_disconnected_session_is_501() {
    let (app, key) = ready(unlocked(true)).await;
    app.whatsapp_session("s1", false).await;
    let answer = app.patch(PATH, Some(&key), r#"{"subject": "New"}"#).await;
    assert_error(&answer, 501, "not_implemented", json!({}));
    assert_eq!(app.stored("s1", JID).await.unwrap().subject.as_str(), "Old");
}

#[tokio::test]
async fn groups_that_are_not_stored_or_unknown_to_whatsapp_are_404() {
    let (app, key) = ready(unlocked(true)).await;
    let not_stored = app
        .patch(
            "/api/v1/sessions/s1/groups/999%40g.us",
            Some(&key),
            r#"{"subject": "x"}"#,
        )
        .await;
    assert_error(&not_stored, 404, "not_found", json!({}));
    assert_eq!(
        app.calls("s1").await,
        0,
        "a group that is not stored never reaches WhatsApp"
    );

    // Stored, but WhatsApp does not know it (e.g. the account left it).
    let session = gateway_domain::SessionId::parse("s1").unwrap();
    app.add_group(&session, "555@g.us", "Gone").await;
    let gone = app
        .patch(
            "/api/v1/sessions/s1/groups/555%40g.us",
            Some(&key),
            r#"{"subject": "x"}"#,
        )
        .await;
    assert_error(&gone, 404, "not_found", json!({}));
}

#[tokio::test]
async fn another_orgs_session_is_404_and_nothing_is_called() {
    let (app, _) = ready(unlocked(true)).await;
    let key_b = app.api_key("org-b", "read,send").await;
    let foreign = app
        .patch(PATH, Some(&key_b), r#"{"subject": "Hijacked"}"#)
        .await;
    let missing = app
        .patch(
            "/api/v1/sessions/nobody/groups/120363021234567890%40g.us",
            Some(&key_b),
            r#"{"subject": "Hijacked"}"#,
        )
        .await;
    assert_error(&foreign, 404, "not_found", json!({}));
    assert_eq!(foreign, missing);
    assert_eq!(app.calls("s1").await, 0);
    assert_eq!(app.whatsapp_group("s1", JID).await["subject"], "Old");
}

#[tokio::test]
async fn send_capability_is_required() {
    let (app, _) = ready(unlocked(true)).await;
    let read_only = app.api_key("org-a", "read").await;
    let answer = app
        .patch(PATH, Some(&read_only), r#"{"subject": "x"}"#)
        .await;
    assert_error(
        &answer,
        403,
        "forbidden",
        json!({"reason": "missing_capability", "required": "send"}),
    );
    let member = app.token("org-a", "member");
    assert_eq!(
        app.patch(PATH, Some(&member), r#"{"subject": "x"}"#)
            .await
            .0,
        403
    );
    let guest = app.token("org-a", "guest");
    assert_eq!(
        app.patch(PATH, Some(&guest), r#"{"subject": "x"}"#).await.0,
        403
    );
    assert_eq!(app.calls("s1").await, 0);
}

#[tokio::test]
async fn invalid_bodies_are_400_or_413_and_never_reach_whatsapp() {
    let (app, key) = ready(unlocked(true)).await;
    let cases = [
        ("{}", "body"),
        (r#"{"isAnnounce": true}"#, "isAnnounce"),
        (r#"{"subject": null}"#, "subject"),
        (r#"{"description": null}"#, "description"),
        (r#"{"announce": "true"}"#, "announce"),
        (r#"{"locked": 1}"#, "locked"),
        (r#"{"subject": ""}"#, "subject"),
        (r#"{"subject": "   "}"#, "subject"),
        (r#"{"subject": 7}"#, "subject"),
        ("null", "body"),
        ("[]", "body"),
        ("not json", "body"),
    ];
    for (body, field) in cases {
        let (status, answer) = app.patch(PATH, Some(&key), body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["error"]["details"]["field"], field, "{body}");
    }
    let long_subject = json!({"subject": "x".repeat(101)}).to_string();
    assert_eq!(app.patch(PATH, Some(&key), &long_subject).await.0, 400);
    let long_description = json!({"description": "x".repeat(2049)}).to_string();
    assert_eq!(app.patch(PATH, Some(&key), &long_description).await.0, 400);
    let huge = json!({"description": "x".repeat(70_000)}).to_string();
    assert_error(
        &app.patch(PATH, Some(&key), &huge).await,
        413,
        "payload_too_large",
        json!({"limit": 65536}),
    );
    assert_eq!(app.calls("s1").await, 0);
}

#[tokio::test]
async fn a_slow_service_is_504_and_the_store_follows_whatsapp() {
    let (app, key) = ready(unlocked(true)).await;
    app.fault(json!({"session": "s1", "operation": "setSubject", "delayMs": 3000, "times": 1}))
        .await;
    let answer = app.patch(PATH, Some(&key), r#"{"subject": "Slow"}"#).await;
    assert_error(&answer, 504, "upstream_timeout", json!({}));
    app.emulator.emulator.settled().await;
    // WhatsApp did rename it in the end; the next update brings the store in step.
    assert_eq!(
        app.patch(PATH, Some(&key), r#"{"description": "after"}"#)
            .await
            .0,
        204
    );
    assert_eq!(assert_in_step(&app).await["subject"], "Slow");
}

#[tokio::test]
async fn concurrent_updates_leave_the_store_equal_to_whatsapp() {
    let (app, key) = ready(unlocked(true)).await;
    let bodies: Vec<String> = (0..12)
        .map(|i| match i % 4 {
            0 => json!({"subject": format!("S{i}")}),
            1 => json!({"description": format!("D{i}")}),
            2 => json!({"announce": i % 8 == 2}),
            _ => json!({"subject": format!("T{i}"), "locked": i % 8 == 3}),
        })
        .map(|b| b.to_string())
        .collect();
    let requests = bodies.iter().map(|body| app.patch(PATH, Some(&key), body));
    for (status, body) in futures_util::future::join_all(requests).await {
        assert_eq!(status, 204, "{body}");
    }
    assert_in_step(&app).await;
}
