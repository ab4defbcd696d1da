//! Stored data kept true: the connection service's events, through moto's SQS queue and the
//! ingest function run as Lambda's event source mapping would, against moto's DynamoDB.

use connection_emulator::{Participant, PhoneAction, SeedGroup};
use gateway_domain::{GroupJid, Member, Role, SessionId, Subject, UserJid};
use serde_json::{Value, json};

use crate::support::{ACCOUNT, TestApp, jid, spawn_app};

fn user(n: usize) -> UserJid {
    UserJid::parse(&format!("62877{n:07}@s.whatsapp.net")).unwrap()
}

fn group(i: usize) -> GroupJid {
    GroupJid::parse(&jid(i)).unwrap()
}

fn seed(members: &[UserJid]) -> SeedGroup {
    SeedGroup {
        participants: members.iter().cloned().map(Participant::member).collect(),
        ..SeedGroup::new(Subject::parse("Team").unwrap())
    }
}

/// A session of org-a whose account is on WhatsApp, and a read key.
async fn ready() -> (TestApp, SessionId, String) {
    let app = spawn_app().await;
    let session = app.add_session("org-a", "s1").await;
    let key = app.api_key("org-a", "read").await;
    let account = UserJid::parse(ACCOUNT).unwrap();
    app.emulator
        .emulator
        .put_session(&session, Some(account), true);
    (app, session, key)
}

/// What WhatsApp holds for a group's members, as `(jid, role)` in JID order.
fn on_whatsapp(app: &TestApp, session: &SessionId, gid: &GroupJid) -> Vec<(String, Role)> {
    let group = app.emulator.emulator.group(session, gid).unwrap().group;
    let mut members: Vec<(String, Role)> = group
        .participants
        .iter()
        .map(|p| {
            let role = match p.role {
                connection_emulator::Role::Member => Role::Member,
                connection_emulator::Role::Admin => Role::Admin,
                connection_emulator::Role::Superadmin => Role::Superadmin,
            };
            (p.jid.to_string(), role)
        })
        .collect();
    members.sort();
    members
}

fn as_stored(members: &[Member]) -> Vec<(String, Role)> {
    let mut members: Vec<(String, Role)> = members
        .iter()
        .map(|m| (m.jid.to_string(), m.role))
        .collect();
    members.sort();
    members
}

#[tokio::test]
async fn a_session_connected_with_300_groups_lists_them_all_without_any_import() {
    let (app, session, key) = ready().await;
    let emulator = &app.emulator.emulator;
    // While the service was away, WhatsApp came to hold 300 groups for the account.
    emulator.put_session(&session, None, false);
    for i in 0..300 {
        emulator.seed_group(&session, &group(i), seed(&[user(i)]));
    }
    // Connecting publishes a snapshot of every group; nobody calls the API.
    emulator.put_session(&session, None, true);
    emulator.flush_events().await;
    app.drain_events().await;

    let mut listed = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = app
            .get(
                &format!("/api/v1/sessions/s1/groups?limit=100&cursor={cursor}"),
                Some(&key),
            )
            .await;
        assert_eq!(status, 200, "{page}");
        for g in page["data"].as_array().unwrap() {
            listed.push(g["groupJid"].as_str().unwrap().to_owned());
            assert_eq!(g["participantCount"], 2, "the account and one member");
        }
        cursor = page["nextCursor"].as_str().unwrap().to_owned();
        if cursor.is_empty() {
            break;
        }
    }
    assert_eq!(listed, (0..300).map(jid).collect::<Vec<_>>());
    for i in [0, 150, 299] {
        let stored = app.stored_members("s1", &jid(i)).await;
        assert_eq!(as_stored(&stored), on_whatsapp(&app, &session, &group(i)));
    }
}

#[tokio::test]
async fn duplicated_and_shuffled_events_converge_on_whatsapp() {
    let (app, session, _) = ready().await;
    let emulator = &app.emulator.emulator;
    let gid = group(1);
    emulator.seed_group(&session, &gid, seed(&[user(1), user(2), user(3)]));
    // Changes made on WhatsApp by others: people added, promoted, removed, one who left.
    let changes = [
        (PhoneAction::Add, vec![user(4), user(5)]),
        (PhoneAction::Promote, vec![user(2)]),
        (PhoneAction::Remove, vec![user(3)]),
        (PhoneAction::Leave, vec![user(5)]),
        (PhoneAction::Add, vec![user(6)]),
        (PhoneAction::Demote, vec![user(2)]),
    ];
    for (action, people) in changes {
        app.clock.advance_ms(10);
        emulator
            .phone_change(
                &session,
                &gid,
                action,
                people.into_iter().map(Participant::member).collect(),
            )
            .unwrap();
    }
    emulator.flush_events().await;
    // Every event again, twice, in a scrambled order behind the ones in order.
    let mut published = app.published();
    assert!(published.len() >= 7, "{published:?}");
    let mut scrambled: Vec<Value> = published.iter().rev().cloned().collect();
    scrambled.extend(published.drain(..).step_by(2));
    scrambled.extend(app.published().into_iter().skip(1).step_by(2));
    app.send_events(&scrambled).await;
    app.drain_events().await;

    let stored = app.stored_members("s1", gid.as_str()).await;
    assert_eq!(as_stored(&stored), on_whatsapp(&app, &session, &gid));
    let stored_group = app.stored("s1", gid.as_str()).await.unwrap();
    assert_eq!(stored_group.participant_count as usize, stored.len());
    assert_eq!(app.dead_letters().await, 0);
}

