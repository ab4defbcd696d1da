//! The one error type of the API and its mapping to HTTP, in one place.
//!
//! Every layer converts its own errors into [`ApiError`]; [`ApiError::into_response`] is the
//! only place that chooses a status code, writes the envelope
//! `{"error": {"code", "message", "details"}}` and logs the error.

use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Response};
use serde_json::{Map, Value, json};

pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The largest request body a function accepts.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

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
    /// Session missing or of another organization (identical answers), or group unknown.
    #[error("{0}")]
    NotFound(&'static str),
    #[error("request body is larger than {MAX_BODY_BYTES} bytes")]
    PayloadTooLarge,
    #[error("rate limited by WhatsApp")]
    RateLimited { retry_after_s: Option<u64> },
    #[error("the session is not connected")]
    NotConnected,
    #[error("the connection service is unavailable")]
    UpstreamUnavailable(#[source] Option<BoxError>),
    #[error("the connection service did not answer in time")]
    UpstreamTimeout {
        /// The operation may have been carried out (createGroup).
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
            ApiError::MissingCapability(_) | ApiError::NotGroupAdmin => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
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
            ApiError::MissingCapability(_) | ApiError::NotGroupAdmin => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::PayloadTooLarge => "payload_too_large",
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
    fn message(&self) -> String {
        match self {
            ApiError::Validation(errors) => match errors.as_slice() {
                [one] => format!("{}: {}", one.field, one.reason),
                _ => format!("{} fields are invalid", errors.len()),
            },
            ApiError::Unauthorized(_) => "missing or invalid bearer token".to_owned(),
            ApiError::UpstreamTimeout {
                outcome_unknown: true,
            } => "the connection service did not answer in time; the group may or may not have \
                  been created"
                .to_owned(),
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

    fn details(&self) -> Map<String, Value> {
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
            ApiError::PayloadTooLarge => {
                details.insert("limit".into(), MAX_BODY_BYTES.into());
            }
            ApiError::RateLimited {
                retry_after_s: Some(s),
            } => {
                details.insert("retryAfterS".into(), (*s).into());
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
    fn log_reason(&self) -> String {
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

    fn retry_after_s(&self) -> Option<u64> {
        match self {
            ApiError::RateLimited { retry_after_s } => *retry_after_s,
            ApiError::RequestInProgress { retry_after_s } => Some(*retry_after_s),
            ApiError::Partial { error, .. } => error.retry_after_s(),
            _ => None,
        }
    }

    /// The HTTP response for this error. Logs it once: 5xx with the whole cause chain at
    /// error level, 4xx at info level (their cause is the caller's).
    pub fn into_response(self) -> Response<Body> {
        let status = self.status();
        // The request's summary line carries the code; the cause goes to the log once, here.
        let span = tracing::Span::current();
        span.record("code", self.code());
        span.record("reason", self.log_reason().as_str());
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), code = self.code(), error = ?self, "request failed");
        } else {
            tracing::debug!(status = status.as_u16(), code = self.code(), error = %self, "request refused");
        }

        let body = json!({
            "error": {
                "code": self.code(),
                "message": self.message(),
                "details": Value::Object(self.details()),
            }
        });
        let mut response = json_response(status, &body);
        let headers = response.headers_mut();
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after_s() {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// A JSON response. Serialising a `Value` or one of our own types cannot fail; should it
/// anyway, the client gets a bare 500 rather than a panic.
pub fn json_response(status: StatusCode, body: &impl serde::Serialize) -> Response<Body> {
    let mut response = match serde_json::to_string(body) {
        Ok(text) => Response::new(Body::Text(text)),
        Err(error) => {
            tracing::error!(%error, "response did not serialise");
            let mut response = Response::new(Body::Text(
                r#"{"error":{"code":"internal","message":"internal error","details":{}}}"#.into(),
            ));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            return with_json_type(response);
        }
    };
    *response.status_mut() = status;
    with_json_type(response)
}

fn with_json_type(mut response: Response<Body>) -> Response<Body> {
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(response: &Response<Body>) -> Value {
        match response.body() {
            Body::Text(text) => serde_json::from_str(text).unwrap(),
            other => panic!("unexpected body {other:?}"),
        }
    }

    #[test]
    fn validation_envelope_names_the_field() {
        let response = ApiError::validation("participants[3]", "not a JID").into_response();
        assert_eq!(response.status(), 400);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(
            body_of(&response)["error"],
            json!({"code": "validation_error", "message": "participants[3]: not a JID",
                   "details": {"field": "participants[3]", "reason": "not a JID"}})
        );
    }

    #[test]
    fn unauthorized_hides_the_reason_and_asks_for_bearer() {
        let response = ApiError::Unauthorized("bad checksum").into_response();
        assert_eq!(response.status(), 401);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        let body = body_of(&response);
        assert!(!body.to_string().contains("checksum"));
        assert_eq!(body["error"]["details"], json!({}));
    }

    #[test]
    fn internal_errors_never_leak_their_cause() {
        let response = ApiError::internal("table GatewayTable is on fire").into_response();
        assert_eq!(response.status(), 500);
        assert!(!body_of(&response).to_string().contains("fire"));
    }

    #[test]
    fn partial_update_keeps_the_inner_status_and_names_steps() {
        let error = ApiError::Partial {
            error: Box::new(ApiError::RateLimited {
                retry_after_s: Some(7),
            }),
            partial: PartialUpdate {
                applied: vec!["subject"],
                not_applied: vec!["description", "announce"],
                failed: "description",
            },
        };
        let response = error.into_response();
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
        assert_eq!(
            body_of(&response)["error"]["details"],
            json!({"retryAfterS": 7, "applied": ["subject"],
                   "notApplied": ["description", "announce"], "failed": "description"})
        );
    }
}
