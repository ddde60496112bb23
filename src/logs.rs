//! Logging: tracing with a `RUST_LOG` filter, as text for people or JSON lines for log
//! collectors; and the rescue of interactions serenity could not parse, which serenity only
//! reports as a log line.

use std::fmt;

use tokio::sync::mpsc;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{EnvFilter, Targets};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// What is logged without `RUST_LOG`: briefbot's own info, serenity's warnings. Serenity's
/// websocket warnings are left out because they print whole payloads, interaction tokens
/// included; the rescue below logs such failures itself, without the token.
pub const DEFAULT_FILTER: &str = "info,serenity=warn,serenity::gateway::ws=error";

/// Installs the global subscriber. Returns the receiver of interaction payloads serenity
/// failed to parse, for the gateway to answer.
pub fn init(format: LogFormat) -> mpsc::UnboundedReceiver<serde_json::Value> {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let (rescue, unparsed) = Rescue::new();
    let rescue =
        rescue.with_filter(Targets::new().with_target("serenity::gateway::ws", Level::WARN));
    let registry = tracing_subscriber::registry().with(rescue);
    // A second init (in tests) keeps the first subscriber; logging is best-effort there.
    let _ = match format {
        LogFormat::Text => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(std::io::stderr)
                    .with_filter(filter),
            )
            .try_init(),
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_writer(std::io::stderr)
                    .with_filter(filter),
            )
            .try_init(),
    };
    unparsed
}

/// Watches serenity's "Err deserializing text: …; text: {payload}" warning (serenity 0.12.5,
/// `gateway/ws.rs`) and forwards the `INTERACTION_CREATE` payloads in it, so the bot can
/// still answer them with an apology instead of leaving the user waiting.
pub struct Rescue {
    sender: mpsc::UnboundedSender<serde_json::Value>,
}

impl Rescue {
    pub fn new() -> (Rescue, mpsc::UnboundedReceiver<serde_json::Value>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        (Rescue { sender }, receiver)
    }
}

/// The interaction inside a serenity deserialisation warning, if the warning carries one.
pub fn interaction_in_warning(message: &str) -> Option<serde_json::Value> {
    let rest = message.strip_prefix("Err deserializing text: ")?;
    let payload = &rest[rest.find("; text: {")? + "; text: ".len()..];
    let event: serde_json::Value = serde_json::from_str(payload).ok()?;
    (event["t"] == "INTERACTION_CREATE").then(|| event["d"].clone())
}

impl<S: Subscriber> Layer<S> for Rescue {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut message = MessageText(String::new());
        event.record(&mut message);
        if let Some(interaction) = interaction_in_warning(&message.0) {
            let _ = self.sender.send(interaction);
        }
    }
}

struct MessageText(String);

impl Visit for MessageText {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0 = value.to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unparsable_interaction_is_found_in_serenity_s_warning() {
        let warning = r#"Err deserializing text: Error("missing field `flags`", line: 1, column: 9); text: {"op":0,"s":3,"t":"INTERACTION_CREATE","d":{"id":"1","token":"t","type":2}}"#;
        let interaction = interaction_in_warning(warning).expect("an interaction");
        assert_eq!(interaction["id"], "1");
        assert!(
            interaction_in_warning(
                "Err deserializing text: x; text: {\"op\":0,\"t\":\"GUILD_CREATE\",\"d\":{}}"
            )
            .is_none()
        );
        assert!(interaction_in_warning("something else").is_none());
    }

    #[test]
    fn the_rescue_layer_forwards_the_payload() {
        let (rescue, mut unparsed) = Rescue::new();
        let subscriber = tracing_subscriber::registry().with(rescue);
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(
                "Err deserializing text: {}; text: {}",
                "Error(\"missing field\")",
                r#"{"op":0,"t":"INTERACTION_CREATE","d":{"id":"7","token":"t","type":4}}"#
            );
        });
        let forwarded = unparsed.try_recv().expect("forwarded");
        assert_eq!(forwarded["id"], "7");
    }
}
