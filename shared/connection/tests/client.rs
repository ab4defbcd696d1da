//! The client against the emulator over real HTTP on 127.0.0.1.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use connection_emulator::{
    Emulator, ErrorKind, Fault, FaultError, Operation, RunningEmulator, SeedGroup,
};
use gateway_connection::{
    ConnectionClient, ConnectionError, FetchToken, RetryPolicy, Timeouts, TokenFuture, TokenSource,
};
use gateway_domain::{Description, GroupJid, SessionId, Subject, UserJid};
use gateway_errors::ApiError;

const TOKEN: &str = "client-test-secret";

/// Short margins so tests of the deadline take milliseconds, not seconds.
const TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_secs(1),
    request: Duration::from_secs(5),
    safety_margin: Duration::from_millis(100),
};

/// Fast backoff: retry tests should not wait long.
const FAST_RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    base_delay: Duration::from_millis(5),
    max_delay: Duration::from_millis(20),
};

struct World {
    running: RunningEmulator,
    client: ConnectionClient,
    session: SessionId,
}

impl World {
    /// A fresh emulator with one connected session whose account is `6281000@s.whatsapp.net`.
    async fn start() -> Self {
        let running = connection_emulator::spawn(Emulator::new(Some(TOKEN.into())))
            .await
            .unwrap();
        let session = SessionId::parse("s1").unwrap();
        running
            .emulator
            .put_session(&session, Some(user("6281000")), true);
        let client = client_for(&running.url(), TokenSource::Static(TOKEN.into()));
        Self {
            running,
            client,
            session,
        }
    }

    fn emulator(&self) -> &Emulator {
        &self.running.emulator
    }

    fn seed(&self, gid: &str, seed: SeedGroup) -> GroupJid {
        let gid = GroupJid::parse(gid).unwrap();
        self.emulator()
            .seed_group(&self.session, &gid, seed)
            .unwrap();
        gid
    }

    fn fault(&self, fault: Fault) {
        self.emulator().add_fault(Fault {
            session: Some(self.session.to_string()),
            ..fault
        });
    }

    fn calls(&self, operation: Operation) -> u64 {
        self.emulator()
            .calls(Some(self.session.as_str()))
            .of(operation)
    }
}

fn client_for(url: &str, token: TokenSource) -> ConnectionClient {
    ConnectionClient::new(url, token, TIMEOUTS)
        .unwrap()
        .with_retry_policy(FAST_RETRY)
}

fn user(digits: &str) -> UserJid {
    UserJid::parse(&format!("{digits}@s.whatsapp.net")).unwrap()
}

fn subject(s: &str) -> Subject {
    Subject::parse(s).unwrap()
}

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(10)
}

fn fault(operation: Operation) -> Fault {
    Fault {
        operation: Some(operation),
        ..Fault::for_session("")
    }
}

#[tokio::test]
async fn create_then_read_and_change() {
    let world = World::start().await;
    let created = world
        .client
        .create_group(
            &world.session,
            None,
            &subject("Team"),
            &[user("6282"), user("6283")],
            soon(),
        )
        .await
        .unwrap();
    assert_eq!(created.owner_jid, Some(user("6281000")));
    assert_eq!(created.participant_count, 3);
    assert_eq!(created.subject.as_str(), "Team");

    let gid = created.group_jid.clone();
    let read = world
        .client
        .get_group(&world.session, &gid, soon())
        .await
        .unwrap();
    assert_eq!(read, created);

    let s = &world.session;
    let c = &world.client;
    let renamed = c
        .set_subject(s, &gid, &subject("Renamed"), soon())
        .await
        .unwrap();
    assert_eq!(renamed.subject.as_str(), "Renamed");
    assert!(renamed.version > created.version);
    let described = c
        .set_description(s, &gid, &Description::parse("about").unwrap(), soon())
        .await
        .unwrap();
    assert_eq!(described.description.as_str(), "about");
    assert!(
        c.set_announce(s, &gid, true, soon())
            .await
            .unwrap()
            .is_announce
    );
    let locked = c.set_locked(s, &gid, true, soon()).await.unwrap();
    assert!(locked.is_locked && locked.is_announce);
    assert!(locked.version > described.version);

    // Both sides of the contract see the same group (separate types: compare as JSON).
    let held = world.emulator().group(s, &gid).unwrap();
    assert_eq!(
        serde_json::to_value(&held.group).unwrap(),
        serde_json::to_value(&locked).unwrap()
    );
    assert_eq!(c.calls_made(), 6);
}

#[tokio::test]
async fn legacy_group_jids_travel_percent_encoded() {
    let world = World::start().await;
    let gid = world.seed("6281234-1700000000@g.us", SeedGroup::new(subject("Old")));
    let group = world
        .client
        .get_group(&world.session, &gid, soon())
        .await
        .unwrap();
    assert_eq!(group.group_jid, gid);
}

