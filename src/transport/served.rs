//! The one line per interaction, and its count in the metrics, the same whichever transport it
//! came by: written in the interaction's span (its id, kind, command or button, and server,
//! which a DM has none of), with what became of it, where it came from and how long it took.

use std::time::Duration;

use tracing::info;

use super::interaction::{Interaction, Kind};
use crate::metrics::Metrics;

/// What became of an interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Its answer: a reply, choices, a PONG, or a notice (a refusal worded for the member).
    Answered,
    /// "briefbot is thinking…", edited with the outcome once a slow role change is done.
    Deferred,
    /// "Something went wrong": a bug, an interaction that could not be read, or, over the
    /// gateway, a reply Discord refused.
    Apology,
    /// Over the gateway, nothing reached Discord: it did not take the answer in time, or
    /// refused the answer and the apology.
    Unanswered,
}

impl Outcome {
    /// One word for the logs and the metrics (one of `metrics::OUTCOMES`).
    pub(crate) fn label(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Deferred => "deferred",
            Outcome::Apology => "apology",
            Outcome::Unanswered => "unanswered",
        }
    }
}

/// Logs `interaction`'s line at info and counts it: `outcome`, whether it came from a server
/// or a DM (or from neither: Discord's PING, an interaction that could not be read), and
/// `elapsed` in microseconds. Called inside the interaction's span.
pub(crate) fn served(
    metrics: &Metrics,
    interaction: &Interaction,
    outcome: Outcome,
    elapsed: Duration,
) {
    let ping = matches!(interaction.kind, Kind::Ping);
    let origin = match (interaction.guild, interaction.user) {
        (Some(_), _) => "server",
        (None, Some(_)) if !ping => "dm",
        (None, _) => "none",
    };
    info!(
        outcome = %outcome.label(),
        origin = %origin,
        elapsed_us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        "interaction handled"
    );
    metrics.interaction(interaction.kind.label(), outcome.label(), elapsed);
}
