//! Structured logging with `tracing`.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber: human-readable by default, JSON lines with `--log-json`.
/// Logs go to stderr so command output on stdout stays machine-readable.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (e.g. in tests) is harmless: keep the first subscriber.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