#[tokio::test]
async fn a_request_id_makes_at_most_one_group() {
    let world = World::start().await;
    let create = async || {
        world
            .client
            .create_group(
                &world.session,
                Some("req-42"),
                &subject("T"),
                &[user("6282")],
                soon(),
            )
            .await
    };
    let first = create().await.unwrap();
    let again = create().await.unwrap();
    assert_eq!(first, again);
    assert_eq!(world.emulator().groups(&world.session).len(), 1);
}

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
    assert_eq!(error.into_api_error(false).status(), 501);

    let error = c.set_announce(s, &member, true, soon()).await.unwrap_err();
    assert!(matches!(error, ConnectionError::NotAdmin), "{error:?}");
    assert!(matches!(
        error.into_api_error(false),
        ApiError::NotGroupAdmin
    ));

    let missing = GroupJid::parse("999@g.us").unwrap();
    let error = c.set_locked(s, &missing, true, soon()).await.unwrap_err();
    assert!(matches!(error, ConnectionError::GroupNotFound), "{error:?}");
    assert_eq!(error.into_api_error(false).status(), 404);

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
    let api = error.into_api_error(true);
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
async fn a_bad_request_id_is_refused_without_a_call() {
    let world = World::start().await;
    let error = world
        .client
        .create_group(
            &world.session,
            Some("has space"),
            &subject("T"),
            &[user("6282")],
            soon(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ConnectionError::BadRequest { field: Some(f), .. } if f == "requestId"),
        "{error:?}"
    );
    assert_eq!(world.client.calls_made(), 0);
}

#[tokio::test]
async fn setters_retry_after_a_transient_failure() {
    let world = World::start().await;
    let gid = world.seed("100@g.us", SeedGroup::new(subject("T")));
    for (operation, status) in [
        (Operation::SetSubject, 503),
        (Operation::SetDescription, 502),
        (Operation::SetAnnounce, 500),
        (Operation::GetGroup, 503),
    ] {
        world.fault(Fault {
            status: Some(status),
            times: Some(1),
            ..fault(operation)
        });
    }
    // A 500 of the contract is as transient as a proxy's bare 503.
    world.fault(Fault {
        error: Some(FaultError::Kind(ErrorKind::Internal)),
        times: Some(1),
        ..fault(Operation::SetLocked)
    });
    let (c, s) = (&world.client, &world.session);
    c.set_subject(s, &gid, &subject("New"), soon())
        .await
        .unwrap();
    c.set_description(s, &gid, &Description::parse("d").unwrap(), soon())
        .await
        .unwrap();
    c.set_announce(s, &gid, true, soon()).await.unwrap();
    let group = c.set_locked(s, &gid, true, soon()).await.unwrap();
    assert!(group.is_locked && group.is_announce);
    c.get_group(s, &gid, soon()).await.unwrap();
    for op in [
        Operation::SetSubject,
        Operation::SetDescription,
        Operation::SetAnnounce,
        Operation::SetLocked,
        Operation::GetGroup,
    ] {
        assert_eq!(world.calls(op), 2, "{op:?}");
    }
    assert_eq!(c.calls_made(), 10);
}

#[tokio::test]
async fn retries_stop_after_the_policy_s_attempts() {
    let world = World::start().await;
    let gid = world.seed("100@g.us", SeedGroup::new(subject("T")));
    world.fault(Fault {
        status: Some(503),
        ..fault(Operation::GetGroup)
    });
    let error = world
        .client
        .get_group(&world.session, &gid, soon())
        .await
        .unwrap_err();
    assert!(
        matches!(error, ConnectionError::Unavailable(_)),
        "{error:?}"
    );
    assert_eq!(world.calls(Operation::GetGroup), 3);
}

#[tokio::test]
async fn create_is_never_retried() {
    let world = World::start().await;
    world.fault(Fault {
        status: Some(503),
        times: Some(1),
        ..fault(Operation::CreateGroup)
    });
    let error = world
        .client
        .create_group(
            &world.session,
            Some("r1"),
            &subject("T"),
            &[user("6282")],
            soon(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, ConnectionError::Unavailable(_)),
        "{error:?}"
    );
    assert_eq!(world.calls(Operation::CreateGroup), 1);
    assert!(world.emulator().groups(&world.session).is_empty());
    assert_eq!(error.into_api_error(true).status(), 502);
}

