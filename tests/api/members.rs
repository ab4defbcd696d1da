//! Members and invites over HTTP: listGroupMembers, addGroupMembers (a result for every
//! participant), remove, promote, demote, and the invite link, against the emulator's WhatsApp.

use connection_emulator::{
    AddableBy, MemberAddMode, Participant, PhoneAction, SeedGroup, UserSettings,
};
use gateway_domain::{GroupJid, SessionId, Subject, UserJid};
use serde_json::{Value, json};

use crate::support::{ACCOUNT, TestApp, assert_error, jid, read, spawn_app};

const GID: &str = "120363021234567890@g.us";
const GROUP: &str = "/api/v1/sessions/s1/groups/120363021234567890%40g.us";

fn user(n: usize) -> UserJid {
    UserJid::parse(&format!("62877{n:07}@s.whatsapp.net")).unwrap()
}

fn account() -> UserJid {
    UserJid::parse(ACCOUNT).unwrap()
}

fn gid() -> GroupJid {
    GroupJid::parse(GID).unwrap()
}

/// A group on WhatsApp and in the store (through its snapshot event), with the account in the
/// role `seed` gives it.
async fn group_with(app: &TestApp, session: &SessionId, seed: SeedGroup) {
    app.emulator.emulator.seed_group(session, &gid(), seed);
    app.emulator.emulator.flush_events().await;
    app.drain_events().await;
}

fn members(people: &[UserJid]) -> SeedGroup {
    SeedGroup {
        participants: people.iter().cloned().map(Participant::member).collect(),
        ..SeedGroup::new(Subject::parse("Team").unwrap())
    }
}

/// org-a's session s1 on WhatsApp, its account the creator of group GID with members 1 and 2.
async fn ready() -> (TestApp, SessionId, String) {
    let app = spawn_app().await;
    let session = app.add_session("org-a", "s1").await;
    let key = app.api_key("org-a", "read,send").await;
    app.emulator
        .emulator
        .put_session(&session, Some(account()), true);
    group_with(&app, &session, members(&[user(1), user(2)])).await;
    app.requests.take();
    (app, session, key)
}

async fn delete(app: &TestApp, path: &str, key: Option<&str>) -> (u16, Value) {
    read(app.send(reqwest::Method::DELETE, path, key, "").await).await
}

async fn add(app: &TestApp, key: &str, body: Value) -> (u16, Value) {
    app.post(&format!("{GROUP}/members"), Some(key), &body.to_string())
        .await
}

fn whatsapp_jids(app: &TestApp, session: &SessionId) -> Vec<String> {
    let group = app.emulator.emulator.group(session, &gid()).unwrap().group;
    let mut jids: Vec<String> = group
        .participants
        .iter()
        .map(|p| p.jid.to_string())
        .collect();
    jids.sort();
    jids
}

async fn stored_jids(app: &TestApp) -> Vec<String> {
    let mut jids: Vec<String> = app
        .stored_members("s1", GID)
        .await
        .iter()
        .map(|m| m.jid.to_string())
        .collect();
    jids.sort();
    jids
}

fn calls(app: &TestApp) -> u64 {
    app.emulator.emulator.calls(Some("s1")).total
}

#[tokio::test]
async fn every_participant_gets_what_whatsapp_did_for_them() {
    let (app, session, key) = ready().await;
    let emulator = &app.emulator.emulator;
    let privacy = |addable_by| UserSettings {
        addable_by,
        ..UserSettings::default()
    };
    emulator.put_user(&user(12), privacy(AddableBy::Contacts));
    emulator.put_user(&user(13), privacy(AddableBy::Nobody));
    emulator.put_user(
        &user(14),
        UserSettings {
            on_whats_app: false,
            ..UserSettings::default()
        },
    );
    // Member 2 leaves by themselves: for 24 h adding them answers recently_left.
    emulator
        .phone_change(
            &session,
            &gid(),
            PhoneAction::Leave,
            vec![Participant::member(user(2))],
        )
        .unwrap();
    emulator.flush_events().await;
    app.drain_events().await;

    let requested = [user(11), user(1), user(12), user(13), user(14), user(2)];
    let (status, body) = add(&app, &key, json!({"participants": requested})).await;
    assert_eq!(status, 200, "{body}");
    let statuses: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            "added",
            "already_member",
            "invite_required",
            "invite_required",
            "not_on_whatsapp",
            "recently_left"
        ]
    );
    let jids: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["jid"].as_str().unwrap())
        .collect();
    assert_eq!(
        jids,
        requested.iter().map(UserJid::as_str).collect::<Vec<_>>()
    );
    assert!(body["results"][2]["invite"]["code"].is_string());
    assert!(body["results"][2]["invite"]["expiresAt"].is_i64());
    assert_eq!(
        (body["added"].clone(), body["notAdded"].clone()),
        (json!(1), json!(5))
    );
    // Nobody is reported added who is not in the group, and the store agrees with WhatsApp.
    let on_whatsapp = whatsapp_jids(&app, &session);
    for result in body["results"].as_array().unwrap() {
        let jid = result["jid"].as_str().unwrap().to_owned();
        assert_eq!(
            result["status"] == "added" || result["status"] == "already_member",
            on_whatsapp.contains(&jid),
            "{result}"
        );
    }
    assert_eq!(stored_jids(&app).await, on_whatsapp);
    let stored = app.stored("s1", GID).await.unwrap();
    assert_eq!(stored.participant_count as usize, on_whatsapp.len());
    // The event the add triggered changes nothing more.
    app.drain_events().await;
    assert_eq!(stored_jids(&app).await, on_whatsapp);
}

