//! Injected failures and call counts, so tests can make the service misbehave and check
//! what the client did.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::wire::{ErrorKind, ServiceError};
use crate::world::Operation;

/// What a fault answers instead of the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultError {
    /// A refusal of the contract (`{"error": {"kind": ...}}`).
    Kind(ErrorKind),
    /// A body that is not JSON, with status 200 unless the fault sets one: a broken service
    /// or proxy.
    Garbage,
}

impl FaultError {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "garbage" => Some(FaultError::Garbage),
            other => ErrorKind::parse(other).map(FaultError::Kind),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FaultError::Kind(kind) => kind.as_str(),
            FaultError::Garbage => "garbage",
        }
    }
}

impl Serialize for FaultError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A failure injected into matching calls of the contract.
///
/// What is answered:
/// - `error` set: the call is answered with it (after `delay_ms`).
/// - `drop` set: the answer's headers go out (`status`, or the operation's own status when
///   it was carried out, else 200), then the connection breaks in the body.
/// - only `status` set: that status with a plain-text body, as a proxy in front of the service
///   would answer (e.g. 503 or 504).
/// - none of these: the call waits `delay_ms`, then the operation is done as usual, even if
///   the client has given up by then (how a timeout with an unknown outcome is made).
///
/// Whether the operation is done: with `carry_out`, it is (after `delay_ms`, whatever happens
/// to the caller) and then the fault answers as above: an ambiguous failure. Without it, only
/// a fault that answers nothing of its own (delay only) lets the operation go ahead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// Only calls for this session; `None`: every session.
    pub session: Option<String>,
    /// Only this operation; `None`: every operation (`"*"`).
    pub operation: Option<Operation>,
    pub error: Option<FaultError>,
    pub status: Option<u16>,
    pub retry_after_s: Option<u64>,
    pub delay_ms: u64,
    /// How many more calls it fires for; `None`: until cleared.
    pub times: Option<u32>,
    /// The operation is carried out (events included) before the fault answers.
    pub carry_out: bool,
    /// The connection breaks after the answer's headers.
    pub drop: bool,
}

impl Fault {
    /// A fault that fires for every operation of `session` until cleared and does nothing;
    /// set the fields that matter.
    pub fn for_session(session: impl Into<String>) -> Self {
        Self {
            session: Some(session.into()),
            operation: None,
            error: None,
            status: None,
            retry_after_s: None,
            delay_ms: 0,
            times: None,
            carry_out: false,
            drop: false,
        }
    }

    /// The operation is done when this fault fires: it says so, or it answers nothing of its
    /// own (a delay only).
    pub(crate) fn carries_out(&self) -> bool {
        self.carry_out || (self.error.is_none() && self.status.is_none() && !self.drop)
    }

    pub(crate) fn matches(&self, session: &str, operation: Operation) -> bool {
        self.times != Some(0)
            && self.session.as_deref().is_none_or(|s| s == session)
            && self.operation.is_none_or(|op| op == operation)
    }

    pub(crate) fn delay(&self) -> Duration {
        Duration::from_millis(self.delay_ms)
    }

    /// The fault's answer, or `None` when the operation's own answer goes out. `carried` is
    /// the status the operation answered when it was carried out.
    pub(crate) fn answer(&self, carried: Option<StatusCode>) -> Option<Response> {
        let status = self.status.and_then(|s| StatusCode::from_u16(s).ok());
        if self.drop && self.error.is_none() {
            let status = status.or(carried).unwrap_or(StatusCode::OK);
            return Some(
                (
                    status,
                    [(header::CONTENT_TYPE, "application/json")],
                    Body::from_stream(BrokenBody(0)),
                )
                    .into_response(),
            );
        }
        match self.error {
            Some(FaultError::Kind(kind)) => {
                let mut error = ServiceError::new(kind, "injected fault");
                error.status = status;
                error.retry_after_s = self.retry_after_s;
                if kind == ErrorKind::BadRequest {
                    error.field = Some("body".into());
                }
                Some(error.into_response())
            }
            Some(FaultError::Garbage) => Some(
                (
                    status.unwrap_or(StatusCode::OK),
                    [(header::CONTENT_TYPE, "application/json")],
                    "{\"groupJid\": 12",
                )
                    .into_response(),
            ),
            None => status.map(|status| {
                let mut response = (
                    status,
                    [(header::CONTENT_TYPE, "text/plain")],
                    "injected fault\n",
                )
                    .into_response();
                if let Some(seconds) = self.retry_after_s {
                    response
                        .headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
                }
                response
            }),
        }
    }
}

/// A body that sends the start of a JSON document, lets it go out, then fails: the server
/// closes the connection in the middle of the answer.
struct BrokenBody(u8);

impl futures_core::Stream for BrokenBody {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0 = self.0.saturating_add(1);
        match self.0 {
            1 => Poll::Ready(Some(Ok(Bytes::from_static(b"{\"groupJid\": \"1203")))),
            // Pending once, so the server flushes the headers and the first bytes before the
            // body fails.
            2 => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            _ => Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "injected fault: the connection dropped",
            )))),
        }
    }
}

