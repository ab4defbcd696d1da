//! A fresh emulator on 127.0.0.1 and a client for it, for every test of this binary.

use std::time::{Duration, Instant};

use connection_emulator::{Emulator, Fault, Operation, RunningEmulator, SeedGroup};
use gateway_connection::{ConnectionClient, RetryPolicy, Timeouts, TokenSource};
use gateway_domain::{GroupJid, SessionId, Subject, UserJid};

pub const TOKEN: &str = "client-test-secret";

/// Short margins so tests of the deadline take milliseconds, not seconds.
pub const TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_secs(1),
    request: Duration::from_secs(5),
    safety_margin: Duration::from_millis(100),
};

/// Fast backoff: retry tests should not wait long.
pub const FAST_RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    base_delay: Duration::from_millis(5),
    max_delay: Duration::from_millis(20),
};

pub struct World {
    pub running: RunningEmulator,
    pub client: ConnectionClient,
    pub session: SessionId,
}

impl World {
    /// A fresh emulator with one connected session whose account is `6281000@s.whatsapp.net`.
    pub async fn start() -> Self {
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

    pub fn emulator(&self) -> &Emulator {
        &self.running.emulator
    }

    pub fn seed(&self, gid: &str, seed: SeedGroup) -> GroupJid {
        let gid = GroupJid::parse(gid).unwrap();
        self.emulator()
            .seed_group(&self.session, &gid, seed)
            .unwrap();
        gid
    }

    pub fn fault(&self, fault: Fault) {
        self.emulator().add_fault(Fault {
            session: Some(self.session.to_string()),
            ..fault
        });
    }

    pub fn calls(&self, operation: Operation) -> u64 {
        self.emulator()
            .calls(Some(self.session.as_str()))
            .of(operation)
    }
}

pub fn client_for(url: &str, token: TokenSource) -> ConnectionClient {
    ConnectionClient::new(url, token, TIMEOUTS)
        .unwrap()
        .with_retry_policy(FAST_RETRY)
}

pub fn user(digits: &str) -> UserJid {
    UserJid::parse(&format!("{digits}@s.whatsapp.net")).unwrap()
}

pub fn subject(s: &str) -> Subject {
    Subject::parse(s).unwrap()
}

pub fn soon() -> Instant {
    Instant::now() + Duration::from_secs(10)
}

pub fn fault(operation: Operation) -> Fault {
    Fault {
        operation: Some(operation),
        ..Fault::for_session("")
    }
}
