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
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Logs to stdout; the level comes from `RUST_LOG`, else from Lambda's own log-level setting
/// (`AWS_LAMBDA_LOG_LEVEL`, set by the function's logging configuration), else `info`.
/// Lambda adds the time.
pub fn init_tracing() {
    let lambda_level = std::env::var("AWS_LAMBDA_LOG_LEVEL").ok();
    init_tracing_to(std::io::stdout, default_level(lambda_level.as_deref()));
}

/// Lambda's log levels (`TRACE` … `FATAL`) as tracing's.
fn default_level(lambda_level: Option<&str>) -> &'static str {
    match lambda_level
        .map(str::trim)
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some("TRACE") => "trace",
        Some("DEBUG") => "debug",
        Some("WARN") => "warn",
        Some("ERROR" | "FATAL") => "error",
        _ => "info",
    }
}

/// The same logs to `writer` (tests read them); `RUST_LOG` still wins over `default_filter`.
///
/// `RUST_LOG` takes levels per target (`info`, `warn,gateway_auth=debug`): tracing-subscriber's
/// `Targets`, not its `EnvFilter`, whose span-field directives need a regex engine in every
/// function's binary (BENCHMARKS.md).
pub fn init_tracing_to<W>(writer: W, default_filter: &str)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let (filter, problem) = log_filter(std::env::var("RUST_LOG").ok().as_deref(), default_filter);
    let layer = tracing_subscriber::fmt::layer()
        .json()
        .with_writer(writer)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .without_time();
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .try_init();
    if let Some(problem) = problem {
        tracing::warn!(%problem, "RUST_LOG is not understood; logging at the default level");
    }
}

/// The filter `rust_log` asks for, else `default_filter` and why `rust_log` was not used.
/// Directives are trimmed and empty ones dropped (as `EnvFilter` does; `Targets` alone would
/// read `"info,"` as errors only); span directives (`target[span]=level`) are refused rather
/// than taken for a target name that never matches.
fn log_filter(rust_log: Option<&str>, default_filter: &str) -> (Targets, Option<String>) {
    let default = || default_filter.parse().unwrap_or_else(|_| Targets::new());
    let directives: Vec<&str> = rust_log
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    if directives.is_empty() {
        return (default(), None);
    }
    if let Some(span) = directives.iter().find(|d| d.contains(['[', ']', '{', '}'])) {
        let problem = format!("span directives such as '{span}' are not supported");
        return (default(), Some(problem));
    }
    match directives.join(",").parse::<Targets>() {
        Ok(targets) => (targets, None),
        Err(error) => (default(), Some(error.to_string())),
    }
}

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
        reason = Empty
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

#[cfg(test)]
mod tests {
    use tracing::Level;
    use tracing::level_filters::LevelFilter;

    use super::*;

    fn level_for(targets: &Targets, target: &str) -> Option<Level> {
        [
            Level::TRACE,
            Level::DEBUG,
            Level::INFO,
            Level::WARN,
            Level::ERROR,
        ]
        .into_iter()
        .find(|level| targets.would_enable(target, level))
    }

    #[test]
    fn rust_log_sets_levels_per_target() {
        for rust_log in ["warn,gateway_auth=debug", " warn , gateway_auth=debug ,"] {
            let (targets, problem) = log_filter(Some(rust_log), "info");
            assert_eq!(problem, None, "{rust_log:?}");
            let auth = level_for(&targets, "gateway_auth::login");
            assert_eq!(auth, Some(Level::DEBUG), "{rust_log:?}");
            let sdk = level_for(&targets, "aws_smithy_runtime");
            assert_eq!(sdk, Some(Level::WARN), "{rust_log:?}");
        }
    }

    #[test]
    fn a_trailing_comma_keeps_the_level() {
        let (targets, problem) = log_filter(Some("debug,"), "info");
        assert_eq!(problem, None);
        assert_eq!(level_for(&targets, "anything"), Some(Level::DEBUG));
    }

    #[test]
    fn span_directives_are_refused_not_misread() {
        for rust_log in ["gateway_http[request]=debug", "info,[request{org=a}]=trace"] {
            let (targets, problem) = log_filter(Some(rust_log), "info");
            assert!(problem.is_some(), "{rust_log:?}");
            assert_eq!(level_for(&targets, "gateway_http"), Some(Level::INFO));
        }
    }

    #[test]
    fn lambda_log_levels_map_to_tracing_levels() {
        assert_eq!(default_level(Some("DEBUG")), "debug");
        assert_eq!(default_level(Some(" warn ")), "warn");
        assert_eq!(default_level(Some("FATAL")), "error");
        assert_eq!(default_level(Some("nonsense")), "info");
        assert_eq!(default_level(None), "info");
    }

    #[test]
    fn no_or_blank_rust_log_is_the_default() {
        for rust_log in [None, Some(""), Some("  "), Some(" , ")] {
            let (targets, problem) = log_filter(rust_log, "info");
            assert_eq!(problem, None);
            assert_eq!(level_for(&targets, "anything"), Some(Level::INFO));
        }
    }

    #[test]
    fn a_rust_log_that_does_not_parse_falls_back_and_says_why() {
        let (targets, problem) = log_filter(Some("info,gateway_auth=loud"), "info");
        assert!(problem.is_some());
        assert_eq!(level_for(&targets, "anything"), Some(Level::INFO));
        assert_eq!(targets.default_level(), Some(LevelFilter::INFO));
    }
}
