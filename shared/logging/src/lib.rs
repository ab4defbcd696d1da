//! Logging set-up shared by every binary: JSON, one object a line, as CloudWatch Logs Insights
//! reads them, at the level Lambda's `AWS_LAMBDA_LOG_LEVEL` asks for (`RUST_LOG` wins). A crate
//! of its own so that a function without HTTP (ingest-events) logs the same way without
//! depending on the HTTP stack.

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
