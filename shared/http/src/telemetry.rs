//! Logs: JSON, one object a line, as CloudWatch Logs Insights reads them. Each request ends
//! with one `request` line carrying the Lambda request id, API Gateway's request id (the key of
//! the access log), the X-Ray trace id, whether the process was cold, operation, organization,
//! session, status, error code and latency (the fields of the request's span). Tokens, keys,
//! secrets and phone-number JIDs are never logged at info level.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use gateway_auth::Principal;
use gateway_domain::SessionId;
use gateway_errors::ApiError;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use tracing::Instrument;
use tracing::field::Empty;

/// The first request a process serves: it paid for the cold start.
static WARM: AtomicBool = AtomicBool::new(false);

/// Runs a handler inside the request's span, turns its error into the envelope (the only
/// place that does), logs that error once, and writes the request's one summary line.
pub async fn observe(
    operation: &'static str,
    req: &Request,
    handler: impl Future<Output = Result<Response<Body>, ApiError>>,
) -> Response<Body> {
    let request_id = req
        .lambda_context_ref()
        .map(|c| c.request_id.as_str())
        .unwrap_or_default();
    let trace_id = req
        .lambda_context_ref()
        .and_then(|c| c.xray_trace_id.as_deref())
        .unwrap_or_default();
    let api_request_id =
        if let Some(RequestContext::ApiGatewayV2(context)) = req.request_context_ref() {
            context.request_id.as_deref().unwrap_or_default()
        } else {
            ""
        };
    let cold_start = !WARM.swap(true, Ordering::Relaxed);
    let span = tracing::info_span!(
        "request",
        request_id,
        api_request_id,
        trace_id,
        cold_start,
        operation,
        org = Empty,
        session = Empty,
        code = Empty,
        reason = Empty,
        // Set by an Idempotency-Key replay; the template's replay metric counts these lines.
        replayed = Empty
    );
    let started = Instant::now();
    // Whatever is slow (DynamoDB, most likely), the caller gets our envelope before Lambda's
    // deadline, never API Gateway's bare 503.
    let answer_by = tokio::time::Instant::from_std(
        crate::deadline(req)
            .checked_sub(crate::RESPONSE_RESERVE)
            .unwrap_or_else(std::time::Instant::now),
    );
    let response = async {
        let outcome = match tokio::time::timeout_at(answer_by, handler).await {
            Ok(outcome) => outcome,
            Err(_) => Err(ApiError::unavailable(
                "the invocation ran out of time before its work was done",
            )),
        };
        match outcome {
            Ok(response) => response,
            Err(error) => {
                log_error(&error);
                crate::error_response(&error)
            }
        }
    }
    .instrument(span.clone())
    .await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        tracing::info!(status = response.status().as_u16(), latency_ms, "request");
    });
    response
}

/// The error's code and reason on the request's line; a 5xx also with its whole cause chain
/// (the client sees a generic message), a 4xx at debug level (its cause is the caller's).
fn log_error(error: &ApiError) {
    let span = tracing::Span::current();
    span.record("code", error.code());
    span.record("reason", error.log_reason().as_str());
    let status = error.status();
    if status.is_server_error() {
        tracing::error!(status = status.as_u16(), code = error.code(), error = ?error, "request failed");
    } else {
        tracing::debug!(status = status.as_u16(), code = error.code(), error = %error, "request refused");
    }
}

/// Adds the caller's organization to the request's log line.
pub fn log_principal(principal: &Principal) {
    tracing::Span::current().record("org", principal.org.as_str());
}

/// Adds the session to the request's log line.
pub fn log_session(session: &SessionId) {
    tracing::Span::current().record("session", session.as_str());
}
