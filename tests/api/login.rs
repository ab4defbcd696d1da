//! Login JWTs end to end: the local API verifies tokens against a JWKS served over HTTP.
//! (Each attack on the verifier itself is tested in `shared/auth/tests/login`.)

use serde_json::json;

use crate::support::{AUDIENCE, ISSUER, TestApp, assert_error, spawn_app};

const JID: &str = "120363021234567890@g.us";

async fn app() -> TestApp {
    let app = spawn_app().await;
    let ours = app.add_session("org-a", "ours").await;
    app.add_group(&ours, JID, "Ours").await;
    let theirs = app.add_session("org-b", "theirs").await;
    app.add_group(&theirs, JID, "Theirs").await;
    app
}

fn read_paths(session: &str) -> [String; 2] {
    [
        format!("/api/v1/sessions/{session}/groups"),
        format!("/api/v1/sessions/{session}/groups/{JID}"),
    ]
}

#[tokio::test]
async fn owners_admins_and_members_read_their_own_sessions() {
    let app = app().await;
    for role in ["owner", "admin", "member"] {
        let token = app.token("org-a", role);
        for path in read_paths("ours") {
            let (status, body) = app.get(&path, Some(&token)).await;
            assert_eq!(status, 200, "{role} {path}: {body}");
        }
    }
}

#[tokio::test]
async fn an_unknown_role_is_authenticated_but_forbidden_everywhere() {
    let app = app().await;
    app.whatsapp_session("ours", true).await;
    let token = app.token("org-a", "guest");
    for path in read_paths("ours") {
        let answer = app.get(&path, Some(&token)).await;
        assert_error(
            &answer,
            403,
            "forbidden",
            json!({"reason": "missing_capability", "required": "read"}),
        );
    }
    let create = r#"{"name": "x", "participants": ["6281111111111@s.whatsapp.net"]}"#;
    let answer = app
        .post("/api/v1/sessions/ours/groups", Some(&token), create)
        .await;
    assert_error(
        &answer,
        403,
        "forbidden",
        json!({"reason": "missing_capability", "required": "send"}),
    );
    let answer = app
        .patch(&read_paths("ours")[1], Some(&token), r#"{"subject": "x"}"#)
        .await;
    assert_error(
        &answer,
        403,
        "forbidden",
        json!({"reason": "missing_capability", "required": "send"}),
    );
    assert_eq!(app.calls("ours").await, 0);
}

#[tokio::test]
async fn a_member_reads_but_does_not_send() {
    let app = app().await;
    app.whatsapp_session("ours", true).await;
    let member = app.token("org-a", "member");
    assert_eq!(app.get(&read_paths("ours")[0], Some(&member)).await.0, 200);
    let create = r#"{"name": "x", "participants": ["6281111111111@s.whatsapp.net"]}"#;
    let answer = app
        .post("/api/v1/sessions/ours/groups", Some(&member), create)
        .await;
    assert_error(
        &answer,
        403,
        "forbidden",
        json!({"reason": "missing_capability", "required": "send"}),
    );
    let owner = app.token("org-a", "owner");
    assert_eq!(
        app.post("/api/v1/sessions/ours/groups", Some(&owner), create)
            .await
            .0,
        201
    );
}

#[tokio::test]
async fn a_person_of_another_org_gets_the_same_404_as_for_no_session() {
    let app = app().await;
    let token = app.token("org-a", "owner");
    for (foreign, missing) in read_paths("theirs").iter().zip(read_paths("nobody")) {
        let foreign_answer = app.get(foreign, Some(&token)).await;
        assert_eq!(foreign_answer.0, 404);
        assert_eq!(foreign_answer, app.get(&missing, Some(&token)).await);
    }
    app.whatsapp_session("theirs", true).await;
    let create = r#"{"name": "x", "participants": ["6281111111111@s.whatsapp.net"]}"#;
    let foreign = app
        .post("/api/v1/sessions/theirs/groups", Some(&token), create)
        .await;
    assert_eq!(
        foreign,
        app.post("/api/v1/sessions/nobody/groups", Some(&token), create)
            .await
    );
    let foreign = app
        .patch(
            &read_paths("theirs")[1],
            Some(&token),
            r#"{"subject": "x"}"#,
        )
        .await;
    assert_eq!(
        foreign,
        app.patch(
            &read_paths("nobody")[1],
            Some(&token),
            r#"{"subject": "x"}"#
        )
        .await
    );
    assert_eq!(foreign.0, 404);
    assert_eq!(app.calls("theirs").await, 0);
}

#[tokio::test]
async fn a_token_without_the_org_claim_is_401() {
    let app = app().await;
    let now = app.clock_now_s();
    let token = app
        .signer
        .sign(&json!({"iss": ISSUER, "aud": AUDIENCE, "sub": "u1", "exp": now + 300, "role": "owner"}))
        .unwrap();
    let answer = app.get("/api/v1/sessions/ours/groups", Some(&token)).await;
    assert_error(&answer, 401, "unauthorized", json!({}));
}

#[tokio::test]
async fn an_expired_token_is_401_once_the_clock_passes_exp_and_leeway() {
    let app = app().await;
    let token = app.token("org-a", "owner");
    assert_eq!(
        app.get("/api/v1/sessions/ours/groups", Some(&token))
            .await
            .0,
        200
    );
    app.clock.advance_ms(300_000 + 60_000);
    let answer = app.get("/api/v1/sessions/ours/groups", Some(&token)).await;
    assert_error(&answer, 401, "unauthorized", json!({}));
}

#[tokio::test]
async fn a_token_from_another_signer_is_401() {
    let app = app().await;
    let stranger = gateway_auth::login::dev::DevSigner::generate().unwrap();
    let token = stranger
        .mint(
            &gateway_domain::OrgId::parse("org-a").unwrap(),
            "owner",
            ISSUER,
            AUDIENCE,
            300,
            app.clock_now_s() * 1000,
        )
        .unwrap();
    let answer = app.get("/api/v1/sessions/ours/groups", Some(&token)).await;
    assert_error(&answer, 401, "unauthorized", json!({}));
}

impl TestApp {
    fn clock_now_s(&self) -> i64 {
        use gateway_domain::Clock;
        self.clock.now_ms() / 1000
    }
}
