//! An emulator of the connection service: the contract of
//! `docs/connection-service.openapi.yaml` served over HTTP from an in-memory WhatsApp, plus
//! a control API under `/_emulator` for tests (see this crate's README).
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
mod faults;
mod wire;
mod world;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use gateway_domain::{Clock, GroupJid, SessionId, SystemClock, UserJid};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use faults::{CallCounts, Fault, FaultError};
pub use wire::ErrorKind;
pub use world::{EmulatedGroup, LiveGroup, MAX_PARTICIPANTS, Operation, SeedGroup, SessionState};

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
    /// Delayed operations still to be done (see [`Emulator::settled`]).
    in_flight: tokio::sync::watch::Sender<usize>,
}

impl Emulator {
    pub fn new(token: Option<String>) -> Self {
        Self::with_clock(token, Arc::new(SystemClock))
    }

    /// With a clock of the test's (group creation times come from it).
    pub fn with_clock(token: Option<String>, clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: Arc::new(Inner {
                world: Mutex::new(World::new(clock.now_ms())),
                token,
                clock,
                in_flight: tokio::sync::watch::Sender::new(0),
            }),
        }
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

    /// Waits until every operation held back by a delay fault has been done: after a client
    /// timed out, this is when WhatsApp holds what the call did.
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
    /// session gets a made-up one).
    pub fn put_session(
        &self,
        session: &SessionId,
        account: Option<UserJid>,
        connected: bool,
    ) -> SessionState {
        self.world().put_session(session, account, connected)
    }

    pub fn session(&self, session: &SessionId) -> Option<SessionState> {
        self.world().session(session)
    }

    /// Puts a group into a known session (replacing one with that JID); `None` when the
    /// session is unknown.
    pub fn seed_group(
        &self,
        session: &SessionId,
        gid: &GroupJid,
        seed: SeedGroup,
    ) -> Option<EmulatedGroup> {
        let now = self.now_ms();
        self.world()
            .seed_group(session, gid, seed, now)
            .map(|(_, group)| group)
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
