//! listGroups over HTTP: paging, cursors, foreign sessions, request budget.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::support::{TestApp, assert_error, jid, spawn_app};

async fn with_groups(n: usize) -> (TestApp, String) {
    let app = spawn_app().await;
    let session = app.add_session("org-a", "s1").await;
    // Stored out of order: the list must come back in JID order regardless.
    for i in (0..n).rev() {
        app.add_group(&session, &jid(i), &format!("Group {i}"))
            .await;
    }
    let key = app.api_key("org-a", "read").await;
    (app, key)
}

/// Walks every page; returns the JIDs in the order seen and the number of pages.
async fn walk(app: &TestApp, key: &str, limit: usize) -> (Vec<String>, usize) {
    let mut seen = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let (status, body) = app
            .get(
                &format!("/api/v1/sessions/s1/groups?limit={limit}&cursor={cursor}"),
                Some(key),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        pages += 1;
        let data = body["data"].as_array().unwrap();
        assert!(data.len() <= limit);
        seen.extend(
            data.iter()
                .map(|g| g["groupJid"].as_str().unwrap().to_owned()),
        );
        cursor = body["nextCursor"].as_str().unwrap().to_owned();
        if cursor.is_empty() {
            return (seen, pages);
        }
        assert!(pages < 100, "runaway pagination");
    }
}

