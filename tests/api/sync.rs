//! syncGroups and getGroupSync: one resync per session at a time, and what its
//! `sync.completed` marks left.

use connection_emulator::{Participant, SeedGroup};
use gateway_domain::{GroupJid, SessionId, Subject, UserJid};
use serde_json::{Value, json};

use crate::support::{ACCOUNT, TestApp, assert_error, jid, spawn_app};

const SYNC: &str = "/api/v1/sessions/s1/groups/sync";

fn group(i: usize) -> GroupJid {
    GroupJid::parse(&jid(i)).unwrap()
}

fn seed() -> SeedGroup {
    SeedGroup {
        participants: vec![Participant::member(
            UserJid::parse("6281111111111@s.whatsapp.net").unwrap(),
        )],
        ..SeedGroup::new(Subject::parse("Team").unwrap())
    }
}

/// org-a's session s1 with groups 1, 2 and 3 on WhatsApp and stored; a key with read,send.
async fn ready() -> (TestApp, SessionId, String) {
    let app = spawn_app().await;
    let session = app.add_session("org-a", "s1").await;
    let key = app.api_key("org-a", "read,send").await;
    let emulator = &app.emulator.emulator;
    emulator.put_session(&session, Some(UserJid::parse(ACCOUNT).unwrap()), true);
    for i in 1..=3 {
        emulator.seed_group(&session, &group(i), seed());
    }
    emulator.flush_events().await;
    app.drain_events().await;
    (app, session, key)
}

async fn post_sync(app: &TestApp, key: &str) -> (u16, Value) {
    app.post(SYNC, Some(key), "").await
}

#[tokio::test]
async fn before_the_first_sync_the_state_is_idle_with_nulls() {
    let (app, _, key) = ready().await;
    let (status, body) = app.get(SYNC, Some(&key)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"syncId": null, "state": "idle", "requestedAt": null,
               "completedAt": null, "groupCount": null})
    );
}

#[tokio::test]
async fn reading_the_sync_costs_two_requests_cold_and_one_warm() {
    let (app, _, key) = ready().await;
    app.clock.advance_ms(61_000);
    app.requests.take();
    assert_eq!(app.get(SYNC, Some(&key)).await.0, 200);
    // The key and the session's owner in one batch, then the sync record.
    assert_eq!(app.requests.take(), ["BatchGetItem", "GetItem"]);
    assert_eq!(app.get(SYNC, Some(&key)).await.0, 200);
    assert_eq!(app.requests.take(), ["GetItem"]);
}

#[tokio::test]
async fn a_resync_marks_groups_removed_while_the_service_was_away() {
    let (app, session, key) = ready().await;
    let emulator = &app.emulator.emulator;
    // The service was away while the account was removed from group 2: no event came.
    emulator.put_session(&session, None, false);
    emulator.remove_account(&session, &group(2)).unwrap();
    emulator.put_session(&session, None, true);
    emulator.flush_events().await;
    app.drain_events().await;
    assert_eq!(app.stored("s1", &jid(2)).await.unwrap().left_at, None);

    app.clock.advance_ms(1000);
    let (status, sync) = post_sync(&app, &key).await;
    assert_eq!(status, 202, "{sync}");
    assert_eq!(sync["state"], "running");
    let (_, state) = app.get(SYNC, Some(&key)).await;
    assert_eq!(
        (state["state"].clone(), state["syncId"].clone()),
        (json!("running"), sync["syncId"].clone())
    );

    app.drain_events().await;
    let started_at = app.published().last().unwrap()["startedAt"]
        .as_i64()
        .unwrap();
    assert_eq!(
        app.stored("s1", &jid(2)).await.unwrap().left_at,
        Some(started_at)
    );
    for listed in [1, 3] {
        assert_eq!(app.stored("s1", &jid(listed)).await.unwrap().left_at, None);
    }
    let (_, state) = app.get(SYNC, Some(&key)).await;
    assert_eq!(state["state"], "idle");
    assert_eq!(state["syncId"], sync["syncId"]);
    assert_eq!(state["groupCount"], 2);
    assert!(state["completedAt"].is_i64());
}

