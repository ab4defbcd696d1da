//! Refusals and answers outside the contract, and what each one becomes.

use std::time::{Duration, Instant};

use connection_emulator::{ErrorKind, Fault, FaultError, Operation, SeedGroup};
use gateway_connection::{ConnectionError, TokenSource};
use gateway_domain::{GroupJid, SessionId};
use gateway_errors::ApiError;

use crate::support::{TOKEN, World, client_for, fault, soon, subject, user};

#[tokio::test]
async fn refusals_map_to_their_errors_and_api_statuses() {
    let world = World::start().await;
    let c = &world.client;
    let s = &world.session;
    let member = world.seed(
        "100@g.us",
        SeedGroup {
            admin: false,
            ..SeedGroup::new(subject("T"))
        },
    );

    // Unknown session.
    let unknown = SessionId::parse("nobody").unwrap();
    let error = c.get_group(&unknown, &member, soon()).await.unwrap_err();
    assert!(matches!(error, ConnectionError::NotConnected), "{error:?}");
    assert_eq!(error.into_api_error().status(), 501);

    let error = c.set_announce(s, &member, true, soon()).await.unwrap_err();
    assert!(matches!(error, ConnectionError::NotAdmin), "{error:?}");
    assert!(matches!(error.into_api_error(), ApiError::NotGroupAdmin));

    let missing = GroupJid::parse("999@g.us").unwrap();
    let error = c.set_locked(s, &missing, true, soon()).await.unwrap_err();
    assert!(matches!(error, ConnectionError::GroupNotFound), "{error:?}");
    assert_eq!(error.into_api_error().status(), 404);

    // The service's own validation: a duplicate participant, named by index.
    let error = c
        .create_group(
            s,
            None,
            &subject("T"),
            &[user("6282"), user("6282")],
            soon(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ConnectionError::BadRequest { field: Some(f), .. } if f == "participants[1]"),
        "{error:?}"
    );
    let api = error.into_api_error();
    assert_eq!(
        (api.status().as_u16(), api.code()),
        (400, "validation_error")
    );

    world.fault(Fault {
        error: Some(FaultError::Kind(ErrorKind::RateLimited)),
        retry_after_s: Some(7),
        times: Some(1),
        ..fault(Operation::SetSubject)
    });
    let error = c
        .set_subject(s, &member, &subject("X"), soon())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            ConnectionError::RateLimited {
                retry_after_s: Some(7)
            }
        ),
        "{error:?}"
    );
    // Rate limiting is WhatsApp's answer, not a transient failure: no retry.
    assert_eq!(world.calls(Operation::SetSubject), 1);

    // Disconnected after all.
    world.emulator().put_session(s, None, false);
    let error = c.get_group(s, &member, soon()).await.unwrap_err();
    assert!(matches!(error, ConnectionError::NotConnected), "{error:?}");
}