#[tokio::test]
async fn invitations_are_sent_when_asked_for() {
    let (app, _, key) = ready().await;
    app.emulator.emulator.put_user(
        &user(12),
        UserSettings {
            addable_by: AddableBy::Contacts,
            ..UserSettings::default()
        },
    );
    let (status, body) = add(
        &app,
        &key,
        json!({"participants": [user(12)], "onPrivacyBlock": "invite"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["results"][0]["status"], "invite_sent");
    assert_eq!(body["added"], 0);
}

#[tokio::test]
async fn a_full_group_answers_group_full() {
    let app = spawn_app().await;
    let session = app.add_session("org-a", "s1").await;
    let key = app.api_key("org-a", "send").await;
    app.emulator
        .emulator
        .put_session(&session, Some(account()), true);
    let everyone: Vec<UserJid> = (0..1023).map(user).collect();
    group_with(&app, &session, members(&everyone)).await;
    let (status, body) = add(&app, &key, json!({"participants": [user(5000)]})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["results"][0]["status"], "group_full");
    assert_eq!(app.stored("s1", GID).await.unwrap().participant_count, 1024);
}

#[tokio::test]
async fn whatsapp_decides_who_may_change_members() {
    let (app, session, key) = ready().await;
    // The account is a plain member; the default mode lets only admins add.
    group_with(
        &app,
        &session,
        SeedGroup {
            admin: false,
            owner: Some(Some(user(1))),
            ..members(&[user(1), user(2)])
        },
    )
    .await;
    let not_admin = json!({"reason": "not_group_admin"});
    assert_error(
        &add(&app, &key, json!({"participants": [user(9)]})).await,
        403,
        "forbidden",
        not_admin.clone(),
    );
    let member = format!("{GROUP}/members/{}", user(2));
    assert_error(
        &delete(&app, &member, Some(&key)).await,
        403,
        "forbidden",
        not_admin.clone(),
    );
    for action in ["promote", "demote"] {
        let answer = app
            .post(&format!("{member}/{action}"), Some(&key), "")
            .await;
        assert_error(&answer, 403, "forbidden", not_admin.clone());
    }
    for answer in [
        app.get(&format!("{GROUP}/invite"), Some(&key)).await,
        delete(&app, &format!("{GROUP}/invite"), Some(&key)).await,
    ] {
        assert_error(&answer, 403, "forbidden", not_admin.clone());
    }
    // When every member may add, a non-admin's add works.
    app.emulator
        .emulator
        .set_member_add_mode(&session, &gid(), MemberAddMode::All)
        .unwrap();
    let (status, body) = add(&app, &key, json!({"participants": [user(9)]})).await;
    assert_eq!(
        (status, body["results"][0]["status"].clone()),
        (200, json!("added"))
    );
}

#[tokio::test]
async fn nobody_removes_or_demotes_the_creator() {
    let (app, session, key) = ready().await;
    // Member 1 created the group; the account is an admin.
    let mut seed = members(&[user(2)]);
    seed.participants.push(Participant::superadmin(user(1)));
    seed.participants.push(Participant::admin(account()));
    seed.owner = Some(Some(user(1)));
    group_with(&app, &session, seed).await;
    let creator = format!("{GROUP}/members/{}", user(1));
    let not_allowed = json!({"reason": "not_allowed"});
    assert_error(
        &delete(&app, &creator, Some(&key)).await,
        403,
        "forbidden",
        not_allowed.clone(),
    );
    assert_error(
        &app.post(&format!("{creator}/demote"), Some(&key), "").await,
        403,
        "forbidden",
        not_allowed,
    );
    // Promoting an admin, or the creator, is a no-op.
    assert_eq!(
        app.post(&format!("{creator}/promote"), Some(&key), "")
            .await
            .0,
        204
    );
}

#[tokio::test]
async fn remove_promote_and_demote_change_whatsapp_and_the_store_at_once() {
    let (app, session, key) = ready().await;
    let member = format!("{GROUP}/members/{}", user(1));
    assert_eq!(
        app.post(&format!("{member}/promote"), Some(&key), "").await,
        (204, Value::Null)
    );
    let stored = app.stored_members("s1", GID).await;
    let one = stored.iter().find(|m| m.jid == user(1)).unwrap();
    assert_eq!(one.role, gateway_domain::Role::Admin);
    assert_eq!(
        app.post(&format!("{member}/demote"), Some(&key), "")
            .await
            .0,
        204
    );
    assert_eq!(delete(&app, &member, Some(&key)).await.0, 204);
    assert_eq!(stored_jids(&app).await, whatsapp_jids(&app, &session));
    assert!(!stored_jids(&app).await.contains(&user(1).to_string()));
    assert_eq!(app.stored("s1", GID).await.unwrap().participant_count, 2);
    // Removing someone who is not a participant: WhatsApp is asked, and it is 204.
    let before = calls(&app);
    assert_eq!(delete(&app, &member, Some(&key)).await.0, 204);
    assert_eq!(calls(&app), before + 1);
    // Promoting someone who is not a participant is 404.
    assert_error(
        &app.post(&format!("{member}/promote"), Some(&key), "").await,
        404,
        "not_found",
        json!({}),
    );
}

#[tokio::test]
async fn a_member_is_named_by_any_of_its_forms() {
    let (app, session, key) = ready().await;
    // WhatsApp knows member 3 by phone and LID; it is stored under its phone JID.
    let phone = user(3);
    let lid = UserJid::parse("9300000003@lid").unwrap();
    let mut seed = members(&[user(1)]);
    seed.participants.push(Participant {
        lid: Some(lid.clone()),
        ..Participant::member(phone.clone())
    });
    group_with(&app, &session, seed).await;
    let c_us = phone.as_str().replace("@s.whatsapp.net", "@c.us");
    for (form, action) in [
        (c_us.clone(), "promote"),
        (phone.as_str().replace('@', "%40"), "demote"),
        (lid.to_string(), "promote"),
    ] {
        let answer = app
            .post(&format!("{GROUP}/members/{form}/{action}"), Some(&key), "")
            .await;
        assert_eq!(answer.0, 204, "{form}: {answer:?}");
    }
    let stored = app.stored_members("s1", GID).await;
    let three: Vec<_> = stored
        .iter()
        .filter(|m| m.jid == phone || m.lid.as_ref() == Some(&lid))
        .collect();
    assert_eq!(three.len(), 1, "{stored:?}");
    assert_eq!(three[0].role, gateway_domain::Role::Admin);
}

#[tokio::test]
async fn the_same_idempotency_key_adds_once_and_replays() {
    let (app, _, key) = ready().await;
    let body = json!({"participants": [user(20)]}).to_string();
    let send = || async {
        let response = app
            .http
            .post(format!("{}{GROUP}/members", app.base))
            .bearer_auth(&key)
            .header("idempotency-key", "add-20")
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let replayed = response.headers().get("idempotent-replayed").is_some();
        (read(response).await, replayed)
    };
    let (first, replayed) = send().await;
    assert_eq!((first.0, replayed), (200, false), "{first:?}");
    let (again, replayed) = send().await;
    assert_eq!((again.0, replayed), (200, true));
    assert_eq!(first.1, again.1);
    assert_eq!(
        app.emulator
            .emulator
            .calls(Some("s1"))
            .of(connection_emulator::Operation::ChangeParticipants),
        1
    );
}

#[tokio::test]
async fn a_reset_invite_link_stops_working() {
    let (app, _, key) = ready().await;
    let (status, first) = app.get(&format!("{GROUP}/invite"), Some(&key)).await;
    assert_eq!(status, 200, "{first}");
    let link = first["invite"].as_str().unwrap();
    let old = link
        .strip_prefix("https://chat.whatsapp.com/")
        .unwrap()
        .to_owned();
    let (status, second) = delete(&app, &format!("{GROUP}/invite"), Some(&key)).await;
    assert_eq!(status, 200, "{second}");
    let new = second["invite"]
        .as_str()
        .unwrap()
        .strip_prefix("https://chat.whatsapp.com/")
        .unwrap()
        .to_owned();
    assert_ne!(old, new);
    let emulator = &app.emulator.emulator;
    assert!(
        emulator.join(&old, &user(30)).is_err(),
        "the old code still joins"
    );
    assert!(emulator.join(&new, &user(31)).is_ok());
}

#[tokio::test]
async fn a_group_the_account_left_refuses_live_changes_without_calling_whatsapp() {
    let (app, session, key) = ready().await;
    app.emulator
        .emulator
        .remove_account(&session, &gid())
        .unwrap();
    app.emulator.emulator.flush_events().await;
    app.drain_events().await;
    let before = calls(&app);
    let left = json!({"reason": "not_a_participant"});
    let member = format!("{GROUP}/members/{}", user(1));
    let answers = [
        add(&app, &key, json!({"participants": [user(9)]})).await,
        delete(&app, &member, Some(&key)).await,
        app.post(&format!("{member}/promote"), Some(&key), "").await,
        app.post(&format!("{member}/demote"), Some(&key), "").await,
        app.get(&format!("{GROUP}/invite"), Some(&key)).await,
        delete(&app, &format!("{GROUP}/invite"), Some(&key)).await,
    ];
    for answer in answers {
        assert_error(&answer, 403, "forbidden", left.clone());
    }
    assert_eq!(calls(&app), before);
    // Its stored members are still listed.
    let (status, _) = app.get(&format!("{GROUP}/members"), Some(&key)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn members_are_listed_in_pages_bound_to_their_group() {
    let (app, session, key) = ready().await;
    let people: Vec<UserJid> = (1..=7).map(user).collect();
    group_with(&app, &session, members(&people)).await;
    let mut listed = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = app
            .get(
                &format!("{GROUP}/members?limit=3&cursor={cursor}"),
                Some(&key),
            )
            .await;
        assert_eq!(status, 200, "{page}");
        for member in page["data"].as_array().unwrap() {
            let mut fields: Vec<&String> = member.as_object().unwrap().keys().collect();
            fields.sort();
            assert_eq!(
                fields,
                ["firstSeenAt", "jid", "lid", "phoneJid", "role", "updatedAt"]
            );
            listed.push(member["jid"].as_str().unwrap().to_owned());
        }
        cursor = page["nextCursor"].as_str().unwrap().to_owned();
        if cursor.is_empty() {
            break;
        }
    }
    listed.sort();
    assert_eq!(listed, whatsapp_jids(&app, &session));
    // A cursor of this list is refused by another group's list, and by listGroups.
    let (_, page) = app
        .get(&format!("{GROUP}/members?limit=3"), Some(&key))
        .await;
    let cursor = page["nextCursor"].as_str().unwrap();
    app.add_group(&session, &jid(7), "Other").await;
    let other = format!(
        "/api/v1/sessions/s1/groups/{}/members?cursor={cursor}",
        jid(7)
    );
    assert_error(
        &app.get(&other, Some(&key)).await,
        400,
        "validation_error",
        json!({"field": "cursor", "reason": "is not a cursor of this group's member list"}),
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/sessions/s1/groups?cursor={cursor}"),
            Some(&key)
        )
        .await
        .0,
        400
    );
    // A group not stored is 404.
    assert_error(
        &app.get(
            &format!("/api/v1/sessions/s1/groups/{}/members", jid(8)),
            Some(&key),
        )
        .await,
        404,
        "not_found",
        json!({}),
    );
}

#[tokio::test]
async fn another_organizations_session_is_404_on_every_endpoint_with_no_call() {
    let (app, _, _) = ready().await;
    let theirs = app.api_key("org-b", "read,send").await;
    let member = format!("{GROUP}/members/{}", user(1));
    let answers = [
        app.get(&format!("{GROUP}/members"), Some(&theirs)).await,
        add(&app, &theirs, json!({"participants": [user(9)]})).await,
        delete(&app, &member, Some(&theirs)).await,
        app.post(&format!("{member}/promote"), Some(&theirs), "")
            .await,
        app.post(&format!("{member}/demote"), Some(&theirs), "")
            .await,
        app.get(&format!("{GROUP}/invite"), Some(&theirs)).await,
        delete(&app, &format!("{GROUP}/invite"), Some(&theirs)).await,
    ];
    for answer in answers {
        assert_error(&answer, 404, "not_found", json!({}));
    }
    assert_eq!(calls(&app), 0);
}

#[tokio::test]
async fn the_error_rows_of_the_contract() {
    let (app, session, key) = ready().await;
    let read_only = app.api_key("org-a", "read").await;
    let member = format!("{GROUP}/members/{}", user(1));
    // 401 and 403 on every endpoint.
    let no_send = json!({"reason": "missing_capability", "required": "send"});
    for (method, path) in [
        (reqwest::Method::POST, format!("{GROUP}/members")),
        (reqwest::Method::DELETE, member.clone()),
        (reqwest::Method::POST, format!("{member}/promote")),
        (reqwest::Method::POST, format!("{member}/demote")),
        (reqwest::Method::GET, format!("{GROUP}/invite")),
        (reqwest::Method::DELETE, format!("{GROUP}/invite")),
    ] {
        let answer = read(app.send(method.clone(), &path, None, "").await).await;
        assert_error(&answer, 401, "unauthorized", json!({}));
        let answer = read(app.send(method, &path, Some(&read_only), "").await).await;
        assert_error(&answer, 403, "forbidden", no_send.clone());
    }
    assert_error(
        &app.get(&format!("{GROUP}/members"), None).await,
        401,
        "unauthorized",
        json!({}),
    );
    // 400: the path, then the body.
    assert_error(
        &app.post(
            &format!("{GROUP}/members/not-a-jid/promote"),
            Some(&key),
            "",
        )
        .await,
        400,
        "validation_error",
        json!({"field": "jid", "reason": "must be a user JID: <digits>@s.whatsapp.net, <digits>@lid or <digits>@c.us"}),
    );
    for (body, field) in [
        (json!({"participants": []}), "participants"),
        (
            json!({"participants": [user(1), user(1)]}),
            "participants[1]",
        ),
        (json!({"participants": ["nope"]}), "participants[0]"),
        (
            json!({"participants": [user(1)], "onPrivacyBlock": "maybe"}),
            "onPrivacyBlock",
        ),
        (json!({"participants": [user(1)], "extra": true}), "body"),
        (json!({}), "participants"),
    ] {
        let (status, answer) = add(&app, &key, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        let named = answer["error"]["details"]["field"]
            .as_str()
            .unwrap_or_default();
        assert!(
            named.starts_with(field) || field == "body",
            "{body}: {answer}"
        );
    }
    // 413 before anything about the body.
    let huge = format!("{{\"participants\": [\"{}\"]}}", "1".repeat(70_000));
    assert_error(
        &app.post(&format!("{GROUP}/members"), Some(&key), &huge)
            .await,
        413,
        "payload_too_large",
        json!({"limit": 65536}),
    );
    // 404: session, then group.
    let nowhere = "/api/v1/sessions/nope/groups/120363021234567890%40g.us/invite";
    assert_error(
        &app.get(nowhere, Some(&key)).await,
        404,
        "not_found",
        json!({}),
    );
    let unstored = format!("/api/v1/sessions/s1/groups/{}/invite", jid(9));
    assert_error(
        &app.get(&unstored, Some(&key)).await,
        404,
        "not_found",
        json!({}),
    );
    assert_eq!(calls(&app), 0, "no refused request reached WhatsApp");
    // The live outcomes: 429, 501, 502, 504.
    app.fault(json!({"session": "s1", "operation": "changeParticipants", "error": "rate_limited", "retryAfterS": 7, "times": 1})).await;
    assert_error(
        &app.post(&format!("{member}/promote"), Some(&key), "").await,
        429,
        "rate_limited",
        json!({"retryAfterS": 7}),
    );
    app.fault(json!({"session": "s1", "operation": "getInvite", "status": 503, "times": 3}))
        .await;
    assert_error(
        &app.get(&format!("{GROUP}/invite"), Some(&key)).await,
        502,
        "upstream_unavailable",
        json!({}),
    );
    app.fault(json!({"session": "s1", "operation": "changeParticipants", "carryOut": true, "drop": true, "times": 1})).await;
    let answer = add(&app, &key, json!({"participants": [user(40)]})).await;
    assert_error(&answer, 504, "upstream_timeout", json!({}));
    assert!(
        answer.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("may or may not")
    );
    app.emulator.emulator.put_session(&session, None, false);
    assert_error(
        &delete(&app, &member, Some(&key)).await,
        501,
        "not_implemented",
        json!({}),
    );
}
