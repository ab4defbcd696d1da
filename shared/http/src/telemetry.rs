use tracing_subscriber::EnvFilter;

/// JSON logs, one object a line, as CloudWatch Logs Insights reads them. The level comes from
/// `RUST_LOG` (default `info`); Lambda adds the time itself, so none is printed.
pub fn init_tracing() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .without_time()
        .try_init();
}
