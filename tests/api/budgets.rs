//! What each operation costs in DynamoDB requests on a warm function (the API key and the
//! session's owner cached), in order: the budgets BENCHMARKS.md lists and `make bench`
//! measures. A cold function's first request adds at most one `BatchGetItem` (key, session)
//! or folds them into its own read; get_group.rs and list_groups.rs pin those.

use connection_emulator::{Participant, SeedGroup};
use gateway_domain::{GroupJid, Subject, UserJid};

use gateway_live::Pacing;

use crate::support::{ACCOUNT, TestApp, spawn_app_paced};

const GID: &str = "120363021234567890@g.us";
const GROUP: &str = "/api/v1/sessions/s1/groups/120363021234567890%40g.us";

fn user(n: usize) -> String {
    format!("62866{n:07}@s.whatsapp.net")
}

struct Case {
    what: &'static str,
    method: reqwest::Method,
    path: String,
    body: String,
    idempotency_key: Option<&'static str>,
    status: u16,
    requests: &'static [&'static str],
}

fn case(
    what: &'static str,
    method: reqwest::Method,
    path: String,
    body: &str,
    status: u16,
    requests: &'static [&'static str],
) -> Case {
    Case {
        what,
        method,
        path,
        body: body.to_owned(),
        idempotency_key: None,
        status,
        requests,
    }
}

async fn run(app: &TestApp, key: &str, case: &Case) -> Vec<String> {
    app.requests.take();
    let mut request = app
        .http
        .request(case.method.clone(), format!("{}{}", app.base, case.path))
        .bearer_auth(key)
        .header("content-type", "application/json")
        .body(case.body.clone());
    if let Some(idempotency_key) = case.idempotency_key {
        request = request.header("idempotency-key", idempotency_key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    assert_eq!(status, case.status, "{}: {body}", case.what);
    app.requests.take()
}

/// The cases whose requests differ from their budget; `cold`: each past every warm cache (the
/// key's record 30 s, the session's owner 60 s).
async fn over_budget(app: &TestApp, key: &str, cases: &[Case], cold: bool) -> Vec<String> {
    let mut wrong = Vec::new();
    for case in cases {
        if cold {
            app.clock.advance_ms(61_000);
        }
        let requests = run(app, key, case).await;
        if requests != case.requests {
            wrong.push(format!(
                "{}: {requests:?}, budget {:?}",
                case.what, case.requests
            ));
        }
    }
    wrong
}

/// org-a's session s1 on WhatsApp and stored, with group GID of three members; a key of org-a.
async fn ready() -> (TestApp, String) {
    // Production's pacing: its counters ride on the gate's write.
    let app = spawn_app_paced(Pacing::DEFAULT).await;
    let session = app.add_session("org-a", "s1").await;
    let key = app.api_key("org-a", "read,send").await;
    let account = UserJid::parse(ACCOUNT).unwrap();
    let emulator = &app.emulator.emulator;
    emulator.put_session(&session, Some(account), true);
    let members = (1..=3)
        .map(|n| Participant::member(UserJid::parse(&user(n)).unwrap()))
        .collect();
    emulator.seed_group(
        &session,
        &GroupJid::parse(GID).unwrap(),
        SeedGroup {
            participants: members,
            ..SeedGroup::new(Subject::parse("Team").unwrap())
        },
    );
    emulator.flush_events().await;
    app.drain_events().await;
    (app, key)
}

fn member(n: usize) -> String {
    format!("{GROUP}/members/{}", user(n).replace('@', "%40"))
}

#[tokio::test]
async fn warm_requests_stay_within_their_budgets() {
    use reqwest::Method;
    let (app, key) = ready().await;
    // Warms the caches: the key's record and the session's owner.
    assert_eq!(app.get(GROUP, Some(&key)).await.0, 200);

    let create = r#"{"name": "Budget", "participants": ["6286600000009@s.whatsapp.net"]}"#;
    let add = format!(r#"{{"participants": ["{}"]}}"#, user(4));
    let cases = [
        case("getGroup", Method::GET, GROUP.into(), "", 200, &["GetItem"]),
        case(
            "listGroups",
            Method::GET,
            "/api/v1/sessions/s1/groups".into(),
            "",
            200,
            &["Query"],
        ),
        case(
            "listGroupMembers",
            Method::GET,
            format!("{GROUP}/members"),
            "",
            200,
            &["GetItem", "Query"],
        ),
        case(
            "getGroupSync",
            Method::GET,
            "/api/v1/sessions/s1/groups/sync".into(),
            "",
            200,
            &["GetItem"],
        ),
        case(
            "updateGroup",
            Method::PATCH,
            GROUP.into(),
            r#"{"subject": "Team 2"}"#,
            204,
            &["GetItem", "UpdateItem"],
        ),
        case(
            "createGroup",
            Method::POST,
            "/api/v1/sessions/s1/groups".into(),
            create,
            201,
            &["UpdateItem", "TransactWriteItems"],
        ),
        Case {
            idempotency_key: Some("budget-create"),
            ..case(
                "createGroup with Idempotency-Key",
                Method::POST,
                "/api/v1/sessions/s1/groups".into(),
                create,
                201,
                &["PutItem", "UpdateItem", "TransactWriteItems", "UpdateItem"],
            )
        },
        case(
            "addGroupMembers",
            Method::POST,
            format!("{GROUP}/members"),
            &add,
            200,
            &["GetItem", "UpdateItem", "Query", "TransactWriteItems"],
        ),
        case(
            "promoteGroupMember",
            Method::POST,
            format!("{}/promote", member(1)),
            "",
            204,
            &["GetItem", "Query", "TransactWriteItems"],
        ),
        case(
            "demoteGroupMember",
            Method::POST,
            format!("{}/demote", member(1)),
            "",
            204,
            &["GetItem", "Query", "TransactWriteItems"],
        ),
        case(
            "removeGroupMember",
            Method::DELETE,
            member(2),
            "",
            204,
            &["GetItem", "Query", "TransactWriteItems"],
        ),
        case(
            "getGroupInvite",
            Method::GET,
            format!("{GROUP}/invite"),
            "",
            200,
            &["GetItem"],
        ),
        case(
            "resetGroupInvite",
            Method::DELETE,
            format!("{GROUP}/invite"),
            "",
            200,
            &["GetItem"],
        ),
        case(
            "syncGroups",
            Method::POST,
            "/api/v1/sessions/s1/groups/sync".into(),
            "",
            202,
            &["UpdateItem"],
        ),
    ];
    let wrong = over_budget(&app, &key, &cases, false).await;
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[tokio::test]
async fn a_cold_live_request_reads_its_key_with_the_session_and_the_group() {
    use reqwest::Method;
    let (app, key) = ready().await;
    let cases = [
        case(
            "updateGroup",
            Method::PATCH,
            GROUP.into(),
            r#"{"subject": "Cold"}"#,
            204,
            &["BatchGetItem", "UpdateItem"],
        ),
        case(
            "promoteGroupMember",
            Method::POST,
            format!("{}/promote", member(1)),
            "",
            204,
            &["BatchGetItem", "Query", "TransactWriteItems"],
        ),
        case(
            "getGroupInvite",
            Method::GET,
            format!("{GROUP}/invite"),
            "",
            200,
            &["BatchGetItem"],
        ),
        case(
            "syncGroups",
            Method::POST,
            "/api/v1/sessions/s1/groups/sync".into(),
            "",
            202,
            &["BatchGetItem", "UpdateItem"],
        ),
    ];
    let wrong = over_budget(&app, &key, &cases, true).await;
    assert!(wrong.is_empty(), "{wrong:#?}");
}
