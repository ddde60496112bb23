//! Requests `POST /interactions` refuses before reading them (bad or missing signatures,
//! stale timestamps, oversized bodies): counted, in the metrics and for one summary line at
//! most once a minute, never a line each. Discord itself sends badly signed requests to check
//! the endpoint, so a summary is information, unless the refusals dominate: at least
//! `DOMINATING_AT_LEAST` of them in the minute and more than the interactions answered, which
//! is what a wrong public key (every genuine request refused) or a flood looks like.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::library::plural;
use crate::metrics::Metrics;

/// How often the refusals are summarised, at most.
pub(crate) const SUMMARY_EVERY: Duration = Duration::from_secs(60);

/// Fewer refusals than this in a minute are information, however few interactions were
/// answered: Discord's own checks of the endpoint are a few badly signed requests.
pub(crate) const DOMINATING_AT_LEAST: u64 = 10;

/// Why a request was refused before it was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    /// A signature that does not sign the request with the application's key.
    BadSignature,
    /// No signature or timestamp header, or a timestamp that is not a number.
    Unsigned,
    /// Signed more than 5 minutes ago (a replay) or more than a minute ahead.
    StaleTimestamp,
    /// A body over 64 KiB.
    Oversized,
}

const REASONS: [Reason; 4] = [
    Reason::BadSignature,
    Reason::StaleTimestamp,
    Reason::Oversized,
    Reason::Unsigned,
];

impl Reason {
    /// The metrics' label (one of `metrics::REFUSALS`).
    fn label(self) -> &'static str {
        match self {
            Reason::BadSignature => "bad_signature",
            Reason::Unsigned => "unsigned",
            Reason::StaleTimestamp => "stale_timestamp",
            Reason::Oversized => "oversized",
        }
    }

    /// `count` of them, in words: `990 bad signatures`.
    fn counted(self, count: u64) -> String {
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        match self {
            Reason::BadSignature => plural(count, "bad signature"),
            Reason::Unsigned => format!("{count} unsigned"),
            Reason::StaleTimestamp => plural(count, "stale timestamp"),
            Reason::Oversized if count == 1 => "1 oversized body".to_string(),
            Reason::Oversized => format!("{count} oversized bodies"),
        }
    }

    fn index(self) -> usize {
        match self {
            Reason::BadSignature => 0,
            Reason::StaleTimestamp => 1,
            Reason::Oversized => 2,
            Reason::Unsigned => 3,
        }
    }
}

/// The refusals and answered interactions since the last summary.
pub(crate) struct Refusals {
    counts: [AtomicU64; 4],
    answered: AtomicU64,
    metrics: Metrics,
}

/// One summary: the counts it tells of, taken out of the running counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Summary {
    counts: [u64; 4],
    answered: u64,
}

impl Refusals {
    pub(crate) fn new(metrics: Metrics) -> Refusals {
        Refusals {
            counts: Default::default(),
            answered: AtomicU64::new(0),
            metrics,
        }
    }

    /// A request refused for `reason`.
    pub(crate) fn refused(&self, reason: Reason) {
        self.counts[reason.index()].fetch_add(1, Ordering::Relaxed);
        self.metrics.refused(reason.label());
    }

    /// An interaction answered: what the refusals are weighed against.
    pub(crate) fn answered(&self) {
        self.answered.fetch_add(1, Ordering::Relaxed);
    }

    /// The counts since the last summary, starting the next; none when nothing was refused.
    pub(crate) fn take(&self) -> Option<Summary> {
        let counts = self
            .counts
            .each_ref()
            .map(|count| count.swap(0, Ordering::Relaxed));
        let answered = self.answered.swap(0, Ordering::Relaxed);
        (counts.iter().sum::<u64>() > 0).then_some(Summary { counts, answered })
    }

