//! Logging: tracing with a `RUST_LOG` filter, as text for people or JSON lines for log
//! collectors, behind a second filter that keeps secrets out whatever `RUST_LOG` says, and
//! colour only when a person is watching (stderr is a terminal). In text, every control
//! character a value carries is escaped, so a request cannot forge a line or drive a terminal.

use std::fmt::{self, Write as _};
use std::io::IsTerminal;

use tracing::field::{Field, Visit};
use tracing::{Level, Metadata};
use tracing_subscriber::Layer;
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::filter::{EnvFilter, FilterExt, filter_fn};
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::layer as fmt_layer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

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
pub(crate) const DEFAULT_FILTER: &str = "info,serenity=warn,sqlx=warn";

/// Whether a span or event may be written at all, whatever `RUST_LOG` allows. Applied on top
/// of it (both must agree), because these print secrets:
/// - the websocket library traces every frame, and IDENTIFY carries the bot token;
/// - serenity's spans record their arguments: a gateway event with an interaction's token,
///   a REST request with its route (the callback URL holds the interaction token) and body;
/// - serenity's websocket warnings print a payload it could not parse, its dispatch debug
///   lines print unknown events whole, and its HTTP warnings name routes.
pub(crate) fn is_safe(meta: &Metadata) -> bool {
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
pub(crate) fn env_filter(rust_log: Option<&str>) -> EnvFilter {
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
pub(crate) fn init(format: LogFormat) {
    let rust_log = std::env::var("RUST_LOG").ok();
    let filter = env_filter(rust_log.as_deref()).and(filter_fn(is_safe));
    // Colour codes are garbage in a file, a journal or a log collector.
    let colour = format == LogFormat::Text && std::io::stderr().is_terminal();
    let layer = fmt_layer().with_writer(std::io::stderr).with_ansi(colour);
    let registry = tracing_subscriber::registry();
    let _ = match format {
        LogFormat::Text => registry
            .with(layer.fmt_fields(EscapedFields).with_filter(filter))
            .try_init(),
        // JSON escapes control characters in its strings already.
        LogFormat::Json => registry.with(layer.json().with_filter(filter)).try_init(),
    };
}

/// The fields of a text line (an event's, and its spans'), written as tracing writes them
/// (the message, then `name=value`), but with every control character in a value or the
/// message escaped: a command name, an option or an error text can come from a request, and a
/// newline in it would start what looks like a line of briefbot's own, an escape sequence
/// would drive the terminal of whoever reads the log.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct EscapedFields;

impl<'writer> FormatFields<'writer> for EscapedFields {
    fn format_fields<R: RecordFields>(&self, writer: Writer<'writer>, fields: R) -> fmt::Result {
        let mut visitor = EscapingVisitor {
            writer,
            empty: true,
            result: Ok(()),
        };
        fields.record(&mut visitor);
        visitor.result
    }
}

struct EscapingVisitor<'writer> {
    writer: Writer<'writer>,
    empty: bool,
    result: fmt::Result,
}

impl EscapingVisitor<'_> {
    fn write(&mut self, field: &Field, value: fmt::Arguments) {
        let name = field.name();
        // tracing-log's fields: the line's target and place, which the format shows already.
        if self.result.is_err() || name.starts_with("log.") {
            return;
        }
        let separator = if std::mem::take(&mut self.empty) {
            ""
        } else {
            " "
        };
        self.result = self.writer.write_str(separator).and_then(|()| {
            if name != "message" {
                let name = name.strip_prefix("r#").unwrap_or(name);
                // Italic names and a dim `=` on a terminal, as tracing's own fields are.
                if self.writer.has_ansi_escapes() {
                    write!(self.writer, "\x1b[3m{name}\x1b[0m\x1b[2m=\x1b[0m")?;
                } else {
                    write!(self.writer, "{name}=")?;
                }
            }
            Escaping(&mut self.writer).write_fmt(value)
        });
    }
}

impl Visit for EscapingVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        // Quoted, as tracing writes strings, so where one ends is plain; the message is not.
        if field.name() == "message" {
            self.write(field, format_args!("{value}"))
        } else {
            self.write(field, format_args!("{value:?}"))
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.write(field, format_args!("{}", chain(value)))
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.write(field, format_args!("{value:?}"))
    }
}

/// Writes through to `W` with every control character escaped as Rust writes it in a
/// string (`\n`, `\u{1b}`); Unicode's line and paragraph separators too, which some log
/// viewers break lines at.
struct Escaping<'a, W: fmt::Write>(&'a mut W);