#[tokio::test]
async fn a_refused_connection_is_unavailable() {
    // A port that nothing listens on: bound, then released.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = client_for(&url, TokenSource::Static(TOKEN.into()));
    let session = SessionId::parse("s1").unwrap();
    let gid = GroupJid::parse("100@g.us").unwrap();

    let started = Instant::now();
    let error = client.get_group(&session, &gid, soon()).await.unwrap_err();
    assert!(
        matches!(error, ConnectionError::Unavailable(_)),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    // Safe to repeat: the policy's three attempts.
    assert_eq!(client.calls_made(), 3);
    let api = error.into_api_error();
    assert_eq!(api.status(), 502);
    assert!(
        std::error::Error::source(&api).is_some(),
        "the cause is kept for the log"
    );

    let error = client
        .create_group(&session, None, &subject("T"), &[user("6282")], soon())
        .await
        .unwrap_err();
    assert!(
        matches!(error, ConnectionError::Unavailable(_)),
        "{error:?}"
    );
    assert_eq!(client.calls_made(), 4);
}

#[tokio::test]
async fn answers_outside_the_contract_are_unavailable() {
    let world = World::start().await;
    let gid = world.seed("100@g.us", SeedGroup::new(subject("T")));
    world.fault(Fault {
        error: Some(FaultError::Garbage),
        times: Some(1),
        ..fault(Operation::SetLocked)
    });
    let error = world
        .client
        .set_locked(&world.session, &gid, true, soon())
        .await
        .unwrap_err();
    assert!(
        matches!(error, ConnectionError::Unavailable(_)),
        "{error:?}"
    );
    // Whatever that answer meant, repeating blindly is not the client's call.
    assert_eq!(world.calls(Operation::SetLocked), 1);

    // A wrong base path: the server's bare 404 is not "group not found".
    let lost = client_for(
        &format!("{}/elsewhere", world.running.url()),
        TokenSource::Static(TOKEN.into()),
    );
    let error = lost
        .get_group(&world.session, &gid, soon())
        .await
        .unwrap_err();
    assert!(
        matches!(error, ConnectionError::Unavailable(_)),
        "{error:?}"
    );
}

/// A server that is not the connection service: it answers every request with `answer`.
async fn impostor(answer: fn() -> axum::response::Response) -> String {
    let app = axum::Router::new().fallback(move || async move { answer() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

#[tokio::test]
async fn redirects_are_not_followed() {
    use axum::response::IntoResponse;
    // A redirect would carry the bearer secret (and a create) to wherever it points.
    let url = impostor(|| {
        (
            axum::http::StatusCode::TEMPORARY_REDIRECT,
            [(axum::http::header::LOCATION, "http://127.0.0.1:9/elsewhere")],
        )
            .into_response()
    })
    .await;
    let client = client_for(&url, TokenSource::Static(TOKEN.into()));
    let session = SessionId::parse("s1").unwrap();
    let error = client
        .create_group(&session, None, &subject("T"), &[user("6282")], soon())
        .await
        .unwrap_err();
    assert!(
        matches!(error, ConnectionError::Unavailable(_)),
        "{error:?}"
    );
    assert_eq!(client.calls_made(), 1);
}

#[tokio::test]
async fn an_endless_answer_is_cut_off_at_the_cap() {
    use axum::response::IntoResponse;
    let url = impostor(|| {
        let chunk = bytes_of_json();
        let endless = futures_util::stream::repeat_with(move || {
            Ok::<_, std::convert::Infallible>(chunk.clone())
        });
        axum::body::Body::from_stream(endless).into_response()
    })
    .await;
    let client = client_for(&url, TokenSource::Static(TOKEN.into()));
    let session = SessionId::parse("s1").unwrap();
    let gid = GroupJid::parse("1@g.us").unwrap();
    let started = Instant::now();
    let error = client.get_group(&session, &gid, soon()).await.unwrap_err();
    assert!(
        matches!(error, ConnectionError::Unavailable(_)),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "read until the timeout"
    );
    // A create whose answer never ends may have been made: the outcome is unknown.
    let error = client
        .create_group(&session, None, &subject("T"), &[user("6282")], soon())
        .await
        .unwrap_err();
    assert!(
        matches!(error, ConnectionError::OutcomeUnknown(_)),
        "{error:?}"
    );
}

fn bytes_of_json() -> axum::body::Bytes {
    axum::body::Bytes::from_static(&[b' '; 64 * 1024])
}

#[tokio::test]
async fn an_answer_about_another_group_is_refused() {
    use axum::response::IntoResponse;
    // Stored under the group asked about, another group's state would overwrite it.
    let url = impostor(|| {
        axum::Json(serde_json::json!({
            "groupJid": "999@g.us", "subject": "Other", "description": "", "ownerJid": null,
            "participants": [], "participantCount": 0, "isAnnounce": false, "isLocked": false,
            "createdAt": 1, "version": 2,
        }))
        .into_response()
    })
    .await;
    let client = client_for(&url, TokenSource::Static(TOKEN.into()));
    let session = SessionId::parse("s1").unwrap();
    let asked = GroupJid::parse("100@g.us").unwrap();
    let read = client.get_group(&session, &asked, soon()).await;
    let changed = client
        .set_subject(&session, &asked, &subject("T"), soon())
        .await;
    for error in [read.unwrap_err(), changed.unwrap_err()] {
        assert!(
            matches!(error, ConnectionError::Unavailable(_)),
            "{error:?}"
        );
    }
}