#[tokio::test]
async fn retries_never_run_past_the_deadline() {
    let world = World::start().await;
    let gid = world.seed("100@g.us", SeedGroup::new(subject("T")));
    world.fault(Fault {
        status: Some(503),
        ..fault(Operation::SetAnnounce)
    });
    // Backoff of at least 1 s, deadline in 1 s: the first failure is the answer, at once.
    let client = ConnectionClient::new(
        &world.running.url(),
        TokenSource::Static(TOKEN.into()),
        TIMEOUTS,
    )
    .unwrap()
    .with_retry_policy(RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_secs(2),
        max_delay: Duration::from_secs(2),
    });
    let started = Instant::now();
    let error = client
        .set_announce(&world.session, &gid, true, started + Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(
        matches!(error, ConnectionError::Unavailable(_)),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(world.calls(Operation::SetAnnounce), 1);
}

#[tokio::test]
async fn a_slow_service_times_out_before_the_deadline() {
    let world = World::start().await;
    let gid = world.seed("100@g.us", SeedGroup::new(subject("T")));
    world.fault(Fault {
        delay_ms: 10_000,
        ..fault(Operation::GetGroup)
    });
    let client = ConnectionClient::new(
        &world.running.url(),
        TokenSource::Static(TOKEN.into()),
        Timeouts {
            safety_margin: Duration::from_millis(300),
            ..TIMEOUTS
        },
    )
    .unwrap();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(1);
    let error = client
        .get_group(&world.session, &gid, deadline)
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(error, ConnectionError::Timeout), "{error:?}");
    // Gave up a safety margin before the deadline (at 700 ms), and did not retry.
    assert!(elapsed >= Duration::from_millis(650), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
    assert_eq!(client.calls_made(), 1);
    assert!(matches!(
        error.into_api_error(false),
        ApiError::UpstreamTimeout {
            outcome_unknown: false
        }
    ));
}

#[tokio::test]
async fn a_create_that_timed_out_may_still_have_made_the_group() {
    let world = World::start().await;
    world.fault(Fault {
        delay_ms: 500,
        times: Some(1),
        ..fault(Operation::CreateGroup)
    });
    let error = world
        .client
        .create_group(
            &world.session,
            Some("r-timeout"),
            &subject("T"),
            &[user("6282")],
            Instant::now() + Duration::from_millis(300),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, ConnectionError::Timeout), "{error:?}");
    assert!(matches!(
        error.into_api_error(true),
        ApiError::UpstreamTimeout {
            outcome_unknown: true
        }
    ));
    world.emulator().settled().await;
    let made = world.emulator().groups(&world.session);
    assert_eq!(made.len(), 1);
    // Repeating with the same requestId recovers the group instead of making another.
    let recovered = world
        .client
        .create_group(
            &world.session,
            Some("r-timeout"),
            &subject("T"),
            &[user("6282")],
            soon(),
        )
        .await
        .unwrap();
    assert_eq!(recovered.group_jid, made[0].group.group_jid);
    assert_eq!(world.emulator().groups(&world.session).len(), 1);
}

#[tokio::test]
async fn no_call_when_no_time_is_left() {
    let world = World::start().await;
    let gid = world.seed("100@g.us", SeedGroup::new(subject("T")));
    // Less than the safety margin left.
    let error = world
        .client
        .get_group(
            &world.session,
            &gid,
            Instant::now() + Duration::from_millis(80),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, ConnectionError::NoTimeLeft), "{error:?}");
    assert!(error.is_timeout());
    assert_eq!(world.client.calls_made(), 0);
    assert_eq!(world.emulator().calls(None).total, 0);
    // Nothing was sent, so even createGroup's outcome is known.
    assert!(matches!(
        error.into_api_error(true),
        ApiError::UpstreamTimeout {
            outcome_unknown: false
        }
    ));
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
    let api = error.into_api_error(false);
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
        .get_group(&world.session, &group.group_jid, soon())
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
    let lookup = |vars: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    let error =
        ConnectionClient::from_lookup(lookup(&[("GATEWAY_CONNECTION_TOKEN", "t")])).unwrap_err();
    assert_eq!(error.to_string(), "GATEWAY_CONNECTION_URL is not set");
    let error = ConnectionClient::from_lookup(lookup(&[
        ("GATEWAY_CONNECTION_URL", "localhost:3001"),
        ("GATEWAY_CONNECTION_TOKEN", "t"),
    ]))
    .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("GATEWAY_CONNECTION_URL is invalid"),
        "{error}"
    );
    let error = ConnectionClient::from_lookup(lookup(&[(
        "GATEWAY_CONNECTION_URL",
        "http://127.0.0.1:3001",
    )]))
    .unwrap_err();
    assert!(
        error.to_string().contains("GATEWAY_CONNECTION_TOKEN"),
        "{error}"
    );
    let client = ConnectionClient::from_lookup(lookup(&[
        ("GATEWAY_CONNECTION_URL", "http://127.0.0.1:3001/"),
        (
            "GATEWAY_CONNECTION_TOKEN_SECRET",
            "arn:aws:secretsmanager:eu-west-1:1:secret:conn",
        ),
    ]))
    .unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:3001");
    let shown = format!("{client:?}");
    assert!(!shown.contains("secret:conn"), "{shown}");
}
