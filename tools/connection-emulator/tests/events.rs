//! Events over real HTTP: what each change publishes, versions from the clock, snapshots on
//! connect, resync, and silence while a session is disconnected.

mod support;

use std::collections::HashSet;

use connection_emulator::{EventBody, ParticipantAction, SeedGroup};
use gateway_domain::{GroupJid, SessionId, Subject};
use reqwest::Method;
use serde_json::{Value, json};
use support::{START_MS, Wa, jid, kind};

const ME: &str = "6281000@s.whatsapp.net";

fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn create_and_setters_publish_snapshots_with_the_answers_version() {
    let wa = Wa::start().await;
    wa.session("s1", ME).await;
    assert!(wa.events().await.is_empty(), "a new session has no groups");

    let (status, group) = wa
        .call(
            Method::POST,
            "/v1/sessions/s1/groups",
            Some(json!({"subject": "Team", "participants": [jid(2)]})),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        group["version"], START_MS,
        "the first version is the clock's now"
    );
    let gid = group["groupJid"].as_str().unwrap().to_owned();
    let events = wa.events().await;
    assert_eq!(types(&events), ["group.snapshot"]);
    let snapshot = &events[0];
    assert_eq!(snapshot["session"], "s1");
    assert_eq!(snapshot["at"], START_MS);
    assert_eq!(snapshot["eventId"].as_str().unwrap().len(), 26);
    assert_eq!(snapshot["group"]["version"], group["version"]);
    assert_eq!(snapshot["group"]["groupJid"], gid.as_str());
    assert_eq!(snapshot["group"]["memberAddMode"], "admins");
    assert_eq!(snapshot["group"]["participantCount"], 2);
    assert!(
        snapshot["group"].get("participants").is_none(),
        "the list is beside the group"
    );
    assert_eq!(snapshot["participants"], group["participants"]);

    // A repeat of a create with a requestId publishes nothing.
    let body = json!({"subject": "Once", "participants": [jid(2)], "requestId": "r1"});
    wa.call(Method::POST, "/v1/sessions/s1/groups", Some(body.clone()))
        .await;
    wa.call(Method::POST, "/v1/sessions/s1/groups", Some(body))
        .await;
    assert_eq!(wa.events().await.len(), 2);

    // Every setter that changes something: one snapshot with the answer's version; the
    // clock stands still, so versions go up one by one.
    let mut last = wa.events().await[1]["group"]["version"].as_i64().unwrap();
    for (path, body) in [
        ("subject", json!({"subject": "Renamed"})),
        ("description", json!({"description": "d"})),
        ("announce", json!({"announce": true})),
        ("locked", json!({"locked": true})),
    ] {
        let seen = wa.events().await.len();
        let (status, answer) = wa
            .call(
                Method::PUT,
                &format!("/v1/sessions/s1/groups/{gid}/{path}"),
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, 200);
        let version = answer["version"].as_i64().unwrap();
        assert_eq!(version, last + 1, "{path}");
        last = version;
        let events = wa.events_since(seen).await;
        assert_eq!(types(&events), ["group.snapshot"], "{path}");
        assert_eq!(events[0]["group"]["version"], version);
        // The same value again is no change: no version, no event.
        let (_, same) = wa
            .call(
                Method::PUT,
                &format!("/v1/sessions/s1/groups/{gid}/{path}"),
                Some(body),
            )
            .await;
        assert_eq!(same["version"], version);
        assert_eq!(wa.events_since(seen).await.len(), 1, "{path}");
    }
    let last_event = wa.events().await.pop().unwrap();
    assert_eq!(last_event["group"]["isLocked"], true);
    assert_eq!(last_event["group"]["subject"], "Renamed");

    let ids: HashSet<String> = wa
        .events()
        .await
        .iter()
        .map(|e| e["eventId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), wa.events().await.len(), "event ids are unique");
}

#[tokio::test]
async fn versions_follow_the_clock_and_never_go_back() {
    let wa = Wa::start().await;
    wa.session("s1", ME).await;
    let first = wa.seed("s1", "100@g.us", json!({"subject": "T"})).await;
    assert_eq!(first["version"], START_MS);
    wa.clock.advance_ms(5_000);
    let (_, later) = wa
        .call(
            Method::PUT,
            "/v1/sessions/s1/groups/100@g.us/subject",
            Some(json!({"subject": "U"})),
        )
        .await;
    assert_eq!(later["version"], START_MS + 5_000);
    // A clock that goes back does not take versions with it.
    wa.clock.set_ms(START_MS);
    let (_, after) = wa
        .call(
            Method::PUT,
            "/v1/sessions/s1/groups/100@g.us/subject",
            Some(json!({"subject": "V"})),
        )
        .await;
    assert_eq!(after["version"], START_MS + 5_001);
}

#[tokio::test]
async fn control_changes_publish_what_the_service_would_see() {
    let wa = Wa::start().await;
    wa.session("s1", ME).await;
    let seeded = wa.seed("s1", "100@g.us", json!({"subject": "T"})).await;
    let reseeded = wa
        .seed(
            "s1",
            "100@g.us",
            json!({"subject": "T2", "participants": [jid(2)]}),
        )
        .await;
    wa.phone("s1", "100@g.us", "add", json!([jid(3)])).await;
    let settings = wa
        .ok(
            Method::PUT,
            "/_emulator/sessions/s1/groups/100@g.us/settings",
            Some(json!({"memberAddMode": "all"})),
        )
        .await;
    // The same mode again: nothing.
    wa.ok(
        Method::PUT,
        "/_emulator/sessions/s1/groups/100@g.us/settings",
        Some(json!({"memberAddMode": "all"})),
    )
    .await;
    let left = wa
        .ok(
            Method::DELETE,
            "/_emulator/sessions/s1/groups/100@g.us/membership",
            None,
        )
        .await;
    let events = wa.events().await;
    assert_eq!(
        types(&events),
        [
            "group.snapshot",
            "group.snapshot",
            "group.participants",
            "group.snapshot",
            "group.left"
        ]
    );
    assert_eq!(events[0]["group"]["version"], seeded["version"]);
    assert_eq!(events[1]["group"]["version"], reseeded["version"]);
    assert_eq!(events[1]["participants"].as_array().unwrap().len(), 2);
    assert_eq!(events[3]["group"]["memberAddMode"], "all");
    assert_eq!(events[3]["group"]["version"], settings["version"]);
    assert_eq!(events[4]["version"], left["version"]);
    let versions: Vec<i64> = events
        .iter()
        .map(|e| {
            e["version"]
                .as_i64()
                .or(e["group"]["version"].as_i64())
                .unwrap()
        })
        .collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");

    // A group the account is not in: changes there reach no one.
    wa.phone("s1", "100@g.us", "add", json!([jid(4)])).await;
    wa.ok(
        Method::PUT,
        "/_emulator/sessions/s1/groups/100@g.us/settings",
        Some(json!({"memberAddMode": "admins"})),
    )
    .await;
    assert_eq!(wa.events().await.len(), 5);
    // `GET /_emulator/events?session=` filters.
    let (_, other) = wa
        .control(Method::GET, "/_emulator/events?session=s2", None)
        .await;
    assert_eq!(other, json!({"events": []}));
}

#[tokio::test]
async fn nothing_is_published_while_disconnected_and_connecting_sends_every_group() {
    let wa = Wa::start().await;
    wa.session("s1", ME).await;
    wa.seed("s1", "100@g.us", json!({"subject": "A"})).await;
    wa.seed("s1", "200@g.us", json!({"subject": "B"})).await;
    wa.seed("s1", "300@g.us", json!({"subject": "C"})).await;
    wa.connect("s1", false).await;
    let seen = wa.events().await.len();
    assert_eq!(seen, 3);

    // Changes made while the service is away are applied silently.
    wa.seed("s1", "400@g.us", json!({"subject": "D"})).await;
    wa.phone("s1", "100@g.us", "add", json!([jid(2)])).await;
    wa.phone("s1", "200@g.us", "leave", json!([ME])).await;
    wa.ok(
        Method::PUT,
        "/_emulator/sessions/s1/groups/300@g.us/settings",
        Some(json!({"memberAddMode": "all"})),
    )
    .await;
    wa.ok(
        Method::DELETE,
        "/_emulator/sessions/s1/groups/300@g.us/membership",
        None,
    )
    .await;
    // Disconnecting again, or staying connected, publishes nothing.
    wa.connect("s1", false).await;
    assert_eq!(wa.events().await.len(), seen);
    let (status, body) = wa
        .call(
            Method::POST,
            "/v1/sessions/s1/sync",
            Some(json!({"syncId": "x"})),
        )
        .await;
    assert_eq!((status.as_u16(), kind(&body)), (409, "not_connected"));

    // Connecting: a snapshot of every group the account is in, as it is now.
    wa.clock.advance_ms(10);
    wa.connect("s1", true).await;
    let events = wa.events_since(seen).await;
    assert_eq!(types(&events), ["group.snapshot", "group.snapshot"]);
    let jids: Vec<&str> = events
        .iter()
        .map(|e| e["group"]["groupJid"].as_str().unwrap())
        .collect();
    assert_eq!(jids, ["100@g.us", "400@g.us"]);
    assert_eq!(
        events[0]["group"]["participantCount"], 2,
        "the change made meanwhile"
    );
    assert!(events.iter().all(|e| e["at"] == START_MS + 10));
    wa.connect("s1", true).await;
    assert_eq!(
        wa.events_since(seen).await.len(),
        2,
        "already connected: nothing"
    );
}

#[tokio::test]
async fn request_sync_publishes_every_group_then_completed() {
    let wa = Wa::start().await;
    wa.session("s1", ME).await;
    wa.session("s2", "6289000@s.whatsapp.net").await;
    for gid in ["300@g.us", "100@g.us", "200@g.us"] {
        wa.seed("s1", gid, json!({"subject": "T"})).await;
    }
    wa.seed("s2", "900@g.us", json!({"subject": "Other session"}))
        .await;
    wa.ok(
        Method::DELETE,
        "/_emulator/sessions/s1/groups/200@g.us/membership",
        None,
    )
    .await;
    let seen = wa.events().await.len();
    wa.clock.advance_ms(42);

    let (status, answer) = wa
        .call(
            Method::POST,
            "/v1/sessions/s1/sync",
            Some(json!({"syncId": "sync-1"})),
        )
        .await;
    assert_eq!(status, 202);
    assert_eq!(
        answer,
        json!({"syncId": "sync-1", "startedAt": START_MS + 42})
    );
    let events = wa.events_since(seen).await;
    assert_eq!(
        types(&events),
        ["group.snapshot", "group.snapshot", "sync.completed"]
    );
    assert!(events.iter().all(|e| e["session"] == "s1"));
    let done = &events[2];
    assert_eq!(done["syncId"], "sync-1");
    assert_eq!(done["startedAt"], START_MS + 42);
    assert_eq!(done["groupJids"], json!(["100@g.us", "300@g.us"]));

    // The same syncId again: the same answer, nothing new.
    wa.clock.advance_ms(1);
    let (status, again) = wa
        .call(
            Method::POST,
            "/v1/sessions/s1/sync",
            Some(json!({"syncId": "sync-1"})),
        )
        .await;
    assert_eq!((status.as_u16(), &again), (202, &answer));
    assert_eq!(wa.events_since(seen).await.len(), 3);
    // Another syncId is another sync.
    let (_, next) = wa
        .call(
            Method::POST,
            "/v1/sessions/s1/sync",
            Some(json!({"syncId": "sync-2"})),
        )
        .await;
    assert_eq!(next["startedAt"], START_MS + 43);
    assert_eq!(wa.events_since(seen).await.len(), 6);

    for body in [
        json!({}),
        json!({"syncId": ""}),
        json!({"syncId": "a", "full": true}),
    ] {
        let (status, answer) = wa
            .call(Method::POST, "/v1/sessions/s1/sync", Some(body.clone()))
            .await;
        assert_eq!(
            (status.as_u16(), kind(&answer)),
            (400, "bad_request"),
            "{body}"
        );
    }
    let (status, answer) = wa
        .call(
            Method::POST,
            "/v1/sessions/nobody/sync",
            Some(json!({"syncId": "a"})),
        )
        .await;
    assert_eq!((status.as_u16(), kind(&answer)), (409, "not_connected"));
}

#[tokio::test]
async fn events_are_typed_in_process_too() {
    let wa = Wa::start().await;
    let emulator = wa.emulator();
    let session = SessionId::parse("s1").unwrap();
    emulator.put_session(&session, None, true);
    let gid = GroupJid::parse("100@g.us").unwrap();
    let account = emulator.session(&session).unwrap().account;
    let seed = SeedGroup::new(Subject::parse("T").unwrap())
        .with_members([gateway_domain::UserJid::parse(&jid(2)).unwrap()]);
    emulator.seed_group(&session, &gid, seed).unwrap();
    let change = emulator
        .phone_change(
            &session,
            &gid,
            connection_emulator::PhoneAction::Leave,
            vec![emulator.participant_for(&gateway_domain::UserJid::parse(&jid(2)).unwrap())],
        )
        .unwrap();
    assert_eq!(change.changed.len(), 1);
    let events = emulator.events();
    assert_eq!(events.len(), 2);
    match &events[0].body {
        EventBody::GroupSnapshot {
            group,
            participants,
        } => {
            assert_eq!(group.group_jid, gid);
            assert_eq!(participants[0].jid, account);
            assert!(group.participants.is_empty());
        }
        other => panic!("not a snapshot: {other:?}"),
    }
    match &events[1].body {
        EventBody::GroupParticipants {
            action,
            participants,
            version,
            ..
        } => {
            assert_eq!(*action, ParticipantAction::Remove);
            assert_eq!(participants.len(), 1);
            assert_eq!(Some(*version), events[1].body.version());
            assert_eq!(*version, change.group.group.version);
        }
        other => panic!("not a delta: {other:?}"),
    }
    // The control API shows the same events.
    let listed = wa.events().await;
    assert_eq!(listed[1]["eventId"], events[1].event_id.as_str());
    // Without a queue, flushing is a no-op.
    emulator.flush_events().await;
    emulator.settled().await;
}
