//! The bearer secret: refused, rotated, read again; and the settings that name it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use connection_emulator::{Operation, SeedGroup};
use gateway_config::Settings;
use gateway_connection::{ConnectionClient, ConnectionError, FetchToken, TokenFuture, TokenSource};

use crate::support::{TOKEN, World, client_for, soon, subject, user};

#[tokio::test]
async fn a_wrong_static_secret_is_unavailable() {
    let world = World::start().await;
    let gid = world.seed("100@g.us", SeedGroup::new(subject("T")));
    let client = client_for(&world.running.url(), TokenSource::Static("wrong".into()));
    let error = client
        .get_group(&world.session, &gid, soon())
        .await
        .unwrap_err();
    assert!(
        matches!(error, ConnectionError::Unavailable(_)),
        "{error:?}"
    );
    assert_eq!(client.calls_made(), 1);
}

/// A secret store whose value was rotated: the first read gives the old secret.
struct RotatedSecret {
    values: Vec<&'static str>,
    reads: AtomicUsize,
}

impl FetchToken for RotatedSecret {
    fn fetch(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            let i = self.reads.fetch_add(1, Ordering::SeqCst);
            Ok(self.values[i.min(self.values.len() - 1)].to_owned())
        })
    }
}

#[tokio::test]
async fn a_rotated_secret_is_read_again_once() {
    let world = World::start().await;
    let secret = Arc::new(RotatedSecret {
        values: vec!["old", TOKEN],
        reads: AtomicUsize::new(0),
    });
    let client = client_for(&world.running.url(), TokenSource::Fetched(secret.clone()));
    assert_eq!(
        secret.reads.load(Ordering::SeqCst),
        0,
        "nothing read at construction"
    );

    // Even createGroup goes again after a 401: nothing was done.
    let group = client
        .create_group(&world.session, None, &subject("T"), &[user("6282")], soon())
        .await
        .unwrap();
    assert_eq!(secret.reads.load(Ordering::SeqCst), 2);
    assert_eq!(world.calls(Operation::CreateGroup), 2);
    assert_eq!(world.emulator().groups(&world.session).len(), 1);

    // Cached from now on.
    client
        .get_group(&world.session, &group.group.group_jid, soon())
        .await
        .unwrap();
    assert_eq!(secret.reads.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_secret_still_refused_after_reading_it_again_is_unavailable() {
    let world = World::start().await;
    let gid = world.seed("100@g.us", SeedGroup::new(subject("T")));
    let secret = Arc::new(RotatedSecret {
        values: vec!["old", "older"],
        reads: AtomicUsize::new(0),
    });
    let client = client_for(&world.running.url(), TokenSource::Fetched(secret.clone()));
    let error = client
        .get_group(&world.session, &gid, soon())
        .await
        .unwrap_err();
    assert!(
        matches!(error, ConnectionError::Unavailable(_)),
        "{error:?}"
    );
    assert_eq!(secret.reads.load(Ordering::SeqCst), 2);
    assert_eq!(client.calls_made(), 2);
}

#[test]
fn settings_name_what_is_missing() {
    let from =
        |pairs: &[(&str, &str)]| ConnectionClient::from_settings(&Settings::from_pairs(pairs));
    let error = from(&[("GATEWAY_CONNECTION_TOKEN", "t")]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "configuration error: GATEWAY_CONNECTION_URL is required but not set"
    );
    let error = from(&[
        ("GATEWAY_CONNECTION_URL", "localhost:3001"),
        ("GATEWAY_CONNECTION_TOKEN", "t"),
    ])
    .unwrap_err();
    assert_eq!(error.name, "GATEWAY_CONNECTION_URL");
    let error = from(&[("GATEWAY_CONNECTION_URL", "http://127.0.0.1:3001")]).unwrap_err();
    assert!(
        error.to_string().contains("GATEWAY_CONNECTION_TOKEN"),
        "{error}"
    );
    let client = from(&[
        ("GATEWAY_CONNECTION_URL", "http://127.0.0.1:3001/"),
        (
            "GATEWAY_CONNECTION_TOKEN_SECRET",
            "arn:aws:secretsmanager:eu-west-1:1:secret:conn",
        ),
    ])
    .unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:3001");
    let shown = format!("{client:?}");
    assert!(!shown.contains("secret:conn"), "{shown}");
}
