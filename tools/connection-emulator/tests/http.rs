//! The emulator over real HTTP on 127.0.0.1: the contract, the control API, faults.

use std::time::Duration;

use connection_emulator::{Emulator, Operation, RunningEmulator};
use reqwest::StatusCode;
use serde_json::{Value, json};

const TOKEN: &str = "test-secret";

struct World {
    running: RunningEmulator,
    http: reqwest::Client,
}

impl World {
    async fn start() -> Self {
        let running = connection_emulator::spawn(Emulator::new(Some(TOKEN.into())))
            .await
            .unwrap();
        Self {
            running,
            http: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.url())
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, self.url(path)).bearer_auth(TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, self.url(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        (
            response.status(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    async fn session(&self, session: &str, account: &str) {
        let (status, _) = self
            .control(
                reqwest::Method::PUT,
                &format!("/_emulator/sessions/{session}"),
                Some(json!({"connected": true, "account": account})),
            )
            .await;
        assert_eq!(status, 200);
    }

    async fn seed(&self, session: &str, gid: &str, group: Value) {
        let (status, body) = self
            .control(
                reqwest::Method::PUT,
                &format!("/_emulator/sessions/{session}/groups/{gid}"),
                Some(group),
            )
            .await;
        assert!(status.is_success(), "{status} {body}");
    }

    async fn fault(&self, fault: Value) {
        let (status, body) = self
            .control(reqwest::Method::PUT, "/_emulator/faults", Some(fault))
            .await;
        assert_eq!(status, 201, "{body}");
    }

    async fn create(&self, session: &str, body: Value) -> (StatusCode, Value) {
        self.call(
            reqwest::Method::POST,
            &format!("/v1/sessions/{session}/groups"),
            Some(body),
        )
        .await
    }
}

fn kind(body: &Value) -> &str {
    body["error"]["kind"].as_str().unwrap_or("")
}

#[tokio::test]
async fn calls_without_the_secret_are_refused_and_counted() {
    let world = World::start().await;
    world.session("s1", "6281@s.whatsapp.net").await;
    for auth in [None, Some("Bearer wrong"), Some("Basic dGVzdA==")] {
        let mut request = world.http.get(world.url("/v1/sessions/s1/groups/1%40g.us"));
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let body: Value = response.json().await.unwrap();
        assert_eq!(kind(&body), "unauthorized");
    }
    let (_, calls) = world
        .control(reqwest::Method::GET, "/_emulator/calls?session=s1", None)
        .await;
    assert_eq!(calls["getGroup"], 3);
    assert_eq!(calls["total"], 3);
}

#[tokio::test]
async fn create_then_read_with_encoded_and_raw_jids() {
    let world = World::start().await;
    world.session("s1", "6281@s.whatsapp.net").await;
    let (status, group) = world
        .create(
            "s1",
            json!({"subject": "Team", "participants": ["6282@s.whatsapp.net", "77@lid", "6283@s.whatsapp.net"]}),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    assert_eq!(group["subject"], "Team");
    assert_eq!(group["ownerJid"], "6281@s.whatsapp.net");
    assert_eq!(
        group["participants"],
        json!([
            {"jid": "6281@s.whatsapp.net", "role": "superadmin"},
            {"jid": "6282@s.whatsapp.net", "role": "member"},
            {"jid": "77@lid", "role": "member"},
            {"jid": "6283@s.whatsapp.net", "role": "member"}
        ])
    );
    assert_eq!(group["participantCount"], 4);
    assert_eq!(group["memberAddMode"], "admins");
    assert_eq!(group["isAnnounce"], false);
    assert_eq!(group["description"], "");
    assert!(group["version"].as_i64().unwrap() > 0);
    assert!(group["createdAt"].as_i64().unwrap() > 1_600_000_000_000);

    // The answer of a create also says what WhatsApp did for each requested participant.
    let mut group = group;
    let results = group.as_object_mut().unwrap().remove("results").unwrap();
    assert!(
        results.as_array().unwrap().iter().all(|r| r["code"] == 200),
        "{results}"
    );
    let jid = group["groupJid"].as_str().unwrap().to_owned();
    let encoded = jid.replace('@', "%40");
    for path in [jid.clone(), encoded] {
        let (status, again) = world
            .call(
                reqwest::Method::GET,
                &format!("/v1/sessions/s1/groups/{path}"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(again, group);
    }
}

#[tokio::test]
async fn one_group_per_request_id() {
    let world = World::start().await;
    world.session("s1", "6281@s.whatsapp.net").await;
    let body =
        json!({"requestId": "req-1", "subject": "T", "participants": ["6282@s.whatsapp.net"]});
    let (first_status, first) = world.create("s1", body.clone()).await;
    let (again_status, again) = world.create("s1", body).await;
    assert_eq!(
        (first_status, again_status),
        (StatusCode::CREATED, StatusCode::OK)
    );
    assert_eq!(first, again);
    let (_, list) = world
        .control(reqwest::Method::GET, "/_emulator/sessions/s1/groups", None)
        .await;
    assert_eq!(list["groups"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn refusals_of_the_contract() {
    let world = World::start().await;
    world.session("s1", "6281@s.whatsapp.net").await;
    world
        .seed(
            "s1",
            "100@g.us",
            json!({"subject": "Locked", "isLocked": true, "admin": false}),
        )
        .await;
    let put = async |path: &str, body: Value| {
        world
            .call(
                reqwest::Method::PUT,
                &format!("/v1/sessions/s1/groups/{path}"),
                Some(body),
            )
            .await
    };

    let (status, body) = world
        .create(
            "nobody",
            json!({"subject": "T", "participants": ["6282@s.whatsapp.net"]}),
        )
        .await;
    assert_eq!((status.as_u16(), kind(&body)), (409, "not_connected"));

    let (status, body) = put("100%40g.us/announce", json!({"announce": true})).await;
    assert_eq!((status.as_u16(), kind(&body)), (403, "not_admin"));
    let (status, body) = put("100%40g.us/subject", json!({"subject": "New"})).await;
    assert_eq!((status.as_u16(), kind(&body)), (403, "not_admin"));

    let (status, body) = put("999%40g.us/locked", json!({"locked": true})).await;
    assert_eq!((status.as_u16(), kind(&body)), (404, "group_not_found"));

    for (path, body, field) in [
        ("100%40g.us/locked", json!({"locked": "yes"}), "locked"),
        ("100%40g.us/locked", json!({}), "locked"),
        (
            "100%40g.us/locked",
            json!({"locked": true, "isLocked": true}),
            "isLocked",
        ),
        ("100%40g.us/subject", json!({"subject": "   "}), "subject"),
        (
            "100%40g.us/subject",
            json!({"subject": " padded"}),
            "subject",
        ),
        (
            "100%40g.us/description",
            json!({"description": "x".repeat(2049)}),
            "description",
        ),
        ("nope%40g.us/locked", json!({"locked": true}), "gid"),
    ] {
        let (status, answer) = put(path, body).await;
        assert_eq!(status, 400, "{path} {answer}");
        assert_eq!(kind(&answer), "bad_request");
        assert_eq!(answer["error"]["field"], field, "{answer}");
    }

    for (body, field) in [
        (json!({"subject": "T", "participants": []}), "participants"),
        (json!({"subject": "T"}), "participants"),
        (
            json!({"subject": "T", "participants": ["1@lid", "x"]}),
            "participants[1]",
        ),
        (
            json!({"subject": "T", "participants": ["1@lid", "1@lid"]}),
            "participants[1]",
        ),
        (
            json!({"subject": "T", "participants": ["1@lid", "1@c.us"]}),
            "participants[1]",
        ),
        (
            json!({"subject": "T\n", "participants": ["1@lid"]}),
            "subject",
        ),
        (
            json!({"subject": "T", "participants": ["1@lid"], "requestId": ""}),
            "requestId",
        ),
        (json!({"name": "T", "participants": ["1@lid"]}), "name"),
        (json!([1]), "body"),
    ] {
        let (status, answer) = world.create("s1", body).await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["error"]["field"], field, "{answer}");
    }
    let (status, answer) = world
        .create(
            "bad%20id",
            json!({"subject": "T", "participants": ["1@lid"]}),
        )
        .await;
    assert_eq!(
        (status.as_u16(), answer["error"]["field"].as_str()),
        (400, Some("session"))
    );
}

#[tokio::test]
async fn setters_follow_whatsapp_and_report_the_new_state() {
    let world = World::start().await;
    world.session("s1", "6281@s.whatsapp.net").await;
    world
        .seed("s1", "100@g.us", json!({"subject": "Open", "admin": false}))
        .await;
    world
        .seed("s1", "200@g.us", json!({"subject": "Mine"}))
        .await;

    // Not locked: a member may edit the info; the version moves.
    let (_, before) = world
        .call(
            reqwest::Method::GET,
            "/v1/sessions/s1/groups/100@g.us",
            None,
        )
        .await;
    let (status, after) = world
        .call(
            reqwest::Method::PUT,
            "/v1/sessions/s1/groups/100@g.us/description",
            Some(json!({"description": "line 1\nline 2"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(after["description"], "line 1\nline 2");
    assert!(after["version"].as_i64() > before["version"].as_i64());

    for (path, body, member, value) in [
        (
            "announce",
            json!({"announce": true}),
            "isAnnounce",
            json!(true),
        ),
        ("locked", json!({"locked": true}), "isLocked", json!(true)),
        (
            "subject",
            json!({"subject": "Renamed"}),
            "subject",
            json!("Renamed"),
        ),
        (
            "description",
            json!({"description": ""}),
            "description",
            json!(""),
        ),
    ] {
        let (status, group) = world
            .call(
                reqwest::Method::PUT,
                &format!("/v1/sessions/s1/groups/200%40g.us/{path}"),
                Some(body),
            )
            .await;
        assert_eq!(status, 200, "{path} {group}");
        assert_eq!(group[member], value, "{path}");
    }
    let (_, held) = world
        .control(
            reqwest::Method::GET,
            "/_emulator/sessions/s1/groups/200%40g.us",
            None,
        )
        .await;
    assert_eq!(held["isLocked"], true);
    assert_eq!(held["subject"], "Renamed");
    assert_eq!(held["admin"], true);
}

#[tokio::test]
async fn disconnected_sessions_answer_not_connected() {
    let world = World::start().await;
    world.session("s1", "6281@s.whatsapp.net").await;
    world.seed("s1", "100@g.us", json!({"subject": "T"})).await;
    let (status, _) = world
        .control(
            reqwest::Method::PUT,
            "/_emulator/sessions/s1",
            Some(json!({"connected": false})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = world
        .call(
            reqwest::Method::GET,
            "/v1/sessions/s1/groups/100@g.us",
            None,
        )
        .await;
    assert_eq!((status.as_u16(), kind(&body)), (409, "not_connected"));
}

#[tokio::test]
async fn faults_are_scoped_counted_down_and_cleared() {
    let world = World::start().await;
    world.session("s1", "6281@s.whatsapp.net").await;
    world.session("s2", "6282@s.whatsapp.net").await;
    world.seed("s1", "100@g.us", json!({"subject": "T"})).await;
    world.seed("s2", "100@g.us", json!({"subject": "T"})).await;
    world
        .fault(json!({"session": "s1", "operation": "getGroup", "error": "rate_limited", "retryAfterS": 7, "times": 1}))
        .await;
    world
        .fault(json!({"session": "s1", "operation": "*", "status": 503}))
        .await;

    // The other session is untouched.
    let (status, _) = world
        .call(
            reqwest::Method::GET,
            "/v1/sessions/s2/groups/100@g.us",
            None,
        )
        .await;
    assert_eq!(status, 200);

    let response = world
        .http
        .get(world.url("/v1/sessions/s1/groups/100@g.us"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["retryAfterS"], 7);

    // Spent: the next matching fault (a bare 503, as a proxy would answer) fires, and keeps firing.
    for _ in 0..2 {
        let (status, body) = world
            .call(
                reqwest::Method::GET,
                "/v1/sessions/s1/groups/100@g.us",
                None,
            )
            .await;
        assert_eq!(status, 503);
        assert!(body.is_string(), "not JSON: {body}");
    }
    let (status, cleared) = world
        .control(
            reqwest::Method::DELETE,
            "/_emulator/faults?session=s1",
            None,
        )
        .await;
    assert_eq!((status.as_u16(), &cleared["removed"]), (200, &json!(1)));
    let (status, _) = world
        .call(
            reqwest::Method::GET,
            "/v1/sessions/s1/groups/100@g.us",
            None,
        )
        .await;
    assert_eq!(status, 200);

    let counts = world.running.emulator.calls(Some("s1"));
    assert_eq!(counts.of(Operation::GetGroup), 4);
    assert_eq!(world.running.emulator.calls(None).total, 5);
}

#[tokio::test]
async fn a_delayed_create_is_carried_out_after_the_caller_gave_up() {
    let world = World::start().await;
    world.session("s1", "6281@s.whatsapp.net").await;
    world
        .fault(json!({"session": "s1", "operation": "createGroup", "delayMs": 400, "times": 1}))
        .await;
    let gave_up = world
        .http
        .post(world.url("/v1/sessions/s1/groups"))
        .bearer_auth(TOKEN)
        .json(&json!({"subject": "T", "participants": ["6282@s.whatsapp.net"]}))
        .timeout(Duration::from_millis(50))
        .send()
        .await;
    assert!(gave_up.unwrap_err().is_timeout());
    world.running.emulator.settled().await;
    let session = gateway_domain::SessionId::parse("s1").unwrap();
    assert_eq!(world.running.emulator.groups(&session).len(), 1);
}

#[tokio::test]
async fn delayed_errors_and_garbage() {
    let world = World::start().await;
    world.session("s1", "6281@s.whatsapp.net").await;
    world.seed("s1", "100@g.us", json!({"subject": "T"})).await;
    world
        .fault(json!({"session": "s1", "operation": "setLocked", "error": "internal", "delayMs": 10, "times": 1}))
        .await;
    world
        .fault(json!({"session": "s1", "operation": "setLocked", "error": "garbage", "times": 1}))
        .await;
    let put = || {
        world.call(
            reqwest::Method::PUT,
            "/v1/sessions/s1/groups/100@g.us/locked",
            Some(json!({"locked": true})),
        )
    };
    let (status, body) = put().await;
    assert_eq!((status.as_u16(), kind(&body)), (500, "internal"));
    let (status, body) = put().await;
    assert_eq!(status, 200);
    assert!(body.is_string(), "garbage parsed as JSON: {body}");
    let (status, body) = put().await;
    assert_eq!((status.as_u16(), &body["isLocked"]), (200, &json!(true)));
}

#[tokio::test]
async fn control_api_refuses_bad_input() {
    let world = World::start().await;
    for fault in [
        json!({"operation": "deleteGroup", "status": 503}),
        json!({"error": "teapot"}),
        json!({"status": 99}),
        json!({"status": 503, "times": 0}),
        json!({"session": "s1"}),
        json!({"session": "s1", "carryOut": true}),
        json!({"drop": true, "error": "internal"}),
        json!({"drop": "yes"}),
        json!({"operation": "leaveGroup", "status": 504}),
    ] {
        let (status, body) = world
            .control(
                reqwest::Method::PUT,
                "/_emulator/faults",
                Some(fault.clone()),
            )
            .await;
        assert_eq!(status, 400, "{fault} {body}");
    }
    let (status, _) = world
        .control(
            reqwest::Method::PUT,
            "/_emulator/sessions/nobody/groups/1@g.us",
            Some(json!({"subject": "T"})),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = world
        .control(
            reqwest::Method::GET,
            "/_emulator/sessions/nobody/groups",
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, body) = world
        .control(
            reqwest::Method::PUT,
            "/_emulator/sessions/s1",
            Some(json!({"account": "not-a-jid"})),
        )
        .await;
    assert_eq!(
        (status.as_u16(), &body["error"]["field"]),
        (400, &json!("account"))
    );
    let (status, body) = world
        .control(reqwest::Method::GET, "/_emulator/health", None)
        .await;
    assert_eq!((status.as_u16(), &body["status"]), (200, &json!("ok")));
}

#[tokio::test]
async fn seeded_groups_show_as_whatsapp_holds_them() {
    let world = World::start().await;
    world.session("s1", "6281@s.whatsapp.net").await;
    world
        .seed(
            "s1",
            "6281234-1700000000@g.us",
            json!({"subject": "Legacy", "description": "d", "isAnnounce": true,
                   "participants": ["6282@s.whatsapp.net"], "admin": false,
                   "owner": null, "createdAt": 1_500_000_000_000_i64}),
        )
        .await;
    let (status, group) = world
        .call(
            reqwest::Method::GET,
            "/v1/sessions/s1/groups/6281234-1700000000%40g.us",
            None,
        )
        .await;
    assert_eq!(status, 200, "{group}");
    assert_eq!(group["ownerJid"], Value::Null);
    assert_eq!(group["createdAt"], 1_500_000_000_000_i64);
    assert_eq!(group["isAnnounce"], true);
    assert_eq!(group["participantCount"], 2);
    assert!(
        group.get("admin").is_none(),
        "the contract has no admin member"
    );
}

// ---- faults of the new operations, and ambiguous failures: done, then answered badly ----

async fn read_body(response: reqwest::Response) -> Result<String, reqwest::Error> {
    response.text().await
}

#[tokio::test]
async fn carried_out_then_garbage_a_proxy_504_or_a_dropped_connection() {
    let world = World::start().await;
    world.session("s1", "6281@s.whatsapp.net").await;
    world.seed("s1", "100@g.us", json!({"subject": "T"})).await;
    let gid = gateway_domain::GroupJid::parse("100@g.us").unwrap();
    let session = gateway_domain::SessionId::parse("s1").unwrap();
    let held = |world: &World| world.running.emulator.group(&session, &gid).unwrap();

    // (b) a 2xx whose body is not JSON, after the member was added.
    world
        .fault(
            json!({"session": "s1", "operation": "changeParticipants", "carryOut": true,
                      "error": "garbage", "times": 1}),
        )
        .await;
    let (status, body) = world
        .call(
            reqwest::Method::POST,
            "/v1/sessions/s1/groups/100@g.us/participants",
            Some(json!({"action": "add", "participants": ["6282@s.whatsapp.net"]})),
        )
        .await;
    assert_eq!(status, 200);
    assert!(body.is_string(), "garbage parsed as JSON: {body}");
    assert_eq!(held(&world).group.participant_count, 2);

    // (c) a bare 504 as a proxy answers, after the group was made.
    world
        .fault(
            json!({"session": "s1", "operation": "createGroup", "carryOut": true,
                      "status": 504, "times": 1}),
        )
        .await;
    let (status, body) = world
        .create(
            "s1",
            json!({"subject": "Made", "participants": ["6282@s.whatsapp.net"]}),
        )
        .await;
    assert_eq!(status, 504);
    assert!(body.is_string(), "a proxy's answer is not JSON: {body}");
    assert_eq!(world.running.emulator.groups(&session).len(), 2);

    // (a) the connection breaks after the 2xx headers: the invite was reset all the same.
    let before = held(&world).invite_code;
    world
        .fault(
            json!({"session": "s1", "operation": "resetInvite", "carryOut": true,
                      "drop": true, "times": 1}),
        )
        .await;
    let response = world
        .http
        .post(world.url("/v1/sessions/s1/groups/100@g.us/invite/reset"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        read_body(response).await.is_err(),
        "the body must fail to read"
    );
    assert_ne!(held(&world).invite_code, before);

    // The events of the carried-out calls were published all the same.
    let events = world.running.emulator.events();
    let types: Vec<&str> = events.iter().map(|e| e.type_name()).collect();
    assert_eq!(
        types,
        ["group.snapshot", "group.participants", "group.snapshot"],
        "seed, add, create"
    );
}

#[tokio::test]
async fn a_drop_without_carry_out_does_nothing_and_keeps_the_status() {
    let world = World::start().await;
    world.session("s1", "6281@s.whatsapp.net").await;
    world.seed("s1", "100@g.us", json!({"subject": "T"})).await;
    world
        .fault(json!({"session": "s1", "operation": "setSubject", "drop": true, "status": 201, "times": 1}))
        .await;
    let response = world
        .http
        .put(world.url("/v1/sessions/s1/groups/100@g.us/subject"))
        .bearer_auth(TOKEN)
        .json(&json!({"subject": "New"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert!(read_body(response).await.is_err());
    let (_, group) = world
        .call(
            reqwest::Method::GET,
            "/v1/sessions/s1/groups/100@g.us",
            None,
        )
        .await;
    assert_eq!(group["subject"], "T");

    // A drop carried out answers the operation's own status: 201 for a new group.
    world
        .fault(json!({"session": "s1", "operation": "createGroup", "drop": true, "carryOut": true, "times": 1}))
        .await;
    let response = world
        .http
        .post(world.url("/v1/sessions/s1/groups"))
        .bearer_auth(TOKEN)
        .json(&json!({"subject": "T", "participants": ["6282@s.whatsapp.net"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert!(read_body(response).await.is_err());
    let session = gateway_domain::SessionId::parse("s1").unwrap();
    assert_eq!(world.running.emulator.groups(&session).len(), 2);
}

#[tokio::test]
async fn faults_and_counts_cover_the_new_operations() {
    let world = World::start().await;
    world.session("s1", "6281@s.whatsapp.net").await;
    world.seed("s1", "100@g.us", json!({"subject": "T"})).await;
    for (operation, error) in [
        ("changeParticipants", "not_allowed"),
        ("getInvite", "rate_limited"),
        ("resetInvite", "not_a_participant"),
        ("requestSync", "internal"),
    ] {
        world
            .fault(json!({"session": "s1", "operation": operation, "error": error, "times": 1}))
            .await;
    }
    let (status, body) = world
        .call(
            reqwest::Method::POST,
            "/v1/sessions/s1/groups/100@g.us/participants",
            Some(json!({"action": "remove", "participants": ["6282@s.whatsapp.net"]})),
        )
        .await;
    assert_eq!((status.as_u16(), kind(&body)), (403, "not_allowed"));
    let (status, body) = world
        .call(
            reqwest::Method::GET,
            "/v1/sessions/s1/groups/100@g.us/invite",
            None,
        )
        .await;
    assert_eq!((status.as_u16(), kind(&body)), (429, "rate_limited"));
    let (status, body) = world
        .call(
            reqwest::Method::POST,
            "/v1/sessions/s1/groups/100@g.us/invite/reset",
            None,
        )
        .await;
    assert_eq!((status.as_u16(), kind(&body)), (403, "not_a_participant"));
    let (status, body) = world
        .call(
            reqwest::Method::POST,
            "/v1/sessions/s1/sync",
            Some(json!({"syncId": "sync-1"})),
        )
        .await;
    assert_eq!((status.as_u16(), kind(&body)), (500, "internal"));
    // Spent: they work now.
    let (status, _) = world
        .call(
            reqwest::Method::GET,
            "/v1/sessions/s1/groups/100@g.us/invite",
            None,
        )
        .await;
    assert_eq!(status, 200);

    let (_, calls) = world
        .control(reqwest::Method::GET, "/_emulator/calls?session=s1", None)
        .await;
    assert_eq!(
        calls,
        json!({"createGroup": 0, "getGroup": 0, "setSubject": 0, "setDescription": 0,
               "setAnnounce": 0, "setLocked": 0, "changeParticipants": 1, "getInvite": 2,
               "resetInvite": 1, "requestSync": 1, "total": 5})
    );
    assert_eq!(
        world
            .running
            .emulator
            .calls(Some("s1"))
            .of(Operation::GetInvite),
        2
    );
}