/// Calls received per operation (every request to a contract route, refused ones too).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallCounts {
    pub create_group: u64,
    pub get_group: u64,
    pub set_subject: u64,
    pub set_description: u64,
    pub set_announce: u64,
    pub set_locked: u64,
    pub change_participants: u64,
    pub get_invite: u64,
    pub reset_invite: u64,
    pub request_sync: u64,
    pub total: u64,
}

impl CallCounts {
    pub(crate) fn add(&mut self, operation: Operation, n: u64) {
        let slot = match operation {
            Operation::CreateGroup => &mut self.create_group,
            Operation::GetGroup => &mut self.get_group,
            Operation::SetSubject => &mut self.set_subject,
            Operation::SetDescription => &mut self.set_description,
            Operation::SetAnnounce => &mut self.set_announce,
            Operation::SetLocked => &mut self.set_locked,
            Operation::ChangeParticipants => &mut self.change_participants,
            Operation::GetInvite => &mut self.get_invite,
            Operation::ResetInvite => &mut self.reset_invite,
            Operation::RequestSync => &mut self.request_sync,
        };
        *slot += n;
        self.total += n;
    }

    pub fn of(&self, operation: Operation) -> u64 {
        match operation {
            Operation::CreateGroup => self.create_group,
            Operation::GetGroup => self.get_group,
            Operation::SetSubject => self.set_subject,
            Operation::SetDescription => self.set_description,
            Operation::SetAnnounce => self.set_announce,
            Operation::SetLocked => self.set_locked,
            Operation::ChangeParticipants => self.change_participants,
            Operation::GetInvite => self.get_invite,
            Operation::ResetInvite => self.reset_invite,
            Operation::RequestSync => self.request_sync,
        }
    }
}

/// Takes the first fault matching the call, counting it down; a spent fault is removed.
pub(crate) fn take(faults: &mut Vec<Fault>, session: &str, operation: Operation) -> Option<Fault> {
    let i = faults.iter().position(|f| f.matches(session, operation))?;
    let fired = faults[i].clone();
    match &mut faults[i].times {
        Some(1) => {
            faults.remove(i);
        }
        Some(n) => *n -= 1,
        None => {}
    }
    Some(fired)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_fire_in_order_for_their_scope_and_count_down() {
        let mut faults = vec![
            Fault {
                operation: Some(Operation::SetSubject),
                times: Some(2),
                status: Some(503),
                ..Fault::for_session("a")
            },
            Fault {
                error: Some(FaultError::Kind(ErrorKind::Internal)),
                ..Fault::for_session("a")
            },
        ];
        assert!(take(&mut faults, "b", Operation::SetSubject).is_none());
        assert_eq!(
            take(&mut faults, "a", Operation::SetSubject)
                .unwrap()
                .status,
            Some(503)
        );
        assert_eq!(
            take(&mut faults, "a", Operation::SetSubject)
                .unwrap()
                .status,
            Some(503)
        );
        assert_eq!(faults.len(), 1);
        // The unlimited one now answers, and stays.
        for _ in 0..3 {
            let fired = take(&mut faults, "a", Operation::SetSubject).unwrap();
            assert_eq!(fired.error, Some(FaultError::Kind(ErrorKind::Internal)));
        }
        assert_eq!(faults.len(), 1);
    }

    #[test]
    fn a_fault_for_every_session() {
        let mut faults = vec![Fault {
            session: None,
            times: Some(1),
            ..Fault::for_session("")
        }];
        assert!(take(&mut faults, "x", Operation::GetGroup).is_some());
        assert!(faults.is_empty());
    }

    #[test]
    fn answers() {
        let delay_only = Fault {
            delay_ms: 10,
            ..Fault::for_session("a")
        };
        assert!(delay_only.carries_out());
        assert!(delay_only.answer(None).is_none());
        let rate = Fault {
            error: Some(FaultError::Kind(ErrorKind::RateLimited)),
            retry_after_s: Some(3),
            ..Fault::for_session("a")
        };
        assert!(!rate.carries_out());
        let response = rate.answer(None).unwrap();
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()[header::RETRY_AFTER], "3");
        let overridden = Fault {
            error: Some(FaultError::Kind(ErrorKind::Internal)),
            status: Some(503),
            ..Fault::for_session("a")
        };
        assert_eq!(overridden.answer(None).unwrap().status(), 503);
        let garbage = Fault {
            error: FaultError::parse("garbage"),
            ..Fault::for_session("a")
        };
        assert_eq!(garbage.answer(None).unwrap().status(), 200);
        let dropped = Fault {
            drop: true,
            carry_out: true,
            ..Fault::for_session("a")
        };
        assert!(dropped.carries_out());
        assert_eq!(
            dropped.answer(Some(StatusCode::CREATED)).unwrap().status(),
            201
        );
        assert_eq!(
            Fault {
                drop: true,
                ..Fault::for_session("a")
            }
            .answer(None)
            .unwrap()
            .status(),
            200
        );
        let proxy = Fault {
            status: Some(504),
            carry_out: true,
            ..Fault::for_session("a")
        };
        assert_eq!(proxy.answer(Some(StatusCode::OK)).unwrap().status(), 504);
    }

    #[test]
    fn counts_add_up() {
        let mut counts = CallCounts::default();
        counts.add(Operation::CreateGroup, 2);
        counts.add(Operation::SetLocked, 1);
        assert_eq!(counts.of(Operation::CreateGroup), 2);
        assert_eq!(counts.total, 3);
    }
}