#[tokio::test]
async fn a_group_changed_during_the_resync_is_not_marked() {
    let (app, session, key) = ready().await;
    let emulator = &app.emulator.emulator;
    emulator.put_session(&session, None, false);
    emulator.remove_account(&session, &group(2)).unwrap();
    emulator.remove_account(&session, &group(3)).unwrap();
    emulator.put_session(&session, None, true);
    emulator.flush_events().await;
    app.drain_events().await;

    app.clock.advance_ms(1000);
    assert_eq!(post_sync(&app, &key).await.0, 202);
    let sync_events: Vec<Value> = app.published();
    let completed = sync_events.last().unwrap().clone();
    let started_at = completed["startedAt"].as_i64().unwrap();
    // While the sync ran, group 3 changed (the account is back in it): its event comes in
    // before the sync's end.
    app.clock.advance_ms(10);
    emulator.seed_group(&session, &group(3), seed());
    emulator.flush_events().await;
    let rejoined = app.published().last().unwrap().clone();
    assert!(rejoined["at"].as_i64().unwrap() > started_at);
    app.forget_queued_events().await;
    let mut order = vec![rejoined];
    order.extend(
        sync_events
            .iter()
            .filter(|e| e["type"] == "group.snapshot" && e["at"].as_i64() >= Some(started_at))
            .cloned(),
    );
    order.push(completed.clone());
    assert!(
        !completed["groupJids"]
            .as_array()
            .unwrap()
            .contains(&json!(jid(3)))
    );
    app.send_events(&order).await;
    app.drain_events().await;

    assert_eq!(
        app.stored("s1", &jid(2)).await.unwrap().left_at,
        Some(started_at)
    );
    assert_eq!(app.stored("s1", &jid(3)).await.unwrap().left_at, None);
}

#[tokio::test]
async fn two_requests_at_once_share_one_resync() {
    let (app, _, key) = ready().await;
    let (a, b) = tokio::join!(post_sync(&app, &key), post_sync(&app, &key));
    assert_eq!((a.0, b.0), (202, 202), "{a:?} {b:?}");
    assert_eq!(a.1["syncId"], b.1["syncId"]);
    assert_eq!(app.emulator.emulator.calls(Some("s1")).total, 1);
    // While it runs, a third gets it too.
    let (_, c) = post_sync(&app, &key).await;
    assert_eq!(c["syncId"], a.1["syncId"]);
    assert_eq!(app.emulator.emulator.calls(Some("s1")).total, 1);
}

#[tokio::test]
async fn a_sync_still_running_after_15_minutes_counts_as_failed() {
    let (app, _, key) = ready().await;
    // The service never answers with sync.completed: its events are lost.
    let (_, first) = post_sync(&app, &key).await;
    app.forget_queued_events().await;
    app.clock.advance_ms(15 * 60 * 1000);
    let (_, state) = app.get(SYNC, Some(&key)).await;
    assert_eq!(state["state"], "idle");
    let (status, second) = post_sync(&app, &key).await;
    assert_eq!(status, 202);
    assert_ne!(second["syncId"], first["syncId"]);
    assert_eq!(app.emulator.emulator.calls(Some("s1")).total, 2);
}

#[tokio::test]
async fn a_completed_sync_that_is_not_the_running_one_marks_nothing() {
    let (app, _, key) = ready().await;
    assert_eq!(post_sync(&app, &key).await.0, 202);
    app.forget_queued_events().await;
    let stray = json!({
        "type": "sync.completed", "eventId": "stray", "session": "s1",
        "at": 1, "syncId": "sync-not-this-one", "startedAt": i64::MAX / 2, "groupJids": []
    });
    app.send_events(&[stray]).await;
    app.drain_events().await;
    for i in 1..=3 {
        assert_eq!(app.stored("s1", &jid(i)).await.unwrap().left_at, None);
    }
    let (_, state) = app.get(SYNC, Some(&key)).await;
    assert_eq!(state["state"], "running");
}

#[tokio::test]
async fn not_connected_and_rate_limited_pass_through_and_free_the_sync() {
    let (app, session, key) = ready().await;
    app.emulator.emulator.put_session(&session, None, false);
    let answer = post_sync(&app, &key).await;
    assert_error(&answer, 501, "not_implemented", json!({}));
    let (_, state) = app.get(SYNC, Some(&key)).await;
    assert_eq!(state["state"], "idle", "nothing runs");
    app.emulator.emulator.put_session(&session, None, true);
    app.fault(
        json!({"session": "s1", "operation": "requestSync", "error": "rate_limited",
                     "retryAfterS": 30, "times": 1}),
    )
    .await;
    let response = app.send(reqwest::Method::POST, SYNC, Some(&key), "").await;
    assert_eq!(response.headers()["retry-after"], "30");
    let answer = crate::support::read(response).await;
    assert_error(&answer, 429, "rate_limited", json!({"retryAfterS": 30}));
    assert_eq!(
        post_sync(&app, &key).await.0,
        202,
        "the next request starts one"
    );
}

#[tokio::test]
async fn another_organizations_session_is_404_with_no_call() {
    let (app, _, _) = ready().await;
    let theirs = app.api_key("org-b", "read,send").await;
    assert_error(&post_sync(&app, &theirs).await, 404, "not_found", json!({}));
    assert_error(
        &app.get(SYNC, Some(&theirs)).await,
        404,
        "not_found",
        json!({}),
    );
    assert_eq!(app.emulator.emulator.calls(Some("s1")).total, 0);
    let read_only = app.api_key("org-a", "read").await;
    assert_error(
        &post_sync(&app, &read_only).await,
        403,
        "forbidden",
        json!({"reason": "missing_capability", "required": "send"}),
    );
    assert_error(&app.get(SYNC, None).await, 401, "unauthorized", json!({}));
}
