//! Members over real HTTP: changeParticipants with WhatsApp's per-participant codes and
//! rules, invites, LIDs, changes made from a phone, and an account that left.

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{HOUR_MS, START_MS, Wa, codes, jid, kind, member, role};

const ME: &str = "6281000@s.whatsapp.net";
const GID: &str = "100@g.us";

/// A session `s1` (account `ME`) with group `GID` seeded as `group`.
async fn with_group(group: Value) -> Wa {
    let wa = Wa::start().await;
    wa.session("s1", ME).await;
    wa.seed("s1", GID, group).await;
    wa
}

async fn add(wa: &Wa, people: &[String]) -> (u16, Value) {
    let (status, body) = wa
        .members("s1", GID, json!({"action": "add", "participants": people}))
        .await;
    (status.as_u16(), body)
}

async fn act(wa: &Wa, action: &str, people: &[&str]) -> (u16, Value) {
    let (status, body) = wa
        .members("s1", GID, json!({"action": action, "participants": people}))
        .await;
    (status.as_u16(), body)
}

#[tokio::test]
async fn participants_are_objects_with_roles() {
    let wa = Wa::start().await;
    wa.session("s1", ME).await;
    // Plain JIDs (as before) and Participant objects may be mixed; the account's own role
    // comes from the list when it is listed.
    let seeded = wa
        .seed(
            "s1",
            GID,
            json!({"subject": "T", "participants": [
                jid(2),
                {"jid": jid(3), "role": "admin"},
                {"jid": "77@lid", "phoneJid": jid(4)},
                {"jid": ME, "role": "member"},
            ]}),
        )
        .await;
    assert_eq!(seeded["admin"], false);
    assert_eq!(seeded["inGroup"], true);
    assert_eq!(
        seeded["ownerJid"],
        Value::Null,
        "the account is not the creator"
    );
    assert_eq!(
        seeded["participants"],
        json!([
            {"jid": ME, "role": "member"},
            {"jid": jid(2), "role": "member"},
            {"jid": jid(3), "role": "admin"},
            {"jid": "77@lid", "phoneJid": jid(4), "role": "member"},
        ])
    );
    assert_eq!(seeded["participantCount"], 4);
    let code = seeded["inviteCode"].as_str().unwrap();
    assert_eq!(code.len(), 22);

    // Not listed: `admin` (default true) makes the account the creator and superadmin.
    let mine = wa
        .seed(
            "s1",
            "200@g.us",
            json!({"subject": "Mine", "participants": [jid(2)]}),
        )
        .await;
    assert_eq!(role(&mine, ME), "superadmin");
    assert_eq!(mine["ownerJid"], ME);
    assert_eq!(mine["admin"], true);
    // Someone else's group: the owner is its superadmin, the account an admin.
    let theirs = wa
        .seed(
            "s1",
            "300@g.us",
            json!({"subject": "Theirs", "owner": jid(2), "participants": [jid(2)]}),
        )
        .await;
    assert_eq!(role(&theirs, jid(2).as_str()), "superadmin");
    assert_eq!(role(&theirs, ME), "admin");

    let (status, body) = wa
        .control(
            Method::PUT,
            &format!("/_emulator/sessions/s1/groups/{GID}"),
            Some(json!({"subject": "T", "participants": [{"jid": jid(2), "role": "owner"}]})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["field"], "participants[0].role");
    let (status, body) = wa
        .control(
            Method::PUT,
            &format!("/_emulator/sessions/s1/groups/{GID}"),
            Some(json!({"subject": "T", "participants": [{"jid": jid(2), "lid": jid(3)}]})),
        )
        .await;
    assert_eq!(
        (status.as_u16(), &body["error"]["field"]),
        (400, &json!("participants[0].lid"))
    );
}

#[tokio::test]
async fn add_answers_whatsapps_code_for_each_person() {
    let wa = with_group(json!({"subject": "T", "participants": [jid(2)]})).await;
    wa.user(&jid(3), json!({"onWhatsApp": false})).await;
    wa.user(&jid(4), json!({"addableBy": "contacts"})).await;
    wa.user(&jid(5), json!({"addableBy": "nobody"})).await;
    let before = wa.held("s1", GID).await["version"].as_i64().unwrap();
    let seen = wa.events().await.len();
    wa.clock.advance_ms(1000);

    let people = [jid(6), jid(2), jid(3), jid(4), jid(5), ME.to_owned()];
    let (status, answer) = add(&wa, &people).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(codes(&answer), [200, 409, 404, 403, 403, 409]);
    let results = answer["results"].as_array().unwrap();
    for (result, asked) in results.iter().zip(&people) {
        assert_eq!(&result["jid"], asked, "results are in request order");
    }
    assert_eq!(
        results[0]["participant"],
        json!({"jid": jid(6), "role": "member"})
    );
    assert_eq!(
        results[1]["participant"]["jid"],
        jid(2),
        "already in: as a member"
    );
    assert!(results[2].get("participant").is_none(), "not a member");
    // Privacy: an invitation only, valid 3 days; not sent without inviteOnPrivacyBlock.
    let now = START_MS + 1000;
    for blocked in &results[3..5] {
        let invite = &blocked["invite"];
        assert_eq!(invite["code"].as_str().unwrap().len(), 22, "{blocked}");
        assert_eq!(invite["expiresAt"], now + 72 * HOUR_MS);
        assert!(blocked.get("inviteSent").is_none());
        assert!(blocked.get("participant").is_none());
    }
    assert_ne!(results[3]["invite"]["code"], results[4]["invite"]["code"]);

    // The group after the change, with its new version, and one event with the same version
    // naming only who was added.
    let group = &answer["group"];
    assert_eq!(group["participantCount"], 3);
    assert!(member(group, &jid(6)).is_some());
    let version = group["version"].as_i64().unwrap();
    assert!(version > before);
    assert_eq!(version, now, "versions follow the clock");
    let events = wa.events_since(seen).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["type"], "group.participants");
    assert_eq!(events[0]["action"], "add");
    assert_eq!(events[0]["version"], version);
    assert_eq!(events[0]["groupJid"], GID);
    assert_eq!(events[0]["session"], "s1");
    assert_eq!(events[0]["at"], now);
    assert_eq!(
        events[0]["participants"],
        json!([{"jid": jid(6), "role": "member"}])
    );

    // With inviteOnPrivacyBlock the invitation is sent to them.
    let (_, answer) = wa
        .members(
            "s1",
            GID,
            json!({"action": "add", "participants": [jid(4)], "inviteOnPrivacyBlock": true}),
        )
        .await;
    assert_eq!(codes(&answer), [403]);
    assert_eq!(answer["results"][0]["inviteSent"], true);
    // Nothing added: no event, same version.
    assert_eq!(answer["group"]["version"], version);
    assert_eq!(wa.events_since(seen).await.len(), 1);
}