#[tokio::test]
async fn pages_through_250_groups_each_exactly_once_in_jid_order() {
    let (app, key) = with_groups(250).await;
    let (seen, pages) = walk(&app, &key, 100).await;
    let expected: Vec<String> = (0..250).map(jid).collect();
    assert_eq!(seen, expected);
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn envelope_with_default_limit_and_empty_cursor_on_the_last_page() {
    let (app, key) = with_groups(3).await;
    let (status, body) = app.get("/api/v1/sessions/s1/groups", Some(&key)).await;
    assert_eq!(status, 200);
    assert_eq!(body["nextCursor"], "");
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    assert_eq!(data[0]["groupJid"], jid(0));
    assert_eq!(data[0]["subject"], "Group 0");
    // Ids come from the session's counter in the order the groups were first stored.
    assert_eq!(data[0]["id"], 3);
    assert_eq!(data[2]["id"], 1);
}

#[tokio::test]
async fn an_exactly_full_last_page_has_no_cursor() {
    let (app, key) = with_groups(4).await;
    let (_, first) = app
        .get("/api/v1/sessions/s1/groups?limit=2", Some(&key))
        .await;
    let cursor = first["nextCursor"].as_str().unwrap();
    assert!(!cursor.is_empty());
    let (_, last) = app
        .get(
            &format!("/api/v1/sessions/s1/groups?limit=2&cursor={cursor}"),
            Some(&key),
        )
        .await;
    assert_eq!(last["data"].as_array().unwrap().len(), 2);
    assert_eq!(last["nextCursor"], "");
}

#[tokio::test]
async fn a_session_without_groups_lists_nothing() {
    let app = spawn_app().await;
    app.add_session("org-a", "s1").await;
    let key = app.api_key("org-a", "read").await;
    let (status, body) = app.get("/api/v1/sessions/s1/groups", Some(&key)).await;
    assert_eq!((status, body), (200, json!({"data": [], "nextCursor": ""})));
}

#[tokio::test]
async fn groups_added_while_paging_never_repeat_or_skip_existing_ones() {
    let (app, key) = with_groups(30).await;
    let session = gateway_domain::SessionId::parse("s1").unwrap();
    let mut seen = Vec::new();
    let mut cursor = String::new();
    let mut round = 0;
    loop {
        let (_, body) = app
            .get(
                &format!("/api/v1/sessions/s1/groups?limit=7&cursor={cursor}"),
                Some(&key),
            )
            .await;
        seen.extend(
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["groupJid"].as_str().unwrap().to_owned()),
        );
        // New groups land before, between and after the ones already listed.
        round += 1;
        for new in [round * 1000 + 5, round * 2, 100_000 + round] {
            app.add_group(&session, &jid(new), "late").await;
        }
        cursor = body["nextCursor"].as_str().unwrap().to_owned();
        if cursor.is_empty() {
            break;
        }
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a group was listed twice");
    for i in 0..30 {
        assert!(seen.contains(&jid(i)), "group {i} was skipped");
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
}

#[tokio::test]
async fn bad_limits_are_400() {
    let (app, key) = with_groups(1).await;
    for limit in ["0", "101", "abc", "-1", "", "1e2"] {
        let answer = app
            .get(
                &format!("/api/v1/sessions/s1/groups?limit={limit}"),
                Some(&key),
            )
            .await;
        assert_eq!(answer.1["error"]["details"]["field"], "limit", "{limit}");
        assert_eq!(answer.0, 400, "{limit}");
    }
}

#[tokio::test]
async fn cursors_from_another_session_or_garbled_are_400_before_any_lookup() {
    let (app, key) = with_groups(3).await;
    let other = gateway_domain::SessionId::parse("s2").unwrap();
    app.store
        .create_session(&gateway_store::SessionRecord {
            id: other.clone(),
            org: gateway_domain::OrgId::parse("org-a").unwrap(),
            account: None,
            created_at: 0,
        })
        .await
        .unwrap();
    for i in 0..3 {
        app.add_group(&other, &jid(i), "other").await;
    }
    let (_, page) = app
        .get("/api/v1/sessions/s2/groups?limit=1", Some(&key))
        .await;
    let foreign = page["nextCursor"].as_str().unwrap().to_owned();
    assert!(!foreign.is_empty());
    app.requests.take();

    for cursor in [foreign.as_str(), "garbage", "Zz1", "%00", &"A".repeat(1000)] {
        let answer = app
            .get(
                &format!("/api/v1/sessions/s1/groups?cursor={cursor}"),
                Some(&key),
            )
            .await;
        assert_error(
            &answer,
            400,
            "validation_error",
            json!({"field": "cursor", "reason": "is not a cursor of this session's list"}),
        );
    }
    assert_eq!(
        app.requests.take(),
        Vec::<String>::new(),
        "DynamoDB saw a bad cursor"
    );
}

#[tokio::test]
async fn a_warm_page_costs_one_dynamodb_request() {
    let (app, key) = with_groups(5).await;
    app.get("/api/v1/sessions/s1/groups?limit=2", Some(&key))
        .await;
    // A cold function reads the key and the session's owner in one batch before anything of
    // the session's partition, then the page.
    assert_eq!(app.requests.take(), ["BatchGetItem", "Query"]);
    let (_, first) = app
        .get("/api/v1/sessions/s1/groups?limit=2", Some(&key))
        .await;
    assert_eq!(app.requests.take(), ["Query"]);
    let cursor = first["nextCursor"].as_str().unwrap();
    app.get(
        &format!("/api/v1/sessions/s1/groups?limit=2&cursor={cursor}"),
        Some(&key),
    )
    .await;
    assert_eq!(app.requests.take(), ["Query"]);
}

#[tokio::test]
async fn requires_read_capability() {
    let (app, _) = with_groups(1).await;
    let send_only = app.api_key("org-a", "send").await;
    let answer = app
        .get("/api/v1/sessions/s1/groups", Some(&send_only))
        .await;
    assert_error(
        &answer,
        403,
        "forbidden",
        json!({"reason": "missing_capability", "required": "read"}),
    );
}

#[tokio::test]
async fn list_and_get_agree() {
    let (app, key) = with_groups(2).await;
    let (_, list) = app.get("/api/v1/sessions/s1/groups", Some(&key)).await;
    for group in list["data"].as_array().unwrap() {
        let jid = group["groupJid"].as_str().unwrap();
        let (_, one) = app
            .get(&format!("/api/v1/sessions/s1/groups/{jid}"), Some(&key))
            .await;
        assert_eq!(&one, group as &Value);
    }
}
