//! Reading the service's answers: a typed value on success, otherwise the contract's error
//! `kind`, and whether the operation may have been carried out all the same.

use std::fmt;

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use serde::de::DeserializeOwned;

use crate::error::ConnectionError;
use crate::model::ErrorEnvelope;
use crate::retry::is_transient_status;

/// The largest answer read: far above a 1024-member group (~150 KB), far below what would
/// hurt a function's memory.
pub(crate) const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

/// How one attempt ended.
pub(crate) enum Attempt<T> {
    Done(T),
    /// 401: the bearer secret was refused; nothing was done.
    Refused,
    Failed {
        error: ConnectionError,
        /// The operation was not carried out and another attempt may succeed.
        transient: bool,
        /// The request may have been carried out although no usable answer came back.
        maybe_done: bool,
    },
}

impl<T> Attempt<T> {
    pub(crate) fn failed(error: ConnectionError, transient: bool, maybe_done: bool) -> Self {
        Attempt::Failed {
            error,
            transient,
            maybe_done,
        }
    }
}

/// An answer that is not the contract's: the cause inside [`ConnectionError::Unavailable`].
/// Carries the status and what was wrong, never the body (it may hold phone numbers).
#[derive(Debug)]
pub(crate) struct UnexpectedAnswer {
    status: u16,
    detail: String,
}

impl fmt::Display for UnexpectedAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the connection service answered {}: {}",
            self.status, self.detail
        )
    }
}

impl std::error::Error for UnexpectedAnswer {}

pub(crate) fn unexpected(status: StatusCode, detail: impl Into<String>) -> ConnectionError {
    ConnectionError::unavailable(UnexpectedAnswer {
        status: status.as_u16(),
        detail: detail.into(),
    })
}

/// What an answer means, by the contract: a `T` on success, otherwise the error's `kind`.
pub(crate) fn interpret<T: DeserializeOwned>(
    status: StatusCode,
    retry_after: Option<u64>,
    body: &[u8],
) -> Attempt<T> {
    if status.is_success() {
        return match serde_json::from_slice::<T>(body) {
            Ok(value) => Attempt::Done(value),
            // The service said yes: whatever it was asked is done, but we cannot read it.
            Err(error) => Attempt::failed(
                unexpected(status, format!("the answer does not parse ({error})")),
                false,
                true,
            ),
        };
    }
    if status == StatusCode::UNAUTHORIZED {
        return Attempt::Refused;
    }
    let refusal = serde_json::from_slice::<ErrorEnvelope>(body)
        .ok()
        .map(|e| e.error);
    let error = match refusal {
        // A kind counts only with a 4xx: a 404 from a proxy or a wrong base path must not
        // read as "group not found", hence no mapping by status alone either.
        Some(refusal) if status.is_client_error() => match refusal.kind.as_str() {
            "not_connected" => ConnectionError::NotConnected,
            "not_admin" => ConnectionError::NotAdmin,
            "not_allowed" => ConnectionError::NotAllowed,
            "not_a_participant" => ConnectionError::NotAParticipant,
            "group_not_found" => ConnectionError::GroupNotFound,
            "rate_limited" => ConnectionError::RateLimited {
                retry_after_s: refusal.retry_after_s.or(retry_after),
            },
            "bad_request" => ConnectionError::BadRequest {
                field: refusal.field,
                reason: if refusal.message.is_empty() {
                    "refused as malformed".to_owned()
                } else {
                    refusal.message
                },
            },
            other => unexpected(status, format!("unknown error kind {:?}", truncate(other))),
        },
        // Throttling by whatever is in front of the service means the same to the caller.
        _ if status == StatusCode::TOO_MANY_REQUESTS => ConnectionError::RateLimited {
            retry_after_s: retry_after,
        },
        Some(refusal) => unexpected(status, format!("error kind {:?}", truncate(&refusal.kind))),
        None => unexpected(status, "not an error of the contract"),
    };
    Attempt::failed(
        error,
        is_transient_status(status.as_u16()),
        // A proxy that gave up waiting (504) cannot know what the service did.
        status == StatusCode::GATEWAY_TIMEOUT,
    )
}

fn truncate(text: &str) -> &str {
    text.char_indices()
        .nth(40)
        .map_or(text, |(i, _)| &text[..i])
}

