//! The JSON of the contract: error envelopes and request bodies.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// The error kinds of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    NotConnected,
    NotAdmin,
    NotAllowed,
    NotAParticipant,
    GroupNotFound,
    RateLimited,
    BadRequest,
    Unauthorized,
    Internal,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 9] = [
        ErrorKind::NotConnected,
        ErrorKind::NotAdmin,
        ErrorKind::NotAllowed,
        ErrorKind::NotAParticipant,
        ErrorKind::GroupNotFound,
        ErrorKind::RateLimited,
        ErrorKind::BadRequest,
        ErrorKind::Unauthorized,
        ErrorKind::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotConnected => "not_connected",
            ErrorKind::NotAdmin => "not_admin",
            ErrorKind::NotAllowed => "not_allowed",
            ErrorKind::NotAParticipant => "not_a_participant",
            ErrorKind::GroupNotFound => "group_not_found",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Internal => "internal",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::NotConnected => StatusCode::CONFLICT,
            ErrorKind::NotAdmin | ErrorKind::NotAllowed | ErrorKind::NotAParticipant => {
                StatusCode::FORBIDDEN
            }
            ErrorKind::GroupNotFound => StatusCode::NOT_FOUND,
            ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl Serialize for ErrorKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A refusal, answered as `{"error": {"kind", "message", "retryAfterS"?, "field"?}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub kind: ErrorKind,
    pub message: String,
    pub field: Option<String>,
    pub retry_after_s: Option<u64>,
    /// Only faults answer a status other than the kind's own.
    pub status: Option<StatusCode>,
}

impl ServiceError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            field: None,
            retry_after_s: None,
            status: None,
        }
    }

    pub fn bad_request(field: impl Into<String>, reason: impl Into<String>) -> Self {
        let field = field.into();
        let message = format!("{field}: {}", reason.into());
        Self {
            field: Some(field),
            ..Self::new(ErrorKind::BadRequest, message)
        }
    }

    pub fn not_connected() -> Self {
        Self::new(
            ErrorKind::NotConnected,
            "the session is unknown or its WhatsApp connection is down",
        )
    }

    pub fn group_not_found() -> Self {
        Self::new(ErrorKind::GroupNotFound, "the group is unknown to WhatsApp")
    }

    pub fn not_admin() -> Self {
        Self::new(
            ErrorKind::NotAdmin,
            "the session's account is not an admin of the group",
        )
    }

    pub fn not_a_participant() -> Self {
        Self::new(
            ErrorKind::NotAParticipant,
            "the session's account is not a participant of the group",
        )
    }

    pub fn status(&self) -> StatusCode {
        self.status.unwrap_or(self.kind.status())
    }
}

impl IntoResponse for ServiceError {
    fn into_response(self) -> Response {
        let mut error = Map::new();
        error.insert("kind".into(), self.kind.as_str().into());
        error.insert("message".into(), self.message.clone().into());
        if let Some(field) = &self.field {
            error.insert("field".into(), field.clone().into());
        }
        if let Some(seconds) = self.retry_after_s {
            error.insert("retryAfterS".into(), seconds.into());
        }
        let mut response = (self.status(), Json(json!({ "error": error }))).into_response();
        let headers = response.headers_mut();
        if let Some(seconds) = self.retry_after_s {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.kind == ErrorKind::Unauthorized {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// A JSON object body, read member by member so every refusal names its field. Members
/// other than the ones expected are refused: this is a test tool, and a client sending a
/// misspelt member should find out here rather than in production.
pub struct Body(Map<String, Value>);

impl Body {
    pub fn parse(bytes: &[u8], expected: &[&str]) -> Result<Self, ServiceError> {
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|_| ServiceError::bad_request("body", "must be a JSON object"))?;
        let Value::Object(members) = value else {
            return Err(ServiceError::bad_request("body", "must be a JSON object"));
        };
        if let Some(unknown) = members.keys().find(|k| !expected.contains(&k.as_str())) {
            return Err(ServiceError::bad_request(unknown.as_str(), "unknown field"));
        }
        Ok(Self(members))
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    pub fn str(&self, name: &str) -> Result<Option<&str>, ServiceError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(ServiceError::bad_request(name, "must be a string")),
        }
    }

    pub fn required_str(&self, name: &str) -> Result<&str, ServiceError> {
        self.str(name)?
            .ok_or_else(|| ServiceError::bad_request(name, "is required"))
    }

    /// A string that may be `null`: `Some(None)` for `null`, `None` when absent.
    pub fn nullable_str(&self, name: &str) -> Result<Option<Option<&str>>, ServiceError> {
        match self.get(name) {
            Some(Value::Null) => Ok(Some(None)),
            _ => self.str(name).map(|s| s.map(Some)),
        }
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, ServiceError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ServiceError::bad_request(name, "must be true or false")),
        }
    }

    pub fn required_bool(&self, name: &str) -> Result<bool, ServiceError> {
        self.bool(name)?
            .ok_or_else(|| ServiceError::bad_request(name, "is required"))
    }

    pub fn u64(&self, name: &str) -> Result<Option<u64>, ServiceError> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value
                .as_u64()
                .map(Some)
                .ok_or_else(|| ServiceError::bad_request(name, "must be a non-negative integer")),
        }
    }

    pub fn i64(&self, name: &str) -> Result<Option<i64>, ServiceError> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value
                .as_i64()
                .map(Some)
                .ok_or_else(|| ServiceError::bad_request(name, "must be an integer")),
        }
    }

    /// An array of strings, each parsed by `parse`; a refusal names the element
    /// (`participants[3]`).
    pub fn list<T, E: std::fmt::Display>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<Option<Vec<T>>, ServiceError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let Value::Array(items) = value else {
            return Err(ServiceError::bad_request(name, "must be an array"));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let field = format!("{name}[{i}]");
                match item {
                    Value::String(s) => {
                        parse(s).map_err(|e| ServiceError::bad_request(field, e.to_string()))
                    }
                    _ => Err(ServiceError::bad_request(field, "must be a string")),
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}

/// `requestId`: 1–255 visible ASCII characters.
pub fn valid_request_id(id: &str) -> bool {
    (1..=255).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_name_the_refused_field() {
        let refused = |bytes: &[u8]| Body::parse(bytes, &["a"]).err().and_then(|e| e.field);
        assert_eq!(refused(b"[1]").as_deref(), Some("body"));
        assert_eq!(refused(b"{").as_deref(), Some("body"));
        assert_eq!(refused(br#"{"b": 1}"#).as_deref(), Some("b"));

        let body = Body::parse(br#"{"a": ["1@lid", 2]}"#, &["a"]).unwrap();
        let error = body
            .list("a", |s| Ok::<_, String>(s.to_owned()))
            .unwrap_err();
        assert_eq!(error.field.as_deref(), Some("a[1]"));
        assert_eq!(body.str("a").unwrap_err().field.as_deref(), Some("a"));
        assert_eq!(
            body.required_bool("x").unwrap_err().message,
            "x: is required"
        );
    }

    #[test]
    fn kinds_round_trip() {
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ErrorKind::parse("garbage"), None);
    }
}