#[tokio::test]
async fn add_needs_an_admin_unless_every_member_may_add() {
    let wa = with_group(json!({"subject": "T", "admin": false, "participants": [jid(2)]})).await;
    let seen = wa.events().await.len();
    for (action, people) in [
        ("add", [jid(3)]),
        ("remove", [jid(2)]),
        ("promote", [jid(2)]),
        ("demote", [jid(2)]),
    ] {
        let (status, body) = act(&wa, action, &[&people[0]]).await;
        assert_eq!((status, kind(&body)), (403, "not_admin"), "{action}");
    }
    for path in ["invite"] {
        let (status, body) = wa
            .call(
                Method::GET,
                &format!("/v1/sessions/s1/groups/{GID}/{path}"),
                None,
            )
            .await;
        assert_eq!((status.as_u16(), kind(&body)), (403, "not_admin"));
    }
    let (status, body) = wa
        .call(
            Method::POST,
            &format!("/v1/sessions/s1/groups/{GID}/invite/reset"),
            None,
        )
        .await;
    assert_eq!((status.as_u16(), kind(&body)), (403, "not_admin"));
    assert_eq!(
        wa.held("s1", GID).await["participantCount"],
        2,
        "nothing done"
    );

    // memberAddMode all: any member may add, and only add.
    let settings = wa
        .ok(
            Method::PUT,
            &format!("/_emulator/sessions/s1/groups/{GID}/settings"),
            Some(json!({"memberAddMode": "all"})),
        )
        .await;
    assert_eq!(settings["memberAddMode"], "all");
    let (status, answer) = act(&wa, "add", &[&jid(3)]).await;
    assert_eq!((status, codes(&answer)), (200, vec![200]));
    assert_eq!(answer["group"]["memberAddMode"], "all");
    let (status, body) = act(&wa, "remove", &[&jid(3)]).await;
    assert_eq!((status, kind(&body)), (403, "not_admin"));

    // The settings change published a snapshot; the add a delta; the refusals nothing.
    let types: Vec<Value> = wa
        .events_since(seen)
        .await
        .into_iter()
        .map(|e| e["type"].clone())
        .collect();
    assert_eq!(
        types,
        [json!("group.snapshot"), json!("group.participants")]
    );
    let (status, body) = wa
        .control(
            Method::PUT,
            &format!("/_emulator/sessions/s1/groups/{GID}/settings"),
            Some(json!({"memberAddMode": "some"})),
        )
        .await;
    assert_eq!(
        (status.as_u16(), &body["error"]["field"]),
        (400, &json!("memberAddMode"))
    );
}