/// `Retry-After` in seconds; the HTTP-date form is not used by the service.
pub(crate) fn retry_after_s(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The whole body, or an error once it passes [`MAX_ANSWER_BYTES`] (read in chunks, so an
/// endless answer costs no more than the cap).
pub(crate) async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Broken)? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum ReadError {
    #[error("the answer broke off")]
    Broken(#[source] reqwest::Error),
    #[error("the answer is larger than {MAX_ANSWER_BYTES} bytes")]
    TooLarge,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LiveGroup;

    fn error_of(attempt: Attempt<LiveGroup>) -> (ConnectionError, bool, bool) {
        match attempt {
            Attempt::Failed {
                error,
                transient,
                maybe_done,
            } => (error, transient, maybe_done),
            Attempt::Done(_) => panic!("unexpected success"),
            Attempt::Refused => panic!("unexpected 401"),
        }
    }

    fn refusal(kind: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "error": {"kind": kind, "message": "m", "retryAfterS": 4, "field": "participants[0]"}
        }))
        .unwrap()
    }

    #[test]
    fn error_kinds_of_the_contract() {
        let kinds = [
            (StatusCode::CONFLICT, "not_connected"),
            (StatusCode::FORBIDDEN, "not_admin"),
            (StatusCode::FORBIDDEN, "not_allowed"),
            (StatusCode::FORBIDDEN, "not_a_participant"),
            (StatusCode::NOT_FOUND, "group_not_found"),
        ];
        for (status, kind) in kinds {
            let (e, t, done) = error_of(interpret(status, None, &refusal(kind)));
            let expected = match kind {
                "not_connected" => matches!(e, ConnectionError::NotConnected),
                "not_admin" => matches!(e, ConnectionError::NotAdmin),
                "not_allowed" => matches!(e, ConnectionError::NotAllowed),
                "not_a_participant" => matches!(e, ConnectionError::NotAParticipant),
                _ => matches!(e, ConnectionError::GroupNotFound),
            };
            assert!(expected && !t && !done, "{kind}: {e:?}");
        }
        let (e, _, _) = error_of(interpret(
            StatusCode::TOO_MANY_REQUESTS,
            Some(9),
            &refusal("rate_limited"),
        ));
        assert!(matches!(
            e,
            ConnectionError::RateLimited {
                retry_after_s: Some(4)
            }
        ));
        let (e, _, _) = error_of(interpret(
            StatusCode::BAD_REQUEST,
            None,
            &refusal("bad_request"),
        ));
        assert!(
            matches!(e, ConnectionError::BadRequest { field: Some(f), reason }
            if f == "participants[0]" && reason == "m")
        );
        assert!(matches!(
            interpret::<LiveGroup>(StatusCode::UNAUTHORIZED, None, b""),
            Attempt::Refused
        ));
    }

    #[test]
    fn a_bare_404_is_not_a_missing_group() {
        let (e, t, _) = error_of(interpret(StatusCode::NOT_FOUND, None, b"Not Found"));
        assert!(matches!(e, ConnectionError::Unavailable(_)) && !t);
        let (e, _, _) = error_of(interpret(
            StatusCode::NOT_FOUND,
            None,
            &refusal("no_such_route"),
        ));
        assert!(matches!(e, ConnectionError::Unavailable(_)));
    }

    #[test]
    fn throttling_without_a_body_uses_the_header() {
        let (e, _, _) = error_of(interpret(StatusCode::TOO_MANY_REQUESTS, Some(7), b""));
        assert!(matches!(
            e,
            ConnectionError::RateLimited {
                retry_after_s: Some(7)
            }
        ));
    }

    #[test]
    fn server_errors_are_transient_unavailability() {
        for status in [500, 502, 503] {
            let status = StatusCode::from_u16(status).unwrap();
            let (e, t, done) = error_of(interpret(status, None, &refusal("internal")));
            assert!(
                matches!(e, ConnectionError::Unavailable(_)) && t && !done,
                "{status}"
            );
            // A kind that only makes sense for a 4xx does not count with a 5xx.
            let (e, _, _) = error_of(interpret(status, None, &refusal("group_not_found")));
            assert!(matches!(e, ConnectionError::Unavailable(_)), "{status}");
        }
    }

    #[test]
    fn a_proxy_that_gave_up_may_have_let_the_operation_through() {
        let (_, t, done) = error_of(interpret(StatusCode::GATEWAY_TIMEOUT, None, b""));
        assert!(!t && done);
    }

    #[test]
    fn garbage_success_is_unavailable_not_repeated_and_maybe_done() {
        let (e, t, done) = error_of(interpret(StatusCode::OK, None, b"<html>"));
        assert!(matches!(e, ConnectionError::Unavailable(_)) && !t && done);
    }
}
