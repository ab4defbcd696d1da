//! A caller never reads another organization's data, and cannot learn that it exists: its
//! sessions answer exactly like sessions that do not exist.

use crate::support::{TestApp, spawn_app};

const JID: &str = "120363021234567890@g.us";

async fn two_orgs() -> (TestApp, String) {
    let app = spawn_app().await;
    let theirs = app.add_session("org-b", "theirs").await;
    app.add_group(&theirs, JID, "Secret plans").await;
    let key_a = app.api_key("org-a", "read,send").await;
    (app, key_a)
}

#[tokio::test]
async fn get_group_of_another_org_is_the_same_404_as_no_session() {
    let (app, key_a) = two_orgs().await;
    let foreign = app
        .get(
            &format!("/api/v1/sessions/theirs/groups/{JID}"),
            Some(&key_a),
        )
        .await;
    let missing = app
        .get(
            &format!("/api/v1/sessions/nobody/groups/{JID}"),
            Some(&key_a),
        )
        .await;
    assert_eq!(foreign.0, 404);
    assert_eq!(
        foreign, missing,
        "the two answers must not differ in any way"
    );
    assert!(!foreign.1.to_string().contains("Secret"));
}

#[tokio::test]
async fn list_groups_of_another_org_is_the_same_404_as_no_session() {
    let (app, key_a) = two_orgs().await;
    let foreign = app
        .get("/api/v1/sessions/theirs/groups", Some(&key_a))
        .await;
    let missing = app
        .get("/api/v1/sessions/nobody/groups", Some(&key_a))
        .await;
    assert_eq!(foreign.0, 404);
    assert_eq!(foreign, missing);
    assert!(!foreign.1.to_string().contains("Secret"));
}

#[tokio::test]
async fn the_owner_still_reads_it() {
    let (app, _key_a) = two_orgs().await;
    let key_b = app.api_key("org-b", "read").await;
    let (status, body) = app
        .get("/api/v1/sessions/theirs/groups", Some(&key_b))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"][0]["subject"], "Secret plans");
}
