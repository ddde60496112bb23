//! Logging: tracing with a `RUST_LOG` filter, as text for people or JSON lines for log
//! collectors, with guards that keep secrets out of the logs whatever the filter says.

use tracing_subscriber::filter::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// What is logged without `RUST_LOG`: briefbot's own info and serenity's warnings.
pub const DEFAULT_FILTER: &str = "info,serenity=warn";

/// Added to every filter, `RUST_LOG` included, because these targets print secrets: the
/// websocket library traces every frame (IDENTIFY carries the bot token), and serenity's
/// websocket, dispatch and HTTP logs print whole payloads or request routes (interaction
/// tokens, valid for 15 minutes). A more specific directive wins, so these hold even under
/// `RUST_LOG=trace`.
pub const GUARDS: [&str; 5] = [
    "tungstenite=off",
    "tokio_tungstenite=off",
    "serenity::gateway::ws=error",
    "serenity::client::dispatch=info",
    "serenity::http=info",
];

/// The filter from `RUST_LOG` (or the default), with the guards.
pub fn filter() -> EnvFilter {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    GUARDS
        .iter()
        .filter_map(|g| g.parse().ok())
        .fold(filter, EnvFilter::add_directive)
}

/// Installs the global subscriber; a second call (in tests) keeps the first.
pub fn init(format: LogFormat) {
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter());
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guards_hold_under_any_filter() {
        let filter = filter().to_string();
        for guard in GUARDS {
            assert!(filter.contains(guard), "{filter}");
        }
    }
}