    /// Logs a summary once a minute while requests are refused, and the last one when `stop`
    /// is cancelled.
    pub(crate) async fn summarise_every_minute(&self, stop: CancellationToken) {
        let mut every = tokio::time::interval(SUMMARY_EVERY);
        every.tick().await;
        loop {
            tokio::select! {
                _ = every.tick() => {}
                () = stop.cancelled() => {
                    self.take().inspect(Summary::log);
                    return;
                }
            }
            self.take().inspect(Summary::log);
        }
    }
}

impl Summary {
    fn refused(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Whether the refusals dominate: at least `DOMINATING_AT_LEAST`, and more than the
    /// interactions answered.
    pub(crate) fn dominates(&self) -> bool {
        let refused = self.refused();
        refused >= DOMINATING_AT_LEAST && refused > self.answered
    }

    /// `refused 1000 requests in the last minute: 990 bad signatures, 10 stale timestamps`.
    pub(crate) fn words(&self) -> String {
        let reasons: Vec<String> = REASONS
            .iter()
            .filter(|reason| self.counts[reason.index()] > 0)
            .map(|reason| reason.counted(self.counts[reason.index()]))
            .collect();
        let refused = usize::try_from(self.refused()).unwrap_or(usize::MAX);
        format!(
            "refused {} in the last minute: {}",
            plural(refused, "request"),
            reasons.join(", ")
        )
    }

    /// One line: information, or a warning when the refusals dominate.
    fn log(&self) {
        let count = |reason: Reason| self.counts[reason.index()];
        let words = self.words();
        if self.dominates() {
            warn!(
                refused = self.refused(),
                answered = self.answered,
                bad_signature = count(Reason::BadSignature),
                stale_timestamp = count(Reason::StaleTimestamp),
                oversized = count(Reason::Oversized),
                unsigned = count(Reason::Unsigned),
                "{words}; more than the {} answered: a flood, or a public key that is not the application's ([discord] public_key, DISCORD_PUBLIC_KEY)",
                plural(
                    usize::try_from(self.answered).unwrap_or(usize::MAX),
                    "interaction"
                ),
            );
        } else {
            info!(
                refused = self.refused(),
                answered = self.answered,
                bad_signature = count(Reason::BadSignature),
                stale_timestamp = count(Reason::StaleTimestamp),
                oversized = count(Reason::Oversized),
                unsigned = count(Reason::Unsigned),
                "{words}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusals(of: &[(Reason, u64)], answered: u64) -> Refusals {
        let refusals = Refusals::new(Metrics::new());
        for (reason, count) in of {
            (0..*count).for_each(|_| refusals.refused(*reason));
        }
        (0..answered).for_each(|_| refusals.answered());
        refusals
    }

    #[test]
    fn a_summary_says_how_many_of_each_and_starts_the_next_minute() {
        let refusals = refusals(
            &[
                (Reason::BadSignature, 990),
                (Reason::StaleTimestamp, 5),
                (Reason::Oversized, 3),
                (Reason::Unsigned, 2),
            ],
            20,
        );
        let summary = refusals.take().expect("a summary");
        assert_eq!(
            summary.words(),
            "refused 1000 requests in the last minute: 990 bad signatures, 5 stale timestamps, 3 oversized bodies, 2 unsigned"
        );
        assert!(summary.dominates());
        assert_eq!(refusals.take(), None, "counted again from zero");
        let one = self::refusals(&[(Reason::Oversized, 1)], 0).take();
        assert_eq!(
            one.expect("a summary").words(),
            "refused 1 request in the last minute: 1 oversized body"
        );
    }

    #[test]
    fn refusals_dominate_when_many_and_more_than_the_answers() {
        let dominates = |refused: u64, answered: u64| {
            refusals(&[(Reason::BadSignature, refused)], answered)
                .take()
                .expect("a summary")
                .dominates()
        };
        // Discord's checks of the endpoint: a few, whatever else came.
        assert!(!dominates(2, 0));
        assert!(!dominates(DOMINATING_AT_LEAST - 1, 0));
        assert!(dominates(DOMINATING_AT_LEAST, 0));
        assert!(dominates(50, 49));
        assert!(!dominates(50, 50));
        assert!(!dominates(1000, 5000));
    }
}
