//! Per-session pacing of live operations: budgets of creates and adds, counted on the session
//! item in the writes the operations make anyway, refused with 429 before WhatsApp is called.

use connection_emulator::{Participant, SeedGroup};
use gateway_domain::{GroupJid, Subject, UserJid};
use gateway_live::Pacing;
use gateway_store::Pace;
use serde_json::json;

use crate::support::{ACCOUNT, TestApp, assert_error, read, spawn_app_paced};

const HOUR: i64 = 3_600_000;

fn pacing(creates: u32, adds: u32) -> Pacing {
    Pacing {
        creates: Some(Pace {
            name: "create",
            limit: creates,
            window_ms: HOUR,
        }),
        adds: Some(Pace {
            name: "add",
            limit: adds,
            window_ms: 60_000,
        }),
    }
}

async fn ready(creates: u32, adds: u32) -> (TestApp, String) {
    let app = spawn_app_paced(pacing(creates, adds)).await;
    let key = app.api_key("org-a", "read,send").await;
    for session in ["s1", "s2"] {
        app.add_session("org-a", session).await;
        app.whatsapp_session(session, true).await;
    }
    // The window starts on the hour, so that the test knows when it ends.
    app.clock.set_ms(1_800_000_000_000 / HOUR * HOUR + HOUR);
    (app, key)
}

fn create_body(n: usize) -> String {
    json!({"name": format!("Group {n}"), "participants": [format!("6281111{n:06}@s.whatsapp.net")]})
        .to_string()
}

#[tokio::test]
async fn a_spent_budget_of_creates_is_429_for_the_session_until_the_window_ends() {
    let (app, key) = ready(2, 100).await;
    let path = "/api/v1/sessions/s1/groups";
    for n in 0..2 {
        assert_eq!(app.post(path, Some(&key), &create_body(n)).await.0, 201);
    }
    app.requests.take();
    app.clock.advance_ms(10 * 60 * 1000);
    let response = app
        .send(reqwest::Method::POST, path, Some(&key), &create_body(2))
        .await;
    assert_eq!(response.headers()["retry-after"], "3000");
    let answer = read(response).await;
    assert_error(
        &answer,
        429,
        "rate_limited",
        json!({"retryAfterS": 3000, "scope": "session"}),
    );
    assert_eq!(app.calls("s1").await, 2, "refused before WhatsApp");
    // The API key's record (its cache lapsed in 10 minutes), then the session's one write:
    // the owner check, the budget and the id at once.
    assert_eq!(app.requests.take(), ["GetItem", "UpdateItem"]);
    // Another session has a budget of its own.
    let (status, _) = app
        .post("/api/v1/sessions/s2/groups", Some(&key), &create_body(3))
        .await;
    assert_eq!(status, 201);
    // The next window starts afresh.
    app.clock.advance_ms(50 * 60 * 1000);
    assert_eq!(app.post(path, Some(&key), &create_body(4)).await.0, 201);
}

#[tokio::test]
async fn adds_are_paced_by_people_added_per_minute() {
    let (app, key) = ready(100, 3).await;
    let session = gateway_domain::SessionId::parse("s1").unwrap();
    let gid = GroupJid::parse("120363021234567890@g.us").unwrap();
    app.emulator.emulator.seed_group(
        &session,
        &gid,
        SeedGroup {
            participants: vec![Participant::admin(UserJid::parse(ACCOUNT).unwrap())],
            ..SeedGroup::new(Subject::parse("Team").unwrap())
        },
    );
    app.emulator.emulator.flush_events().await;
    app.drain_events().await;
    let path = "/api/v1/sessions/s1/groups/120363021234567890%40g.us/members";
    let people = |from: usize, n: usize| {
        let jids: Vec<String> = (from..from + n)
            .map(|i| format!("6282222{i:06}@s.whatsapp.net"))
            .collect();
        json!({ "participants": jids }).to_string()
    };
    assert_eq!(app.post(path, Some(&key), &people(0, 2)).await.0, 200);
    // Below the budget when asked: a large add goes through whole, never refused for good.
    assert_eq!(app.post(path, Some(&key), &people(2, 5)).await.0, 200);
    let answer = app.post(path, Some(&key), &people(7, 1)).await;
    assert_error(
        &answer,
        429,
        "rate_limited",
        json!({"retryAfterS": 60, "scope": "session"}),
    );
    app.clock.advance_ms(60_000);
    assert_eq!(app.post(path, Some(&key), &people(7, 1)).await.0, 200);
}