impl<W: fmt::Write> fmt::Write for Escaping<'_, W> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let mut clean = 0;
        for (at, c) in text.char_indices() {
            if needs_escape(c) {
                self.0.write_str(&text[clean..at])?;
                write!(self.0, "{}", c.escape_default())?;
                clean = at + c.len_utf8();
            }
        }
        self.0.write_str(&text[clean..])
    }
}

fn needs_escape(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

/// An error and its causes, `error: cause: cause`, each said once: a cause whose text the
/// error before it already includes (a message made with `{0}`, or a context that repeats
/// it) is left out.
pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut said = text.clone();
    let mut source = error.source();
    while let Some(cause) = source {
        let this = cause.to_string();
        if !said.contains(&this) {
            text.push_str(": ");
            text.push_str(&this);
        }
        said = this;
        source = cause.source();
    }
    text
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

    /// Lines written by a text or JSON layer like `init`'s, into memory.
    fn written(format: LogFormat, log: impl FnOnce()) -> String {
        #[derive(Clone, Default)]
        struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
        impl std::io::Write for Sink {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().expect("lock").extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let sink = Sink::default();
        let writer = sink.clone();
        let layer = fmt_layer()
            .with_writer(move || writer.clone())
            .with_ansi(false);
        let registry = tracing_subscriber::registry();
        match format {
            LogFormat::Text => tracing::subscriber::with_default(
                registry.with(layer.fmt_fields(EscapedFields)),
                log,
            ),
            LogFormat::Json => tracing::subscriber::with_default(registry.with(layer.json()), log),
        }
        let bytes = sink.0.lock().expect("lock").clone();
        String::from_utf8(bytes).expect("utf-8")
    }

    const FORGED: &str = "x\n2026-12-07T10:00:00Z  INFO forged line\u{1b}[2J\r\u{9b}\u{2028}";

    #[test]
    fn text_logs_escape_control_characters_in_every_value() {
        let error = std::io::Error::other(FORGED);
        let logs = written(LogFormat::Text, || {
            let span = tracing::info_span!("interaction", command = %FORGED, name = FORGED);
            let _inside = span.enter();
            tracing::warn!(error = %FORGED, debug = ?FORGED, "asked {FORGED}");
            tracing::error!(
                error = &error as &(dyn std::error::Error + 'static),
                "failed"
            );
        });
        assert_eq!(logs.lines().count(), 2, "{logs}");
        assert!(!logs.contains('\u{1b}') && !logs.contains('\r'), "{logs}");
        let escaped = r"x\n2026-12-07T10:00:00Z  INFO forged line\u{1b}[2J\r\u{9b}\u{2028}";
        let warning = logs.lines().next().unwrap_or_default();
        for part in [
            format!("command={escaped}"),
            format!("name=\"{}\"", FORGED.escape_debug()),
            format!("asked {escaped} error={escaped}"),
            format!("debug=\"{}\"", FORGED.escape_debug()),
        ] {
            assert!(warning.contains(&part), "{part} in {warning}");
        }
        assert!(logs.contains(&format!("failed error={escaped}")), "{logs}");
    }

    #[test]
    fn json_logs_keep_values_as_they_are() {
        let logs = written(LogFormat::Json, || {
            tracing::warn!(error = %FORGED, "asked {FORGED}");
        });
        assert_eq!(logs.lines().count(), 1, "{logs}");
        let line: serde_json::Value = serde_json::from_str(&logs).expect("JSON");
        assert_eq!(line["fields"]["error"], FORGED);
        assert_eq!(line["fields"]["message"], format!("asked {FORGED}"));
    }

    #[test]
    fn a_cause_is_said_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("cannot serve: {0}")]
        struct Repeats(#[source] std::io::Error);
        #[derive(Debug, thiserror::Error)]
        #[error("cannot serve")]
        struct Names(#[source] std::io::Error);
        let cause = || std::io::Error::other("address in use");
        assert_eq!(chain(&Repeats(cause())), "cannot serve: address in use");
        assert_eq!(chain(&Names(cause())), "cannot serve: address in use");
        let context = anyhow::Error::new(Repeats(cause())).context("on 127.0.0.1:8080");
        assert_eq!(
            chain(context.as_ref()),
            "on 127.0.0.1:8080: cannot serve: address in use"
        );
    }
}