#[tokio::test]
async fn nobody_removes_or_demotes_the_superadmin() {
    let owner = jid(2);
    let wa = with_group(json!({"subject": "T", "owner": owner,
        "participants": [owner, {"jid": jid(3), "role": "admin"}, jid(4), jid(5)]}))
    .await;
    let seen = wa.events().await.len();

    // Alone in the request: still a 200 with the person's 403 (the API maps it to
    // not_allowed), and nothing done.
    let (status, answer) = act(&wa, "remove", &[&owner]).await;
    assert_eq!((status, codes(&answer)), (200, vec![403]));
    assert_eq!(answer["results"][0]["participant"]["role"], "superadmin");
    let (status, answer) = act(&wa, "demote", &[&owner]).await;
    assert_eq!((status, codes(&answer)), (200, vec![403]));
    assert_eq!(wa.events_since(seen).await.len(), 0);

    // With others: the others are done.
    let (_, answer) = act(&wa, "remove", &[&owner, &jid(4), &jid(9)]).await;
    assert_eq!(codes(&answer), [403, 200, 404]);
    assert!(answer["results"][1].get("participant").is_none());
    assert_eq!(role(&answer["group"], &owner), "superadmin");
    assert!(member(&answer["group"], &jid(4)).is_none());

    // Promote an admin, demote a member: 200, nothing changes, no event.
    let version = answer["group"]["version"].clone();
    let events = wa.events_since(seen).await.len();
    let (_, answer) = act(&wa, "promote", &[&jid(3), &owner]).await;
    assert_eq!(codes(&answer), [200, 200]);
    assert_eq!(answer["results"][0]["participant"]["role"], "admin");
    assert_eq!(answer["results"][1]["participant"]["role"], "superadmin");
    let (_, answer) = act(&wa, "demote", &[&jid(5)]).await;
    assert_eq!(codes(&answer), [200]);
    assert_eq!(answer["group"]["version"], version);
    assert_eq!(wa.events_since(seen).await.len(), events);

    // Non-participants: 404 for remove, promote and demote.
    for action in ["remove", "promote", "demote"] {
        let (_, answer) = act(&wa, action, &[&jid(9)]).await;
        assert_eq!(codes(&answer), [404], "{action}");
    }

    // Real changes: one event each, with the members as they are after the change.
    let (_, answer) = act(&wa, "promote", &[&jid(5)]).await;
    assert_eq!(answer["results"][0]["participant"]["role"], "admin");
    let (_, answer) = act(&wa, "demote", &[&jid(3)]).await;
    assert_eq!(answer["results"][0]["participant"]["role"], "member");
    let tail = wa.events_since(seen).await;
    let promote = &tail[tail.len() - 2];
    let demote = &tail[tail.len() - 1];
    assert_eq!(promote["action"], "promote");
    assert_eq!(
        promote["participants"],
        json!([{"jid": jid(5), "role": "admin"}])
    );
    assert_eq!(demote["action"], "demote");
    assert_eq!(
        demote["participants"],
        json!([{"jid": jid(3), "role": "member"}])
    );
    assert_eq!(demote["version"], answer["group"]["version"]);
    assert!(demote["version"].as_i64() > promote["version"].as_i64());

    // The account does not remove itself (it would leave): 403 too.
    let (_, answer) = act(&wa, "remove", &[ME]).await;
    assert_eq!(codes(&answer), [403]);
}