#[tokio::test]
async fn an_older_snapshot_after_a_newer_one_changes_nothing() {
    let (app, session, _) = ready().await;
    let emulator = &app.emulator.emulator;
    let gid = group(2);
    emulator.seed_group(&session, &gid, seed(&[user(1)]));
    app.clock.advance_ms(10);
    emulator.seed_group(&session, &gid, seed(&[user(1), user(2)]));
    emulator.flush_events().await;
    let snapshots: Vec<Value> = app.published();
    assert_eq!(snapshots.len(), 2);
    app.forget_queued_events().await;
    // The newer first, then the older.
    app.send_events(&[snapshots[1].clone()]).await;
    app.drain_events().await;
    app.send_events(&[snapshots[0].clone()]).await;
    app.drain_events().await;
    let stored = app.stored_members("s1", gid.as_str()).await;
    assert_eq!(as_stored(&stored), on_whatsapp(&app, &session, &gid));
    assert_eq!(stored.len(), 3);
}

fn participants_event(
    session: &str,
    gid: &GroupJid,
    version: i64,
    action: &str,
    who: &UserJid,
) -> Value {
    json!({
        "type": "group.participants", "eventId": format!("{action}-{version}"), "session": session,
        "at": version, "groupJid": gid, "version": version, "action": action,
        "participants": [{"jid": who, "role": "member"}]
    })
}

#[tokio::test]
async fn a_removal_is_not_undone_by_a_late_older_add() {
    let (app, session, _) = ready().await;
    let gid = group(3);
    app.emulator
        .emulator
        .seed_group(&session, &gid, seed(&[user(1)]));
    app.emulator.emulator.flush_events().await;
    app.drain_events().await;
    let snapshot_version = app.published()[0]["group"]["version"].as_i64().unwrap();
    let late = user(9);
    // Added at +10, removed at +20; the removal is delivered first.
    app.send_events(&[
        participants_event("s1", &gid, snapshot_version + 20, "remove", &late),
        participants_event("s1", &gid, snapshot_version + 10, "add", &late),
    ])
    .await;
    app.drain_events().await;
    let stored = app.stored_members("s1", gid.as_str()).await;
    assert!(
        stored.iter().all(|m| m.jid != late),
        "revived by a late add: {stored:?}"
    );
    assert_eq!(
        app.stored("s1", gid.as_str())
            .await
            .unwrap()
            .participant_count,
        2
    );
    // A newer add brings them back.
    app.send_events(&[participants_event(
        "s1",
        &gid,
        snapshot_version + 30,
        "add",
        &late,
    )])
    .await;
    app.drain_events().await;
    let stored = app.stored_members("s1", gid.as_str()).await;
    assert!(stored.iter().any(|m| m.jid == late));
}

#[tokio::test]
async fn a_poison_message_fails_alone_and_ends_in_the_dead_letter_queue() {
    let (app, session, key) = ready().await;
    let emulator = &app.emulator.emulator;
    emulator.put_session(&session, None, false);
    for i in 0..9 {
        emulator.seed_group(&session, &group(10 + i), seed(&[user(i)]));
    }
    emulator.put_session(&session, None, true);
    emulator.flush_events().await;
    app.send_events(&[json!({"type": "group.snapshot", "eventId": "bad", "session": "s1"})])
        .await;
    let batches = app.drain_events().await;

    let (_, page) = app.get("/api/v1/sessions/s1/groups", Some(&key)).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 9, "the 9 good ones");
    // Delivered 5 times, failing alone each time, then moved to the dead-letter queue.
    let failures: usize = batches.iter().map(|b| b.failed).sum();
    assert_eq!(failures, 5, "{batches:?}");
    assert_eq!(app.dead_letters().await, 1);
    assert_eq!(app.events.waiting().await.unwrap(), 0);
}

