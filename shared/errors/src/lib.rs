//! The one error type of the API, and what each error means in HTTP terms: status, code,
//! message and details, all in this file.
//!
//! Every layer converts its own errors into [`ApiError`]. This crate only describes errors;
//! `gateway_http` turns one into the envelope `{"error": {"code", "message", "details"}}` and
//! logs it, once, for every handler.

use http::StatusCode;
use serde_json::{Map, Value, json};

pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// One refused input: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Which fields of a multi-step update reached WhatsApp before one failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialUpdate {
    pub applied: Vec<&'static str>,
    pub not_applied: Vec<&'static str>,
    pub failed: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid request")]
    Validation(Vec<FieldError>),
    /// The reason goes to the log only: the client never learns which check failed.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    #[error("the token lacks the '{0}' capability")]
    MissingCapability(&'static str),
    #[error("the session's account is not an admin of the group")]
    NotGroupAdmin,
    /// WhatsApp forbids it for anyone (e.g. removing or demoting the group's creator).
    #[error("WhatsApp does not allow this")]
    NotAllowed,
    /// The session's account is no longer a participant of the group.
    #[error("the session's account is not a participant of the group")]
    NotAParticipant,
    /// Session missing or of another organization (identical answers), or group unknown.
    #[error("{0}")]
    NotFound(&'static str),
    #[error("request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// By WhatsApp (through the connection service), or by the session's own pacing budget
    /// (`scope: Some("session")`).
    #[error("rate limited")]
    RateLimited {
        retry_after_s: Option<u64>,
        scope: Option<&'static str>,
    },
    #[error("the session is not connected")]
    NotConnected,
    #[error("the connection service is unavailable")]
    UpstreamUnavailable(#[source] Option<BoxError>),
    #[error("the connection service did not answer in time")]
    UpstreamTimeout {
        /// The operation may have been carried out (createGroup, addGroupMembers).
        outcome_unknown: bool,
    },
    /// DynamoDB throttled or unreachable after the SDK's retries. `details` can tell the caller
    /// what did happen (e.g. the JID of a group created on WhatsApp but not stored).
    #[error("the store is unavailable")]
    Unavailable {
        #[source]
        source: BoxError,
        details: Map<String, Value>,
    },
    #[error("idempotency key reused with a different request")]
    IdempotencyMismatch,
    #[error("a request with this idempotency key is in progress")]
    RequestInProgress { retry_after_s: u64 },
    #[error("internal error")]
    Internal(#[source] BoxError),
    /// A multi-step update that stopped part way: `error` says why, `partial` what was applied.
    #[error("{error}")]
    Partial {
        error: Box<ApiError>,
        partial: PartialUpdate,
    },
}

impl ApiError {
    pub fn validation(field: impl Into<String>, reason: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, reason)])
    }

    pub fn internal(error: impl Into<BoxError>) -> Self {
        ApiError::Internal(error.into())
    }

    pub fn unavailable(error: impl Into<BoxError>) -> Self {
        ApiError::Unavailable {
            source: error.into(),
            details: Map::new(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::MissingCapability(_)
            | ApiError::NotGroupAdmin
            | ApiError::NotAllowed
            | ApiError::NotAParticipant => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotConnected => StatusCode::NOT_IMPLEMENTED,
            ApiError::UpstreamUnavailable(_) => StatusCode::BAD_GATEWAY,
            ApiError::UpstreamTimeout { .. } => StatusCode::GATEWAY_TIMEOUT,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::IdempotencyMismatch => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RequestInProgress { .. } => StatusCode::CONFLICT,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Partial { error, .. } => error.status(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "validation_error",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::MissingCapability(_)
            | ApiError::NotGroupAdmin
            | ApiError::NotAllowed
            | ApiError::NotAParticipant => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::NotConnected => "not_implemented",
            ApiError::UpstreamUnavailable(_) => "upstream_unavailable",
            ApiError::UpstreamTimeout { .. } => "upstream_timeout",
            ApiError::Unavailable { .. } => "unavailable",
            ApiError::IdempotencyMismatch => "idempotency_mismatch",
            ApiError::RequestInProgress { .. } => "request_in_progress",
            ApiError::Internal(_) => "internal",
            ApiError::Partial { error, .. } => error.code(),
        }
    }

    /// The message the client sees: never internals, never which auth check failed.
    pub fn message(&self) -> String {
        match self {
            ApiError::Validation(errors) => match errors.as_slice() {
                [one] => format!("{}: {}", one.field, one.reason),
                _ => format!("{} fields are invalid", errors.len()),
            },
            ApiError::Unauthorized(_) => "missing or invalid bearer token".to_owned(),
            ApiError::UpstreamTimeout {
                outcome_unknown: true,
            } => "the connection service did not answer in time; the operation may or may not \
                  have been carried out on WhatsApp"
                .to_owned(),
            ApiError::RateLimited {
                scope: Some(scope), ..
            } => format!("the {scope}'s budget of live operations is spent; try again later"),
            ApiError::Unavailable { details, .. } if details.contains_key("groupJid") => {
                "the group was created on WhatsApp (details.groupJid) but could not be stored; \
                 do not create it again"
                    .to_owned()
            }
            ApiError::Internal(_) => "internal error".to_owned(),
            ApiError::Partial { error, partial } => {
                format!(
                    "{}; applied: [{}]",
                    error.message(),
                    partial.applied.join(", ")
                )
            }
            other => other.to_string(),
        }
    }

    /// The envelope's `details`: always an object.
    pub fn details(&self) -> Map<String, Value> {
        let mut details = Map::new();
        match self {
            ApiError::Validation(errors) => match errors.as_slice() {
                [one] => {
                    details.insert("field".into(), one.field.clone().into());
                    details.insert("reason".into(), one.reason.clone().into());
                }
                many => {
                    let list = many
                        .iter()
                        .map(|e| json!({"field": e.field, "reason": e.reason}))
                        .collect();
                    details.insert("errors".into(), Value::Array(list));
                }
            },
            ApiError::MissingCapability(required) => {
                details.insert("reason".into(), "missing_capability".into());
                details.insert("required".into(), (*required).into());
            }
            ApiError::NotGroupAdmin => {
                details.insert("reason".into(), "not_group_admin".into());
            }
            ApiError::NotAllowed => {
                details.insert("reason".into(), "not_allowed".into());
            }
            ApiError::NotAParticipant => {
                details.insert("reason".into(), "not_a_participant".into());
            }
            ApiError::PayloadTooLarge { limit } => {
                details.insert("limit".into(), (*limit).into());
            }
            ApiError::RateLimited {
                retry_after_s,
                scope,
            } => {
                if let Some(s) = retry_after_s {
                    details.insert("retryAfterS".into(), (*s).into());
                }
                if let Some(scope) = scope {
                    details.insert("scope".into(), (*scope).into());
                }
            }
            ApiError::RequestInProgress { retry_after_s } => {
                details.insert("retryAfterS".into(), (*retry_after_s).into());
            }
            ApiError::Unavailable { details: d, .. } => details.clone_from(d),
            ApiError::Partial { error, partial } => {
                details = error.details();
                details.insert("applied".into(), json!(partial.applied));
                details.insert("notApplied".into(), json!(partial.not_applied));
                details.insert("failed".into(), partial.failed.into());
            }
            _ => {}
        }
        details
    }

    /// Why, for the request's log line: which auth check failed, which fields were refused.
    /// Never the refused values: they may be tokens or phone numbers.
    pub fn log_reason(&self) -> String {
        match self {
            ApiError::Validation(errors) => {
                let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                format!("invalid {}", fields.join(", "))
            }
            ApiError::Partial { error, partial } => {
                format!(
                    "{} (after applying {})",
                    error.log_reason(),
                    partial.applied.join(", ")
                )
            }
            other => other.to_string(),
        }
    }

    /// The `Retry-After` header's seconds, where the error says when to come back.
    pub fn retry_after_s(&self) -> Option<u64> {
        match self {
            ApiError::RateLimited { retry_after_s, .. } => *retry_after_s,
            ApiError::RequestInProgress { retry_after_s } => Some(*retry_after_s),
            ApiError::Partial { error, .. } => error.retry_after_s(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_the_field() {
        let error = ApiError::validation("participants[3]", "not a JID");
        assert_eq!(error.status(), 400);
        assert_eq!(error.code(), "validation_error");
        assert_eq!(error.message(), "participants[3]: not a JID");
        assert_eq!(
            Value::Object(error.details()),
            json!({"field": "participants[3]", "reason": "not a JID"})
        );
    }

    #[test]
    fn unauthorized_hides_the_reason() {
        let error = ApiError::Unauthorized("bad checksum");
        assert_eq!(error.status(), 401);
        assert!(!error.message().contains("checksum"));
        assert!(error.log_reason().contains("checksum"));
        assert!(error.details().is_empty());
    }

    #[test]
    fn internal_errors_never_leak_their_cause() {
        let error = ApiError::internal("table GatewayTable is on fire");
        assert_eq!(error.status(), 500);
        assert!(!error.message().contains("fire"));
        assert!(error.details().is_empty());
    }

    #[test]
    fn forbidden_reasons() {
        for (error, reason) in [
            (ApiError::NotGroupAdmin, "not_group_admin"),
            (ApiError::NotAllowed, "not_allowed"),
            (ApiError::NotAParticipant, "not_a_participant"),
        ] {
            assert_eq!(error.status(), 403);
            assert_eq!(error.code(), "forbidden");
            assert_eq!(Value::Object(error.details()), json!({"reason": reason}));
        }
    }

    #[test]
    fn session_pacing_says_its_scope() {
        let error = ApiError::RateLimited {
            retry_after_s: Some(42),
            scope: Some("session"),
        };
        assert_eq!(error.status(), 429);
        assert_eq!(error.retry_after_s(), Some(42));
        assert_eq!(
            Value::Object(error.details()),
            json!({"retryAfterS": 42, "scope": "session"})
        );
    }

    #[test]
    fn partial_update_keeps_the_inner_status_and_names_steps() {
        let error = ApiError::Partial {
            error: Box::new(ApiError::RateLimited {
                retry_after_s: Some(7),
                scope: None,
            }),
            partial: PartialUpdate {
                applied: vec!["subject"],
                not_applied: vec!["description", "announce"],
                failed: "description",
            },
        };
        assert_eq!(error.status(), 429);
        assert_eq!(error.retry_after_s(), Some(7));
        assert_eq!(
            Value::Object(error.details()),
            json!({"retryAfterS": 7, "applied": ["subject"],
                   "notApplied": ["description", "announce"], "failed": "description"})
        );
    }
}
