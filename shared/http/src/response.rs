//! Responses: JSON bodies, and the error envelope of an [`ApiError`], built in this one place.

use gateway_errors::ApiError;
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Response};
use serde_json::{Value, json};

/// A JSON response. Serialising a `Value` or one of our own types cannot fail; should it
/// anyway, the client gets the envelope of a 500 rather than a panic.
pub fn json_response(status: StatusCode, body: &impl serde::Serialize) -> Response<Body> {
    match serde_json::to_string(body) {
        Ok(text) => with_json_type(status, text),
        Err(error) => {
            tracing::error!(%error, "response did not serialise");
            with_json_type(
                StatusCode::INTERNAL_SERVER_ERROR,
                r#"{"error":{"code":"internal","message":"internal error","details":{}}}"#.into(),
            )
        }
    }
}

/// 204 No Content.
pub fn no_content() -> Response<Body> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

fn with_json_type(status: StatusCode, text: String) -> Response<Body> {
    let mut response = Response::new(Body::Text(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The envelope `{"error": {"code", "message", "details"}}` of an error, with
/// `WWW-Authenticate` on a 401 and `Retry-After` where the error says when to come back.
/// Pure: logging is [`crate::observe`]'s job.
pub fn error_response(error: &ApiError) -> Response<Body> {
    let status = error.status();
    let body = json!({
        "error": {
            "code": error.code(),
            "message": error.message(),
            "details": Value::Object(error.details()),
        }
    });
    let mut response = json_response(status, &body);
    let headers = response.headers_mut();
    if status == StatusCode::UNAUTHORIZED {
        headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if let Some(seconds) = error.retry_after_s() {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
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
    fn the_envelope_carries_code_message_and_details() {
        let response = error_response(&ApiError::validation("participants[3]", "not a JID"));
        assert_eq!(response.status(), 400);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(
            body_of(&response)["error"],
            json!({"code": "validation_error", "message": "participants[3]: not a JID",
                   "details": {"field": "participants[3]", "reason": "not a JID"}})
        );
    }

    #[test]
    fn unauthorized_asks_for_bearer_and_hides_the_reason() {
        let response = error_response(&ApiError::Unauthorized("bad checksum"));
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert!(!body_of(&response).to_string().contains("checksum"));
    }

    #[test]
    fn rate_limits_say_when_to_come_back() {
        let response = error_response(&ApiError::RateLimited {
            retry_after_s: Some(7),
            scope: None,
        });
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
    }
}
