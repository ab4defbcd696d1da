//! getGroup over HTTP: found, missing, foreign, JID forms, request budget.

use serde_json::json;

use crate::support::{assert_error, spawn_app};

const JID: &str = "120363021234567890@g.us";

#[tokio::test]
async fn returns_the_stored_group_in_the_contract_shape() {
    let app = spawn_app().await;
    let session = app.add_session("org-a", "s1").await;
    let stored = app.add_group(&session, JID, "Project Team").await;
    let key = app.api_key("org-a", "read").await;

    let (status, body) = app
        .get(&format!("/api/v1/sessions/s1/groups/{JID}"), Some(&key))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({
            "id": 1, "groupJid": JID, "subject": "Project Team", "description": "",
            "ownerJid": "6281234567890@s.whatsapp.net", "participantCount": 2,
            "isAnnounce": false, "isLocked": false, "createdAtWa": 1_700_000_000_000_i64,
            "firstSeenAt": stored.first_seen_at, "updatedAt": stored.updated_at,
            "leftAt": null,
        })
    );
}

#[tokio::test]
async fn jid_works_raw_percent_encoded_and_in_legacy_form() {
    let app = spawn_app().await;
    let session = app.add_session("org-a", "s1").await;
    app.add_group(&session, JID, "Current").await;
    let legacy = "6281234567890-1700000000@g.us";
    app.add_group(&session, legacy, "Legacy").await;
    let key = app.api_key("org-a", "read").await;

    for path in [
        format!("/api/v1/sessions/s1/groups/{JID}"),
        "/api/v1/sessions/s1/groups/120363021234567890%40g.us".to_owned(),
    ] {
        let (status, body) = app.get(&path, Some(&key)).await;
        assert_eq!(
            (status, body["subject"].as_str()),
            (200, Some("Current")),
            "{path}"
        );
    }
    let (status, body) = app
        .get(
            "/api/v1/sessions/s1/groups/6281234567890-1700000000%40g.us",
            Some(&key),
        )
        .await;
    assert_eq!((status, body["groupJid"].as_str()), (200, Some(legacy)));
}

#[tokio::test]
async fn a_group_that_is_not_stored_is_404() {
    let app = spawn_app().await;
    app.add_session("org-a", "s1").await;
    let key = app.api_key("org-a", "read").await;
    let answer = app
        .get(&format!("/api/v1/sessions/s1/groups/{JID}"), Some(&key))
        .await;
    assert_error(&answer, 404, "not_found", json!({}));
}

#[tokio::test]
async fn a_missing_session_is_404() {
    let app = spawn_app().await;
    let key = app.api_key("org-a", "read").await;
    let answer = app
        .get(&format!("/api/v1/sessions/nope/groups/{JID}"), Some(&key))
        .await;
    assert_error(&answer, 404, "not_found", json!({}));
}

#[tokio::test]
async fn read_capability_is_required() {
    let app = spawn_app().await;
    let session = app.add_session("org-a", "s1").await;
    app.add_group(&session, JID, "Team").await;
    let send_only = app.api_key("org-a", "send").await;
    let answer = app
        .get(
            &format!("/api/v1/sessions/s1/groups/{JID}"),
            Some(&send_only),
        )
        .await;
    assert_error(
        &answer,
        403,
        "forbidden",
        json!({"reason": "missing_capability", "required": "read"}),
    );
}

#[tokio::test]
async fn malformed_path_segments_are_400_naming_the_field() {
    let app = spawn_app().await;
    app.add_session("org-a", "s1").await;
    let key = app.api_key("org-a", "read").await;
    let long = "a".repeat(65);
    let cases = [
        (format!("/api/v1/sessions/{long}/groups/{JID}"), "session"),
        (format!("/api/v1/sessions/s%20x/groups/{JID}"), "session"),
        (format!("/api/v1/sessions/%C3%A4/groups/{JID}"), "session"),
        (format!("/api/v1/sessions/s%00/groups/{JID}"), "session"),
        ("/api/v1/sessions/s1/groups/123".to_owned(), "gid"),
        ("/api/v1/sessions/s1/groups/abc%40g.us".to_owned(), "gid"),
        (
            "/api/v1/sessions/s1/groups/123%40s.whatsapp.net".to_owned(),
            "gid",
        ),
        ("/api/v1/sessions/s1/groups/%00".to_owned(), "gid"),
        ("/api/v1/sessions/s1/groups/%FF%FE".to_owned(), "gid"),
        (
            "/api/v1/sessions/s1/groups/%E2%82%AC%40g.us".to_owned(),
            "gid",
        ),
        (
            format!("/api/v1/sessions/s1/groups/{}%40g.us", "1".repeat(300)),
            "gid",
        ),
        ("/api/v1/sessions/s1/groups/1-2-3%40g.us".to_owned(), "gid"),
    ];
    for (path, field) in cases {
        let (status, body) = app.get(&path, Some(&key)).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["error"]["code"], "validation_error", "{path}");
        assert_eq!(body["error"]["details"]["field"], field, "{path}");
    }
}

#[tokio::test]
async fn authentication_comes_before_validation_and_lookups() {
    let app = spawn_app().await;
    // No token, with a malformed path and a session that does not exist: still 401.
    let answer = app.get("/api/v1/sessions/s%00/groups/nope", None).await;
    assert_error(&answer, 401, "unauthorized", json!({}));
}

#[tokio::test]
async fn happy_path_costs_one_dynamodb_request() {
    let app = spawn_app().await;
    let session = app.add_session("org-a", "s1").await;
    app.add_group(&session, JID, "Team").await;
    let key = app.api_key("org-a", "read").await;
    let path = format!("/api/v1/sessions/s1/groups/{JID}");

    // The first request reads the API key, the session and the group in one batch; later ones
    // find the key and the session in the warm caches and read the group alone.
    assert_eq!(app.get(&path, Some(&key)).await.0, 200);
    assert_eq!(app.requests.take(), ["BatchGetItem"]);
    assert_eq!(app.get(&path, Some(&key)).await.0, 200);
    assert_eq!(app.requests.take(), ["GetItem"]);
}

#[tokio::test]
async fn a_key_read_with_the_group_is_still_judged_first() {
    // Each request finds the warm caches expired, so the key's record is read in the same
    // batch as the session and the group; its verdict must still come before theirs.
    let app = spawn_app().await;
    let session = app.add_session("org-b", "s1").await;
    app.add_group(&session, JID, "Theirs").await;
    let path = format!("/api/v1/sessions/s1/groups/{JID}");
    let unknown = gateway_auth::api_key::generate().key;
    let send_only = app.api_key("org-a", "send").await;
    let ours = app.api_key("org-a", "read").await;

    let cases = [
        (&unknown, path.as_str(), 401, "unauthorized"),
        (
            &unknown,
            "/api/v1/sessions/s1/groups/nope",
            401,
            "unauthorized",
        ),
        (&send_only, path.as_str(), 403, "forbidden"),
        (
            &send_only,
            "/api/v1/sessions/s1/groups/nope",
            403,
            "forbidden",
        ),
        (
            &ours,
            "/api/v1/sessions/s1/groups/nope",
            400,
            "validation_error",
        ),
        (&ours, path.as_str(), 404, "not_found"),
    ];
    for (key, path, status, code) in cases {
        app.clock.advance_ms(61_000);
        app.requests.take();
        let (got, body) = app.get(path, Some(key)).await;
        assert!(app.requests.take().len() <= 1, "{path}: one read at most");
        assert_eq!(
            (got, body["error"]["code"].as_str()),
            (status, Some(code)),
            "{path}: {body}"
        );
    }
}