#[tokio::test]
async fn a_group_is_full_at_1024_members() {
    let wa = Wa::start().await;
    wa.session("s1", ME).await;
    // The account and 1022 others: room for one more.
    let others: Vec<String> = (0..1022).map(|n| jid(10_000 + n)).collect();
    wa.seed("s1", GID, json!({"subject": "Big", "participants": others}))
        .await;
    let (status, answer) = add(&wa, &[jid(2), jid(3), jid(2_000)]).await;
    assert_eq!(status, 200);
    assert_eq!(codes(&answer), [200, 419, 419]);
    assert_eq!(answer["group"]["participantCount"], 1024);

    // Joining through the link: the group is full too.
    let code = wa.held("s1", GID).await["inviteCode"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = wa
        .control(
            Method::POST,
            &format!("/_emulator/invites/{code}/join"),
            Some(json!({"jid": jid(3)})),
        )
        .await;
    assert_eq!((status.as_u16(), kind(&body)), (409, "group_full"));
    // A full group is still one to create with 1023 participants (the limit of a request).
    let (status, body) = wa
        .members(
            "s1",
            GID,
            json!({"action": "add", "participants": (0..1024).map(|n| jid(50_000 + n)).collect::<Vec<_>>()}),
        )
        .await;
    assert_eq!((status.as_u16(), kind(&body)), (400, "bad_request"));
}

#[tokio::test]
async fn someone_who_left_cannot_be_added_back_for_24_hours() {
    let wa = with_group(json!({"subject": "T", "participants": [jid(2), jid(3)]})).await;
    let seen = wa.events().await.len();
    let left = wa.phone("s1", GID, "leave", json!([jid(2)])).await;
    assert_eq!(left["changed"], json!([{"jid": jid(2), "role": "member"}]));
    assert_eq!(left["group"]["participantCount"], 2);
    let events = wa.events_since(seen).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["type"], "group.participants");
    assert_eq!(
        events[0]["action"], "remove",
        "leaving is published as remove"
    );
    assert_eq!(events[0]["version"], left["group"]["version"]);

    // Removed by an admin is not "left": they may be added back at once.
    let (_, answer) = act(&wa, "remove", &[&jid(3)]).await;
    assert_eq!(codes(&answer), [200]);

    wa.clock.advance_ms(24 * HOUR_MS - 1);
    let (_, answer) = add(&wa, &[jid(2), jid(3)]).await;
    assert_eq!(codes(&answer), [408, 200]);
    wa.clock.advance_ms(1);
    let (_, answer) = add(&wa, &[jid(2)]).await;
    assert_eq!(codes(&answer), [200]);
    // Once back, a later leave starts a new 24 hours.
    wa.phone("s1", GID, "leave", json!([jid(2)])).await;
    wa.clock.advance_ms(HOUR_MS);
    let (_, answer) = add(&wa, &[jid(2)]).await;
    assert_eq!(codes(&answer), [408]);
}

#[tokio::test]
async fn a_repeated_add_with_a_request_id_answers_the_first_results() {
    let wa = with_group(json!({"subject": "T"})).await;
    wa.user(&jid(3), json!({"addableBy": "nobody"})).await;
    let body = json!({"action": "add", "participants": [jid(2), jid(3)], "requestId": "add-1"});
    let (status, first) = wa.members("s1", GID, body.clone()).await;
    assert_eq!((status.as_u16(), codes(&first)), (200, vec![200, 403]));
    let seen = wa.events().await.len();

    // The person leaves; a repeat answers the first results and adds no one again.
    wa.phone("s1", GID, "remove", json!([jid(2)])).await;
    wa.clock.advance_ms(1000);
    let (status, again) = wa.members("s1", GID, body).await;
    assert_eq!(status, 200);
    assert_eq!(again["results"], first["results"]);
    assert!(
        member(&again["group"], &jid(2)).is_none(),
        "not added again"
    );
    assert_eq!(
        wa.events_since(seen).await.len(),
        1,
        "the phone's remove only"
    );

    // Another request id is a new request.
    let (_, other) = wa
        .members(
            "s1",
            GID,
            json!({"action": "add", "participants": [jid(2)], "requestId": "add-2"}),
        )
        .await;
    assert_eq!(codes(&other), [200]);
}

