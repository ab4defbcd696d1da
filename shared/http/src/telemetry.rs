//! Logs: JSON, one object a line, as CloudWatch Logs Insights reads them. Each request ends
//! with one `request` line carrying the Lambda request id, operation, organization, session,
//! status, error code and latency (the fields of the request's span). Tokens, keys, secrets and
//! phone-number JIDs are never logged at info level.

use std::future::Future;
use std::time::Instant;

use gateway_auth::Principal;
use gateway_domain::SessionId;
use lambda_http::{Body, Request, RequestExt, Response};
use tracing::Instrument;
use tracing::field::Empty;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Logs to stdout; the level comes from `RUST_LOG` (default `info`). Lambda adds the time.
pub fn init_tracing() {
    init_tracing_to(std::io::stdout, "info");
}

/// The same logs to `writer` (tests read them); `RUST_LOG` still wins over `default_filter`.
pub fn init_tracing_to<W>(writer: W, default_filter: &str)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .without_time()
        .try_init();
}

/// Runs a handler inside the request's span and writes its one summary line.
pub async fn observe(
    operation: &'static str,
    req: &Request,
    handler: impl Future<Output = Response<Body>>,
) -> Response<Body> {
    let request_id = req
        .lambda_context_ref()
        .map(|c| c.request_id.as_str())
        .unwrap_or_default();
    let span = tracing::info_span!(
        "request",
        request_id,
        operation,
        org = Empty,
        session = Empty,
        code = Empty,
        reason = Empty
    );
    let started = Instant::now();
    let response = handler.instrument(span.clone()).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        tracing::info!(status = response.status().as_u16(), latency_ms, "request");
    });
    response
}

/// Adds the caller's organization to the request's log line.
pub fn log_principal(principal: &Principal) {
    tracing::Span::current().record("org", principal.org.as_str());
}

/// Adds the session to the request's log line.
pub fn log_session(session: &SessionId) {
    tracing::Span::current().record("session", session.as_str());
}
