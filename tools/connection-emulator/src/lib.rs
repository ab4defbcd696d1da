//! An emulator of the connection service: the contract of
//! `docs/connection-service.openapi.yaml` served over HTTP from an in-memory WhatsApp, plus
//! a control API under `/_emulator` for tests (see this crate's README). Every change
//! publishes the events of `docs/connection-events.asyncapi.yaml`: kept in memory
//! ([`Emulator::events`]) and, with [`Emulator::with_events_queue`], sent to SQS before the
//! answer of the call that caused them.
//!
//! In tests, start one in-process on a free loopback port:
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use connection_emulator::Emulator;
//! let running = connection_emulator::spawn(Emulator::new(Some("secret".into()))).await?;
//! let base_url = running.url(); // "http://127.0.0.1:<port>"
//! # Ok(()) }
//! ```

mod api;
mod control;
mod events;
mod faults;
mod members;
mod wire;
mod world;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use gateway_domain::{Clock, GroupJid, SessionId, SystemClock, UserJid};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use events::{Event, EventBody};
pub use faults::{CallCounts, Fault, FaultError};
pub use members::{
    AddableBy, GROUP_SIZE_LIMIT, INVITE_LIFETIME_MS, Invitation, MemberAddMode, Participant,
    ParticipantAction, ParticipantResult, PhoneAction, RECENTLY_LEFT_MS, Role, User, UserSettings,
};
pub use wire::ErrorKind;
pub use world::{
    EmulatedGroup, JoinError, Joined, LiveGroup, MAX_PARTICIPANTS, Operation, PhoneChange,
    SeedGroup, SessionState,
};

use events::Publisher;
use world::World;

/// Address the binary listens on unless `EMULATOR_LISTEN` says otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:3001";

/// The emulated service: cheap to clone, every clone is the same WhatsApp.
#[derive(Clone)]
pub struct Emulator {
    inner: Arc<Inner>,
}

struct Inner {
    world: Mutex<World>,
    /// The bearer secret calls must carry; `None` accepts any call.
    token: Option<String>,
    clock: Arc<dyn Clock>,
    /// Operations still to be done, events still to be sent (see [`Emulator::settled`]).
    in_flight: tokio::sync::watch::Sender<usize>,
    /// Where events go besides memory; `None`: memory only.
    publisher: Mutex<Option<Publisher>>,
    /// Held while events are handed to SQS, so they go out in order.
    sending: tokio::sync::Mutex<()>,
}

impl Emulator {
    pub fn new(token: Option<String>) -> Self {
        Self::with_clock(token, Arc::new(SystemClock))
    }