#[tokio::test]
async fn an_account_that_left_can_do_nothing_in_the_group() {
    let wa = with_group(json!({"subject": "T", "participants": [jid(2)]})).await;
    wa.seed("s1", "200@g.us", json!({"subject": "Other"})).await;
    let seen = wa.events().await.len();
    let held = wa
        .ok(
            Method::DELETE,
            &format!("/_emulator/sessions/s1/groups/{GID}/membership"),
            None,
        )
        .await;
    assert_eq!(
        (held["inGroup"].clone(), held["admin"].clone()),
        (json!(false), json!(false))
    );
    assert!(member(&held, ME).is_none());
    let events = wa.events_since(seen).await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0]["type"].clone(), events[0]["groupJid"].clone()),
        (json!("group.left"), json!(GID))
    );
    assert_eq!(events[0]["version"], held["version"]);

    let base = format!("/v1/sessions/s1/groups/{GID}");
    for (method, path, body) in [
        (Method::GET, base.clone(), None),
        (
            Method::PUT,
            format!("{base}/subject"),
            Some(json!({"subject": "X"})),
        ),
        (
            Method::PUT,
            format!("{base}/locked"),
            Some(json!({"locked": true})),
        ),
        (
            Method::POST,
            format!("{base}/participants"),
            Some(json!({"action": "add", "participants": [jid(3)]})),
        ),
        (Method::GET, format!("{base}/invite"), None),
        (Method::POST, format!("{base}/invite/reset"), None),
    ] {
        let (status, answer) = wa.call(method.clone(), &path, body).await;
        assert_eq!(
            (status.as_u16(), kind(&answer)),
            (403, "not_a_participant"),
            "{method} {path}"
        );
    }
    // Removing it again changes nothing.
    wa.ok(
        Method::DELETE,
        &format!("/_emulator/sessions/s1/groups/{GID}/membership"),
        None,
    )
    .await;
    assert_eq!(wa.events_since(seen).await.len(), 1);
    // Unknown group: 404.
    let (status, _) = wa
        .control(
            Method::DELETE,
            "/_emulator/sessions/s1/groups/999@g.us/membership",
            None,
        )
        .await;
    assert_eq!(status, 404);

    // Seeding the group again puts the account back.
    let back = wa.seed("s1", GID, json!({"subject": "T"})).await;
    assert_eq!(back["inGroup"], true);
    let (status, _) = wa.call(Method::GET, &base, None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn invite_links_reset_and_join() {
    let wa = with_group(json!({"subject": "T"})).await;
    let path = format!("/v1/sessions/s1/groups/{GID}/invite");
    let (status, first) = wa.call(Method::GET, &path, None).await;
    assert_eq!(status, 200);
    let code = first["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 22);
    assert!(code.bytes().all(|b| b.is_ascii_alphanumeric()));
    let (_, again) = wa.call(Method::GET, &path, None).await;
    assert_eq!(again, first, "the code stays until reset");

    let (status, reset) = wa.call(Method::POST, &format!("{path}/reset"), None).await;
    assert_eq!(status, 200);
    let new = reset["code"].as_str().unwrap().to_owned();
    assert_ne!(new, code);
    let (_, now) = wa.call(Method::GET, &path, None).await;
    assert_eq!(now["code"], new);

    let join = async |code: &str, who: &str| {
        wa.control(
            Method::POST,
            &format!("/_emulator/invites/{code}/join"),
            Some(json!({"jid": who})),
        )
        .await
    };
    // The old code no longer works; an unknown one neither.
    for dead in [code.as_str(), "NoSuchCode000000000000"] {
        let (status, body) = join(dead, &jid(2)).await;
        assert_eq!((status.as_u16(), kind(&body)), (404, "not_found"));
    }
    let seen = wa.events().await.len();
    let (status, joined) = join(&new, &jid(2)).await;
    assert_eq!(status, 200, "{joined}");
    assert_eq!(joined["joined"], true);
    assert_eq!(joined["groupJid"], GID);
    assert_eq!(joined["session"], "s1");
    assert_eq!(
        joined["participant"],
        json!({"jid": jid(2), "role": "member"})
    );
    assert_eq!(joined["group"]["participantCount"], 2);
    let events = wa.events_since(seen).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["type"], "group.participants");
    assert_eq!(events[0]["action"], "add");
    assert_eq!(events[0]["version"], joined["group"]["version"]);
    // Joining twice changes nothing.
    let (status, twice) = join(&new, &jid(2)).await;
    assert_eq!((status.as_u16(), &twice["joined"]), (200, &json!(false)));
    assert_eq!(wa.events_since(seen).await.len(), 1);
    let (status, body) = wa
        .control(
            Method::POST,
            &format!("/_emulator/invites/{new}/join"),
            Some(json!({"jid": "nobody"})),
        )
        .await;
    assert_eq!(
        (status.as_u16(), &body["error"]["field"]),
        (400, &json!("jid"))
    );
}

#[tokio::test]
async fn a_personal_invitation_is_for_that_person_and_expires() {
    let wa = with_group(json!({"subject": "T"})).await;
    wa.user(&jid(2), json!({"addableBy": "contacts"})).await;
    wa.user(&jid(3), json!({"addableBy": "contacts"})).await;
    let (_, answer) = add(&wa, &[jid(2), jid(3)]).await;
    let for_2 = answer["results"][0]["invite"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let for_3 = answer["results"][1]["invite"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let join = async |code: &str, who: &str| {
        wa.control(
            Method::POST,
            &format!("/_emulator/invites/{code}/join"),
            Some(json!({"jid": who})),
        )
        .await
        .0
        .as_u16()
    };
    assert_eq!(
        join(&for_2, &jid(3)).await,
        404,
        "someone else's invitation"
    );
    assert_eq!(join(&for_2, &jid(2)).await, 200);
    wa.clock.advance_ms(72 * HOUR_MS);
    assert_eq!(join(&for_3, &jid(3)).await, 404, "expired");
}

#[tokio::test]
async fn people_with_a_lid_are_added_with_both_forms() {
    let wa = with_group(json!({"subject": "T"})).await;
    wa.user(&jid(2), json!({"lid": "7702@lid"})).await;
    let (status, user) = wa
        .control(
            Method::GET,
            &format!("/_emulator/users/{}", jid(2).replace('@', "%40")),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        user,
        json!({"jid": jid(2), "onWhatsApp": true, "addableBy": "everyone", "lid": "7702@lid"})
    );
    let (_, answer) = add(&wa, &[jid(2), "7799@lid".to_owned()]).await;
    assert_eq!(codes(&answer), [200, 200]);
    assert_eq!(
        answer["results"][0]["participant"],
        json!({"jid": jid(2), "lid": "7702@lid", "role": "member"})
    );
    assert_eq!(
        answer["results"][1]["participant"],
        json!({"jid": "7799@lid", "role": "member"}),
        "a LID nobody set up is added as it is"
    );
    // Their LID names the same person.
    let (_, answer) = add(&wa, &["7702@lid".to_owned()]).await;
    assert_eq!(codes(&answer), [409]);
    assert_eq!(answer["results"][0]["jid"], "7702@lid", "as requested");
    assert_eq!(answer["results"][0]["participant"]["jid"], jid(2));
    let (_, answer) = act(&wa, "promote", &["7702@lid"]).await;
    assert_eq!(answer["results"][0]["participant"]["role"], "admin");
    let (_, answer) = act(&wa, "remove", &["7702@lid"]).await;
    assert_eq!(codes(&answer), [200]);
    assert!(member(&answer["group"], &jid(2)).is_none());

    for (body, field) in [
        (json!({"lid": jid(3)}), "lid"),
        (json!({"addableBy": "friends"}), "addableBy"),
        (json!({"onWhatsApp": "yes"}), "onWhatsApp"),
        (json!({"on_whatsapp": true}), "on_whatsapp"),
    ] {
        let (status, answer) = wa
            .control(
                Method::PUT,
                &format!("/_emulator/users/{}", jid(3)),
                Some(body),
            )
            .await;
        assert_eq!(
            (status.as_u16(), &answer["error"]["field"]),
            (400, &json!(field))
        );
    }
    let (status, answer) = wa
        .control(
            Method::PUT,
            "/_emulator/users/77@lid",
            Some(json!({"lid": "78@lid"})),
        )
        .await;
    assert_eq!(
        (status.as_u16(), &answer["error"]["field"]),
        (400, &json!("lid"))
    );
}

#[tokio::test]
async fn changes_made_from_a_phone_follow_whatsapp_and_are_published() {
    let owner = jid(2);
    let wa =
        with_group(json!({"subject": "T", "owner": owner, "participants": [owner, jid(3)]})).await;
    let seen = wa.events().await.len();

    let added = wa
        .phone(
            "s1",
            GID,
            "add",
            json!([jid(4), {"jid": "7705@lid", "phoneJid": jid(5)}, jid(3)]),
        )
        .await;
    assert_eq!(
        added["changed"],
        json!([{"jid": jid(4), "role": "member"},
               {"jid": "7705@lid", "phoneJid": jid(5), "role": "member"}]),
        "who was in already is not changed"
    );
    let promoted = wa.phone("s1", GID, "promote", json!([jid(4), owner])).await;
    assert_eq!(
        promoted["changed"],
        json!([{"jid": jid(4), "role": "admin"}])
    );
    let demoted = wa.phone("s1", GID, "demote", json!([jid(4), owner])).await;
    assert_eq!(
        demoted["changed"],
        json!([{"jid": jid(4), "role": "member"}])
    );
    // Nobody removes the superadmin, from a phone either; by the phone JID of a LID member.
    let removed = wa.phone("s1", GID, "remove", json!([owner, jid(5)])).await;
    assert_eq!(removed["changed"].as_array().unwrap().len(), 1);
    assert_eq!(removed["changed"][0]["jid"], "7705@lid");
    // Nothing to do: no event.
    let none = wa.phone("s1", GID, "remove", json!([jid(9)])).await;
    assert_eq!(none["changed"], json!([]));
    // The owner may leave: the group then names no owner.
    let left = wa.phone("s1", GID, "leave", json!([owner])).await;
    assert_eq!(left["group"]["ownerJid"], Value::Null);

    let events = wa.events_since(seen).await;
    let summary: Vec<(String, usize)> = events
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["participants"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("add".to_owned(), 2),
            ("promote".to_owned(), 1),
            ("demote".to_owned(), 1),
            ("remove".to_owned(), 1),
            ("remove".to_owned(), 1)
        ]
    );
    let versions: Vec<i64> = events
        .iter()
        .map(|e| e["version"].as_i64().unwrap())
        .collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");

    // The account removed from a phone: it is out, and the service hears group.left.
    let seen = wa.events().await.len();
    let out = wa.phone("s1", GID, "remove", json!([jid(3), ME])).await;
    assert_eq!(out["group"]["inGroup"], false);
    let events = wa.events_since(seen).await;
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["group.participants", "group.left"]);
    assert_eq!(
        events[0]["participants"],
        json!([{"jid": jid(3), "role": "member"}])
    );

    for (body, field) in [
        (
            json!({"action": "kick", "participants": [jid(3)]}),
            "action",
        ),
        (json!({"action": "add", "participants": []}), "participants"),
        (
            json!({"action": "add", "participants": [5]}),
            "participants[0]",
        ),
        (
            json!({"action": "add", "participants": [{"lid": "1@lid"}]}),
            "participants[0].jid",
        ),
    ] {
        let (status, answer) = wa
            .control(
                Method::POST,
                &format!("/_emulator/sessions/s1/groups/{GID}/participants"),
                Some(body),
            )
            .await;
        assert_eq!(
            (status.as_u16(), &answer["error"]["field"]),
            (400, &json!(field))
        );
    }
    let (status, _) = wa
        .control(
            Method::POST,
            "/_emulator/sessions/s1/groups/999@g.us/participants",
            Some(json!({"action": "add", "participants": [jid(3)]})),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn change_participants_refuses_bad_requests() {
    let wa = with_group(json!({"subject": "T"})).await;
    for (body, field) in [
        (
            json!({"action": "kick", "participants": [jid(2)]}),
            "action",
        ),
        (json!({"participants": [jid(2)]}), "action"),
        (json!({"action": "add"}), "participants"),
        (json!({"action": "add", "participants": []}), "participants"),
        (
            json!({"action": "add", "participants": [jid(2), jid(2)]}),
            "participants[1]",
        ),
        (
            json!({"action": "add", "participants": ["62@c.us"]}),
            "participants[0]",
        ),
        (
            json!({"action": "add", "participants": [jid(2)], "requestId": ""}),
            "requestId",
        ),
        (
            json!({"action": "add", "participants": [jid(2)], "inviteOnPrivacyBlock": 1}),
            "inviteOnPrivacyBlock",
        ),
        (
            json!({"action": "add", "participants": [jid(2)], "role": "admin"}),
            "role",
        ),
    ] {
        let (status, answer) = wa.members("s1", GID, body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(answer["error"]["field"], field, "{answer}");
    }
    let (status, answer) = wa
        .members(
            "s1",
            "999@g.us",
            json!({"action": "add", "participants": [jid(2)]}),
        )
        .await;
    assert_eq!((status.as_u16(), kind(&answer)), (404, "group_not_found"));
    wa.connect("s1", false).await;
    let (status, answer) = wa
        .members(
            "s1",
            GID,
            json!({"action": "add", "participants": [jid(2)]}),
        )
        .await;
    assert_eq!((status.as_u16(), kind(&answer)), (409, "not_connected"));
}
