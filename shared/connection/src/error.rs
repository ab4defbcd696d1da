//! Why a call to the connection service failed, and the API's error for each reason.

use gateway_errors::{ApiError, BoxError};

/// Why a call to the connection service did not give a group.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    /// The session is unknown to the service, or its WhatsApp socket is down.
    #[error("the session is not connected to WhatsApp")]
    NotConnected,
    #[error("the session's account is not an admin of the group")]
    NotAdmin,
    /// WhatsApp forbids it for anyone (removing or demoting the group's creator).
    #[error("WhatsApp does not allow this")]
    NotAllowed,
    /// The session's account left the group or was removed from it.
    #[error("the session's account is not a participant of the group")]
    NotAParticipant,
    #[error("the group is unknown to WhatsApp")]
    GroupNotFound,
    #[error("rate limited by WhatsApp")]
    RateLimited { retry_after_s: Option<u64> },
    /// The service refused the request as malformed; `field` names the part when it says.
    #[error("the connection service refused the request: {reason}")]
    BadRequest {
        field: Option<String>,
        reason: String,
    },
    /// Connection refused or broken, a 5xx, an answer that is not the contract's, or a
    /// bearer secret the service still refuses after fetching it again.
    #[error("the connection service is unavailable")]
    Unavailable(#[source] BoxError),
    /// The request was sent and no answer came in time: it may have been carried out.
    #[error("the connection service did not answer in time")]
    Timeout,
    /// An operation that is not safe to repeat (createGroup, adding members) was sent and no
    /// readable answer came back: a timeout, a broken connection, a 2xx whose body does not
    /// read, a proxy's 504. It may have been carried out; only the caller can decide to repeat
    /// it (with the same request id).
    #[error("the outcome at the connection service is unknown")]
    OutcomeUnknown(#[source] BoxError),
    /// Too little time was left before the deadline to send the request at all: nothing was
    /// carried out.
    #[error("no time left before the deadline to call the connection service")]
    NoTimeLeft,
}

impl ConnectionError {
    pub(crate) fn unavailable(error: impl Into<BoxError>) -> Self {
        ConnectionError::Unavailable(error.into())
    }

    /// The deadline ran out, before or during the call.
    pub fn is_timeout(&self) -> bool {
        matches!(self, ConnectionError::Timeout | ConnectionError::NoTimeLeft)
    }

    /// The API's error for this failure.
    pub fn into_api_error(self) -> ApiError {
        match self {
            ConnectionError::NotConnected => ApiError::NotConnected,
            ConnectionError::NotAdmin => ApiError::NotGroupAdmin,
            ConnectionError::NotAllowed => ApiError::NotAllowed,
            ConnectionError::NotAParticipant => ApiError::NotAParticipant,
            ConnectionError::GroupNotFound => ApiError::NotFound("group not found"),
            ConnectionError::RateLimited { retry_after_s } => ApiError::RateLimited {
                retry_after_s,
                scope: None,
            },
            ConnectionError::BadRequest { field, reason } => {
                ApiError::validation(field.unwrap_or_else(|| "body".to_owned()), reason)
            }
            ConnectionError::Unavailable(source) => ApiError::UpstreamUnavailable(Some(source)),
            ConnectionError::Timeout => ApiError::UpstreamTimeout {
                outcome_unknown: false,
            },
            ConnectionError::OutcomeUnknown(_) => ApiError::UpstreamTimeout {
                outcome_unknown: true,
            },
            ConnectionError::NoTimeLeft => ApiError::UpstreamTimeout {
                outcome_unknown: false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use gateway_errors::FieldError;

    use super::*;

    #[test]
    fn maps_to_the_api_errors_of_the_contract() {
        let cases: Vec<(ConnectionError, u16, &str)> = vec![
            (ConnectionError::NotConnected, 501, "not_implemented"),
            (ConnectionError::NotAdmin, 403, "forbidden"),
            (ConnectionError::GroupNotFound, 404, "not_found"),
            (
                ConnectionError::RateLimited {
                    retry_after_s: Some(3),
                },
                429,
                "rate_limited",
            ),
            (
                ConnectionError::BadRequest {
                    field: None,
                    reason: "x".into(),
                },
                400,
                "validation_error",
            ),
            (
                ConnectionError::unavailable("refused"),
                502,
                "upstream_unavailable",
            ),
            (ConnectionError::Timeout, 504, "upstream_timeout"),
            (
                ConnectionError::OutcomeUnknown("broken".into()),
                504,
                "upstream_timeout",
            ),
            (ConnectionError::NoTimeLeft, 504, "upstream_timeout"),
            (ConnectionError::NotAllowed, 403, "forbidden"),
            (ConnectionError::NotAParticipant, 403, "forbidden"),
        ];
        for (error, status, code) in cases {
            let shown = format!("{error:?}");
            let api = error.into_api_error();
            assert_eq!(api.status().as_u16(), status, "{shown}");
            assert_eq!(api.code(), code, "{shown}");
        }
    }

    #[test]
    fn rate_limit_keeps_retry_after() {
        let api = ConnectionError::RateLimited {
            retry_after_s: Some(9),
        }
        .into_api_error();
        assert!(matches!(
            api,
            ApiError::RateLimited {
                retry_after_s: Some(9),
                scope: None
            }
        ));
    }

    #[test]
    fn bad_request_names_the_field_or_the_body() {
        let named = ConnectionError::BadRequest {
            field: Some("participants[2]".into()),
            reason: "not a user JID".into(),
        }
        .into_api_error();
        assert!(matches!(&named, ApiError::Validation(e)
            if e == &[FieldError::new("participants[2]", "not a user JID")]));
        let unnamed = ConnectionError::BadRequest {
            field: None,
            reason: "bad".into(),
        }
        .into_api_error();
        assert!(matches!(&unnamed, ApiError::Validation(e) if e[0].field == "body"));
    }

    #[test]
    fn only_an_unknown_outcome_says_so() {
        assert!(matches!(
            ConnectionError::OutcomeUnknown("dropped".into()).into_api_error(),
            ApiError::UpstreamTimeout {
                outcome_unknown: true
            }
        ));
        assert!(matches!(
            ConnectionError::Timeout.into_api_error(),
            ApiError::UpstreamTimeout {
                outcome_unknown: false
            }
        ));
        assert!(matches!(
            ConnectionError::NoTimeLeft.into_api_error(),
            ApiError::UpstreamTimeout {
                outcome_unknown: false
            }
        ));
        assert!(ConnectionError::NoTimeLeft.is_timeout());
        assert!(!ConnectionError::NotAdmin.is_timeout());
    }

    #[test]
    fn unavailable_keeps_its_cause_for_the_log() {
        let api = ConnectionError::unavailable("connection refused").into_api_error();
        let source = std::error::Error::source(&api).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("connection refused"));
    }
}
