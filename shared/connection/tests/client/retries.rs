//! Retries of what is safe to repeat, never of a create, and never past the deadline.

use std::time::{Duration, Instant};

use connection_emulator::{ErrorKind, Fault, FaultError, Operation, SeedGroup};
use gateway_connection::{ConnectionClient, ConnectionError, RetryPolicy, Timeouts, TokenSource};
use gateway_domain::Description;
use gateway_errors::ApiError;

use crate::support::{TIMEOUTS, TOKEN, World, fault, soon, subject, user};

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
    assert_eq!(error.into_api_error().status(), 502);
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
        error.into_api_error(),
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
    assert!(
        matches!(error, ConnectionError::OutcomeUnknown(_)),
        "{error:?}"
    );
    assert!(matches!(
        error.into_api_error(),
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
    assert_eq!(recovered.group.group_jid, made[0].group.group_jid);
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
        error.into_api_error(),
        ApiError::UpstreamTimeout {
            outcome_unknown: false
        }
    ));
}