#[tokio::test]
async fn an_event_of_an_unknown_session_is_dropped() {
    let (app, _, _) = ready().await;
    let ghost = json!({
        "type": "group.left", "eventId": "e", "session": "ghost", "at": 1,
        "groupJid": jid(1), "version": 5
    });
    let unknown_type = json!({"type": "group.renamed", "eventId": "e2", "session": "s1", "at": 1});
    app.send_events(&[ghost, unknown_type]).await;
    let batches = app.drain_events().await;
    assert_eq!(batches.iter().map(|b| b.failed).sum::<usize>(), 0);
    assert_eq!(app.dead_letters().await, 0);
}

#[tokio::test]
async fn a_group_the_account_left_is_marked_and_listed_only_on_request() {
    let (app, session, key) = ready().await;
    let emulator = &app.emulator.emulator;
    for i in 0..2 {
        emulator.seed_group(&session, &group(20 + i), seed(&[user(i)]));
    }
    emulator.flush_events().await;
    app.drain_events().await;
    app.clock.advance_ms(5);
    emulator.remove_account(&session, &group(20)).unwrap();
    emulator.flush_events().await;
    app.drain_events().await;

    let left = app.stored("s1", &jid(20)).await.unwrap();
    assert_eq!(
        left.left_at,
        Some(app.published().last().unwrap()["at"].as_i64().unwrap())
    );
    let (_, page) = app.get("/api/v1/sessions/s1/groups", Some(&key)).await;
    let listed: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["groupJid"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [jid(21)]);
    let (_, page) = app
        .get("/api/v1/sessions/s1/groups?includeLeft=true", Some(&key))
        .await;
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let (status, got) = app
        .get(
            &format!("/api/v1/sessions/s1/groups/{}", jid(20)),
            Some(&key),
        )
        .await;
    assert_eq!((status, got["leftAt"].as_i64()), (200, left.left_at));
    let (status, bad) = app
        .get("/api/v1/sessions/s1/groups?includeLeft=yes", Some(&key))
        .await;
    assert_eq!(status, 400, "{bad}");

    // Back in the group: a newer snapshot clears the mark.
    app.clock.advance_ms(5);
    emulator.seed_group(&session, &group(20), seed(&[user(0)]));
    emulator.flush_events().await;
    app.drain_events().await;
    assert_eq!(app.stored("s1", &jid(20)).await.unwrap().left_at, None);
}

#[tokio::test]
async fn events_of_one_organization_never_touch_another() {
    let (app, session, _) = ready().await;
    // Another organization's session holds a group with the same JID.
    let other = app.add_session("org-b", "s2").await;
    app.add_group(&other, &jid(30), "Theirs").await;
    let before = app.stored("s2", &jid(30)).await.unwrap();
    let emulator = &app.emulator.emulator;
    emulator.seed_group(&session, &group(30), seed(&[user(1), user(2)]));
    app.clock.advance_ms(5);
    emulator.remove_account(&session, &group(30)).unwrap();
    emulator.flush_events().await;
    app.drain_events().await;
    assert!(app.stored("s1", &jid(30)).await.unwrap().left_at.is_some());
    assert_eq!(app.stored("s2", &jid(30)).await.unwrap(), before);
    assert!(app.stored_members("s2", &jid(30)).await.is_empty());
}

#[tokio::test]
async fn snapshots_stay_within_their_request_budgets() {
    let (app, session, _) = ready().await;
    let emulator = &app.emulator.emulator;
    let gid = group(40);
    // A 1024-member group stored for the first time.
    let everyone: Vec<UserJid> = (0..1023).map(user).collect();
    emulator.seed_group(&session, &gid, seed(&everyone));
    emulator.flush_events().await;
    app.ingest_requests.take();
    app.drain_events().await;
    let first = app.ingest_requests.take();
    assert!(first.len() <= 50, "{} requests: {first:?}", first.len());
    assert_eq!(app.stored_members("s1", gid.as_str()).await.len(), 1024);

    // One member changed.
    app.clock.advance_ms(5);
    let mut one_changed = everyone.clone();
    one_changed[0] = user(5000);
    emulator.seed_group(&session, &gid, seed(&one_changed));
    emulator.flush_events().await;
    let snapshot = app.published().last().unwrap().clone();
    app.drain_events().await;
    let second = app.ingest_requests.take();
    assert!(second.len() <= 4, "{second:?}");
    assert_eq!(
        app.stored("s1", gid.as_str())
            .await
            .unwrap()
            .participant_count,
        1024
    );

    // The same snapshot again: not newer than stored.
    app.send_events(&[snapshot]).await;
    app.drain_events().await;
    let stale = app.ingest_requests.take();
    assert!(stale.len() <= 1, "{stale:?}");
}
