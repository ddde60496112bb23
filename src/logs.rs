//! Logging: tracing with a `RUST_LOG` filter, as text for people or JSON lines for log
//! collectors, behind a second filter that keeps secrets out whatever `RUST_LOG` says, and
//! colour only when a person is watching (stderr is a terminal).

use std::io::IsTerminal;

use tracing::{Level, Metadata};
use tracing_subscriber::filter::{EnvFilter, FilterExt, filter_fn};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, fmt};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// What is logged without `RUST_LOG`: briefbot's own info, and serenity's and sqlx's
/// warnings (sqlx writes PostgreSQL's notices, such as a migration table that already
/// exists, at info).
pub const DEFAULT_FILTER: &str = "info,serenity=warn,sqlx=warn";

/// Whether a span or event may be written at all, whatever `RUST_LOG` allows. Applied on top
/// of it (both must agree), because these print secrets:
/// - the websocket library traces every frame, and IDENTIFY carries the bot token;
/// - serenity's spans record their arguments: a gateway event with an interaction's token,
///   a REST request with its route (the callback URL holds the interaction token) and body;
/// - serenity's websocket warnings print a payload it could not parse, its dispatch debug
///   lines print unknown events whole, and its HTTP warnings name routes.
pub fn is_safe(meta: &Metadata) -> bool {
    let target = meta.target();
    if target.starts_with("tungstenite") || target.starts_with("tokio_tungstenite") {
        return false;
    }
    if !target.starts_with("serenity") {
        return true;
    }
    if meta.is_span() {
        return false;
    }
    let most_verbose =
        if target.starts_with("serenity::http") || target.starts_with("serenity::gateway::ws") {
            Level::ERROR
        } else if target.starts_with("serenity::client::dispatch") {
            Level::INFO
        } else {
            Level::TRACE
        };
    *meta.level() <= most_verbose
}

/// The filter from `rust_log` (the `RUST_LOG` variable), or the default when it is unset,
/// names no directive, or cannot be read. systemd's `Environment=RUST_LOG=` sets it empty,
/// and an empty filter would silence every line, errors included. Spaces around a directive
/// are dropped: the filter would read ` debug` as a target named so.
pub fn env_filter(rust_log: Option<&str>) -> EnvFilter {
    let directives: Vec<&str> = rust_log
        .into_iter()
        .flat_map(|directives| directives.split(','))
        .map(str::trim)
        .filter(|directive| !directive.is_empty())
        .collect();
    Some(directives.join(","))
        .filter(|directives| !directives.is_empty())
        .and_then(|directives| EnvFilter::try_new(directives).ok())
        .unwrap_or_else(|| EnvFilter::new(DEFAULT_FILTER))
}

/// Installs the global subscriber on stderr; a second call (in tests) keeps the first.
pub fn init(format: LogFormat) {
    let rust_log = std::env::var("RUST_LOG").ok();
    let filter = env_filter(rust_log.as_deref()).and(filter_fn(is_safe));
    // Colour codes are garbage in a file, a journal or a log collector.
    let colour = format == LogFormat::Text && std::io::stderr().is_terminal();
    let layer = fmt::layer().with_writer(std::io::stderr).with_ansi(colour);
    let registry = tracing_subscriber::registry();
    let _ = match format {
        LogFormat::Text => registry.with(layer.with_filter(filter)).try_init(),
        LogFormat::Json => registry.with(layer.json().with_filter(filter)).try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::callsite::Identifier;
    use tracing::field::FieldSet;
    use tracing::metadata::Kind;

    struct Site;
    impl tracing::Callsite for Site {
        fn set_interest(&self, _: tracing::subscriber::Interest) {}
        fn metadata(&self) -> &Metadata<'_> {
            unreachable!("never registered")
        }
    }
    static SITE: Site = Site;

    fn meta(target: &'static str, level: Level, kind: Kind) -> Metadata<'static> {
        Metadata::new(
            "test",
            target,
            level,
            None,
            None,
            None,
            FieldSet::new(&[], Identifier(&SITE)),
            kind,
        )
    }

    #[test]
    fn secrets_stay_out_whatever_the_level() {
        let event = |target, level| is_safe(&meta(target, level, Kind::EVENT));
        assert!(!event("tungstenite::protocol", Level::ERROR));
        assert!(!event("serenity::http::client", Level::WARN));
        assert!(event("serenity::http::client", Level::ERROR));
        assert!(!event("serenity::gateway::ws", Level::WARN));
        assert!(!event("serenity::client::dispatch", Level::DEBUG));
        assert!(event("serenity::gateway::shard", Level::DEBUG));
        assert!(!is_safe(&meta(
            "serenity::gateway::shard",
            Level::ERROR,
            Kind::SPAN
        )));
        assert!(event("briefbot::transport", Level::TRACE));
        assert!(is_safe(&meta(
            "briefbot::transport",
            Level::INFO,
            Kind::SPAN
        )));
    }

    #[test]
    fn an_unreadable_filter_falls_back_to_the_default() {
        let default = EnvFilter::new(DEFAULT_FILTER).to_string();
        assert_eq!(env_filter(None).to_string(), default);
        assert_eq!(env_filter(Some("serenity=loud")).to_string(), default);
        assert_eq!(env_filter(Some("trace")).to_string(), "trace");
    }

    #[test]
    fn an_empty_filter_means_the_default() {
        let default = EnvFilter::new(DEFAULT_FILTER).to_string();
        for empty in ["", " ", "\t\n", ",", " , "] {
            assert_eq!(env_filter(Some(empty)).to_string(), default, "{empty:?}");
        }
        assert_eq!(env_filter(Some(" debug ")).to_string(), "debug");
        assert_eq!(
            env_filter(Some("warn, briefbot=debug ,")).to_string(),
            env_filter(Some("warn,briefbot=debug")).to_string()
        );
    }
}