    /// With a clock of the test's: creation times, versions, event times, "recently left"
    /// and invitation expiry all read it.
    pub fn with_clock(token: Option<String>, clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: Arc::new(Inner {
                world: Mutex::new(World::new(clock.now_ms())),
                token,
                clock,
                in_flight: tokio::sync::watch::Sender::new(0),
                publisher: Mutex::new(None),
                sending: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Also sends every event to this SQS queue (`SendMessageBatch`, in order), before the
    /// answer of the call that caused it. Events published before this are not sent.
    #[must_use]
    pub fn with_events_queue(
        self,
        queue_url: impl Into<String>,
        client: aws_sdk_sqs::Client,
    ) -> Self {
        *self
            .inner
            .publisher
            .lock()
            .unwrap_or_else(PoisonError::into_inner) =
            Some(Publisher::new(queue_url.into(), client));
        self
    }

    fn publisher(&self) -> Option<Publisher> {
        self.inner
            .publisher
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Every event published so far, in order.
    pub fn events(&self) -> Vec<Event> {
        self.world().events().to_vec()
    }

    /// Sends the events not sent yet to the queue (if one is configured), in order, and
    /// returns when they are sent (or failed, which is logged). The HTTP routes do this before
    /// answering; after an in-process change (`seed_group`, `put_session`, ...) a test that
    /// reads the queue awaits this (such changes also start sending by themselves).
    pub async fn flush_events(&self) {
        let _turn = self.inner.sending.lock().await;
        let unsent = self.world().take_unsent();
        if unsent.is_empty() {
            return;
        }
        if let Some(publisher) = self.publisher() {
            publisher.send(unsent).await;
        }
    }

    /// After an in-process change: starts sending its events in the background when a queue
    /// is configured and a tokio runtime runs (`settled` and `flush_events` wait for it).
    fn send_soon(&self) {
        if self.publisher().is_none() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let emulator = self.clone();
        let in_flight = self.delayed_operation();
        runtime.spawn(async move {
            let _in_flight = in_flight;
            emulator.flush_events().await;
        });
    }

    // A panic while holding the lock leaves a world that is still consistent enough for a
    // test tool; carrying on beats failing every later call.
    fn world(&self) -> MutexGuard<'_, World> {
        self.inner
            .world
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    pub(crate) fn token(&self) -> Option<&str> {
        self.inner.token.as_deref()
    }

    /// Waits until every operation held back by a delay fault has been done and its events
    /// sent: after a client timed out, this is when WhatsApp holds what the call did.
    pub async fn settled(&self) {
        let mut in_flight = self.inner.in_flight.subscribe();
        // The sender lives in `self`, so the channel cannot close while this waits.
        let _ = in_flight.wait_for(|n| *n == 0).await;
    }

    /// Counts a delayed operation until the guard is dropped (done, or its task failed).
    pub(crate) fn delayed_operation(&self) -> InFlight {
        self.inner.in_flight.send_modify(|n| *n += 1);
        InFlight(self.clone())
    }

    /// Creates the session or changes it; `account: None` keeps the current account (a new
    /// session gets a made-up one). A session that becomes connected publishes a snapshot of
    /// every group its account is in.
    pub fn put_session(
        &self,
        session: &SessionId,
        account: Option<UserJid>,
        connected: bool,
    ) -> SessionState {
        let now = self.now_ms();
        let state = self.world().put_session(session, account, connected, now);
        self.send_soon();
        state
    }

    pub fn session(&self, session: &SessionId) -> Option<SessionState> {
        self.world().session(session)
    }

    /// Puts a group into a known session (replacing one with that JID); `None` when the
    /// session is unknown. Publishes a `group.snapshot`.
    pub fn seed_group(
        &self,
        session: &SessionId,
        gid: &GroupJid,
        seed: SeedGroup,
    ) -> Option<EmulatedGroup> {
        let now = self.now_ms();
        let seeded = self
            .world()
            .seed_group(session, gid, seed, now)
            .map(|(_, group)| group);
        self.send_soon();
        seeded
    }

    /// A change of members made from a phone (`leave`: someone left by themselves). `None`
    /// for an unknown session or group.
    pub fn phone_change(
        &self,
        session: &SessionId,
        gid: &GroupJid,
        action: PhoneAction,
        people: Vec<Participant>,
    ) -> Option<PhoneChange> {
        let now = self.now_ms();
        let change = self.world().phone_change(session, gid, action, people, now);
        self.send_soon();
        change
    }

    /// Who may add members. `None` for an unknown session or group.
    pub fn set_member_add_mode(
        &self,
        session: &SessionId,
        gid: &GroupJid,
        mode: MemberAddMode,
    ) -> Option<EmulatedGroup> {
        let now = self.now_ms();
        let group = self.world().set_member_add_mode(session, gid, mode, now);
        self.send_soon();
        group
    }

    /// The session's account was removed from the group (`group.left`). `None` for an
    /// unknown session or group.
    pub fn remove_account(&self, session: &SessionId, gid: &GroupJid) -> Option<EmulatedGroup> {
        let now = self.now_ms();
        let group = self.world().remove_account(session, gid, now);
        self.send_soon();
        group
    }

    /// How WhatsApp treats this person when someone adds them.
    pub fn put_user(&self, jid: &UserJid, settings: UserSettings) -> User {
        self.world().put_user(jid, settings)
    }

    pub fn user(&self, jid: &UserJid) -> Option<User> {
        self.world().user(jid)
    }

    /// The member WhatsApp would make of this person (their LID filled in when set up with
    /// [`Emulator::put_user`]).
    pub fn participant_for(&self, jid: &UserJid) -> Participant {
        self.world().resolve(jid).0
    }

    /// Someone joins through an invite code (the group's link or a personal invitation).
    pub fn join(&self, code: &str, jid: &UserJid) -> Result<Joined, JoinError> {
        let now = self.now_ms();
        let joined = self.world().join(code, jid, now);
        self.send_soon();
        joined
    }

    /// What WhatsApp holds for the group now.
    pub fn group(&self, session: &SessionId, gid: &GroupJid) -> Option<EmulatedGroup> {
        self.world().group(session, gid)
    }

    /// The session's groups in JID order; empty for an unknown session.
    pub fn groups(&self, session: &SessionId) -> Vec<EmulatedGroup> {
        self.world().groups(session).unwrap_or_default()
    }

    pub fn add_fault(&self, fault: Fault) {
        self.world().faults.push(fault);
    }

    /// Removes the faults scoped to `session`, or all of them; returns how many.
    pub fn clear_faults(&self, session: Option<&str>) -> usize {
        let mut world = self.world();
        let before = world.faults.len();
        world
            .faults
            .retain(|f| session.is_some_and(|s| f.session.as_deref() != Some(s)));
        before - world.faults.len()
    }

    pub fn faults(&self) -> Vec<Fault> {
        self.world().faults.clone()
    }

    /// Calls received for `session`, or for every session.
    pub fn calls(&self, session: Option<&str>) -> CallCounts {
        self.world().calls(session)
    }
}

pub(crate) struct InFlight(Emulator);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0
            .inner
            .in_flight
            .send_modify(|n| *n = n.saturating_sub(1));
    }
}

/// The contract and the control API.
pub fn router(emulator: Emulator) -> Router {
    api::routes().merge(control::routes()).with_state(emulator)
}

/// Serves a fresh emulator that expects `token` as bearer secret (`None`: any call is
/// accepted) until the task is dropped.
pub async fn serve(listener: TcpListener, token: Option<String>) -> std::io::Result<()> {
    serve_emulator(listener, Emulator::new(token)).await
}

pub async fn serve_emulator(listener: TcpListener, emulator: Emulator) -> std::io::Result<()> {
    axum::serve(listener, router(emulator)).await
}

/// An emulator served in the background on `127.0.0.1:<free port>`; stops when dropped.
pub struct RunningEmulator {
    pub addr: SocketAddr,
    pub emulator: Emulator,
    task: JoinHandle<()>,
}

impl RunningEmulator {
    /// The base URL to give the client, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts `emulator` on a free loopback port in the current tokio runtime.
pub async fn spawn(emulator: Emulator) -> std::io::Result<RunningEmulator> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let served = emulator.clone();
    let task = tokio::spawn(async move {
        if let Err(error) = serve_emulator(listener, served).await {
            tracing::error!(%error, "connection emulator stopped");
        }
    });
    Ok(RunningEmulator {
        addr,
        emulator,
        task,
    })
}

/// Sessions to create at start-up, from `EMULATOR_SESSIONS`:
/// `demo=6281234567890@s.whatsapp.net,other` (an account is made up where none is given).
pub fn parse_sessions(spec: &str) -> Result<Vec<(SessionId, Option<UserJid>)>, String> {
    spec.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let (id, account) = match item.split_once('=') {
                Some((id, account)) => (id.trim(), Some(account.trim())),
                None => (item, None),
            };
            let id = SessionId::parse(id).map_err(|e| format!("session {id:?}: {e}"))?;
            let account = account
                .map(|a| UserJid::parse(a).map_err(|e| format!("account of {id}: {e}")))
                .transpose()?;
            Ok((id, account))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_specs() {
        let sessions = parse_sessions("demo=6281@s.whatsapp.net, other ,").unwrap();
        assert_eq!(sessions.len(), 2);
        assert_eq!(sessions[0].0.as_str(), "demo");
        assert_eq!(
            sessions[0].1.as_ref().map(UserJid::as_str),
            Some("6281@s.whatsapp.net")
        );
        assert_eq!(sessions[1].1, None);
        assert!(parse_sessions("bad id").is_err());
        assert!(parse_sessions("demo=nope").is_err());
        assert!(parse_sessions("").unwrap().is_empty());
    }

    #[test]
    fn clearing_faults_of_one_session_keeps_the_others() {
        let emulator = Emulator::new(None);
        emulator.add_fault(Fault::for_session("a"));
        emulator.add_fault(Fault::for_session("b"));
        emulator.add_fault(Fault {
            session: None,
            ..Fault::for_session("")
        });
        assert_eq!(emulator.clear_faults(Some("a")), 1);
        assert_eq!(emulator.faults().len(), 2);
        assert_eq!(emulator.clear_faults(None), 2);
        assert!(emulator.faults().is_empty());
    }
}
