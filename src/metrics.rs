//! The process's metrics, for Prometheus: one registry per process, made with the reloader
//! and reached through it by whatever counts (the transports, the reloader itself, the
//! announcer, the REST client), written out by the metrics listener (`[metrics] listen`).
//! Counting is an atomic add, so it goes on whether or not the listener is on; nothing is
//! global, so tests that run many briefbots in one process keep their counts apart.
//!
//! Labels are bounded: each takes its values from one of the short lists below (kinds,
//! outcomes, modes, reasons), never a channel, a server, a member or a command's text. Every
//! series of those lists is there from the start, at zero, so a scrape shows what can move.
//!
//! The lowest layer, beside `limits` and `logs`: it uses nothing of briefbot's; the others
//! call it.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prometheus_client::encoding::{prometheus_text, text};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The kinds of interaction (`transport::Kind::label`).
pub const KINDS: &[&str] = &[
    "ping",
    "command",
    "autocomplete",
    "button",
    "menu",
    "malformed",
    "unreadable",
    "other",
];

/// What became of an interaction: `answered` (a reply, choices or a PONG), `deferred`
/// ("thinking…", edited once a slow role change is done), `apology` ("Something went wrong":
/// a bug, an unreadable interaction, or a reply Discord refused), `unanswered` (over the
/// gateway, nothing reached Discord).
pub const OUTCOMES: &[&str] = &["answered", "deferred", "apology", "unanswered"];

/// Why `POST /interactions` refused a request before reading it.
pub const REFUSALS: &[&str] = &["bad_signature", "unsigned", "stale_timestamp", "oversized"];

/// How a reload of the briefs folder ended.
pub const RELOADS: &[&str] = &["loaded", "failed"];

/// How a channel announces, as configured.
pub const MODES: &[&str] = &["message", "thread", "forum"];

/// What became of an attempt to announce a round in a channel.
pub const ANNOUNCEMENTS: &[&str] = &["posted", "failed", "dropped"];

/// What became of an edit of an announcement.
pub const EDITS: &[&str] = &["edited", "gone", "refused", "failed"];

/// The part this instance plays in announcing: `none` without `[announce]` (or in a gateway
/// process without shard 0 and without a database).
pub const ROLES: &[&str] = &["active", "standby", "none"];

/// What a request to Discord's REST API came to (`rest::Failure`'s kinds, and `ok`).
pub const REST_OUTCOMES: &[&str] = &["ok", "refused", "rate_limited", "unreadable", "unknown"];

/// The answer times counted, in seconds: from 100 µs (an answer from the cache) to 2.5 s
/// (Discord gives up at 3 s).
const ANSWER_BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

type One = [(&'static str, &'static str); 1];
type Two = [(&'static str, &'static str); 2];

/// The metrics of one process. Cheap to clone: clones count into the same registry.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    registry: Registry,
    interactions: Family<Two, Counter>,
    answer_seconds: Family<One, Histogram>,
    refused: Family<One, Counter>,
    rounds: Gauge,
    tracks: Gauge,
    loaded_at: Gauge,
    mistakes: Gauge,
    reloads: Family<One, Counter>,
    announcements: Family<Two, Counter>,
    pending: Family<One, Gauge>,
    edits: Family<One, Counter>,
    announcer: Family<One, Gauge>,
    rate_limited: Counter,
    rest: Family<One, Counter>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Metrics")
    }
}

/// `value` if it is one of `known`; else, in a debug build, a panic (a label outside its list
/// is a bug that would grow the series without bound), and in a release build `other`.
fn bounded(value: &'static str, known: &[&'static str]) -> &'static str {
    debug_assert!(
        known.contains(&value),
        "label value {value:?} not in {known:?}"
    );
    if known.contains(&value) {
        value
    } else {
        "other"
    }
}

impl Metrics {
    /// A registry of its own, every series at zero.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("briefbot");
        let interactions = Family::<Two, Counter>::default();
        let answer_seconds = Family::<One, Histogram>::new_with_constructor(
            (|| Histogram::new(ANSWER_BUCKETS)) as fn() -> Histogram,
        );
        let inner = Inner {
            interactions,
            answer_seconds,
            refused: Family::default(),
            rounds: Gauge::default(),
            tracks: Gauge::default(),
            loaded_at: Gauge::default(),
            mistakes: Gauge::default(),
            reloads: Family::default(),
            announcements: Family::default(),
            pending: Family::default(),
            edits: Family::default(),
            announcer: Family::default(),
            rate_limited: Counter::default(),
            rest: Family::default(),
            registry: Registry::default(),
        };
        registry.register(
            "interactions",
            "Interactions handled, by kind and outcome",
            inner.interactions.clone(),
        );
        registry.register(
            "answer_seconds",
            "Time to answer an interaction, by kind: over HTTP from the request read to its answer, over the gateway until Discord took the answer",
            inner.answer_seconds.clone(),
        );
        registry.register(
            "http_refused",
            "Requests to POST /interactions refused before they were read, by reason",
            inner.refused.clone(),
        );
        registry.register("rounds", "Rounds served", inner.rounds.clone());
        registry.register("tracks", "Tracks served", inner.tracks.clone());
        registry.register(
            "briefs_loaded_timestamp_seconds",
            "When the served library was loaded from the briefs folder, in Unix time",
            inner.loaded_at.clone(),
        );
        registry.register(
            "briefs_mistakes",
            "Mistakes in the briefs folder found by the last reload, which failed, since the served load; 0 while it loads cleanly",
            inner.mistakes.clone(),
        );
        registry.register(
            "reloads",
            "Reloads of the briefs folder, by result",
            inner.reloads.clone(),
        );
        registry.register(
            "announcements",
            "Attempts to announce a round in a channel, by the channel's mode and result",
            inner.announcements.clone(),
        );
        registry.register(
            "announcements_pending",
            "Announcements not yet confirmed by Discord, by the channel's mode, as this instance's announcer last wrote them (0 while it does not announce)",
            inner.pending.clone(),
        );
        registry.register(
            "announcement_edits",
            "Edits of announcements whose round changed, by result",
            inner.edits.clone(),
        );
        registry.register(
            "announcer",
            "The part this instance plays in announcing: 1 for its role, 0 for the others",
            inner.announcer.clone(),
        );
        registry.register(
            "discord_rate_limited",
            "Answers 429 (rate limited) from Discord's REST API that briefbot saw",
            inner.rate_limited.clone(),
        );
        registry.register(
            "discord_requests",
            "Requests to Discord's REST API, by outcome",
            inner.rest.clone(),
        );
        // Each series made now, so a scrape shows it at zero (the guard is let go at once).
        for kind in KINDS {
            for outcome in OUTCOMES {
                drop(
                    inner
                        .interactions
                        .get_or_create(&[("kind", kind), ("outcome", outcome)]),
                );
            }
            drop(inner.answer_seconds.get_or_create(&[("kind", kind)]));
        }
        for reason in REFUSALS {
            drop(inner.refused.get_or_create(&[("reason", reason)]));
        }
        for result in RELOADS {
            drop(inner.reloads.get_or_create(&[("result", result)]));
        }
        for mode in MODES {
            for result in ANNOUNCEMENTS {
                drop(
                    inner
                        .announcements
                        .get_or_create(&[("mode", mode), ("result", result)]),
                );
            }
            drop(inner.pending.get_or_create(&[("mode", mode)]));
        }
        for result in EDITS {
            drop(inner.edits.get_or_create(&[("result", result)]));
        }
        for role in ROLES {
            let on = i64::from(*role == "none");
            inner.announcer.get_or_create(&[("role", role)]).set(on);
        }
        for outcome in REST_OUTCOMES {
            drop(inner.rest.get_or_create(&[("outcome", outcome)]));
        }
        Metrics(Arc::new(Inner { registry, ..inner }))
    }

    /// An interaction of `kind` (one of `KINDS`) came to `outcome` (one of `OUTCOMES`),
    /// `elapsed` after it arrived.
    pub fn interaction(&self, kind: &'static str, outcome: &'static str, elapsed: Duration) {
        let kind = bounded(kind, KINDS);
        let outcome = bounded(outcome, OUTCOMES);
        self.0
            .interactions
            .get_or_create(&[("kind", kind), ("outcome", outcome)])
            .inc();
        self.0
            .answer_seconds
            .get_or_create(&[("kind", kind)])
            .observe(elapsed.as_secs_f64());
    }

    /// A request to `POST /interactions` was refused for `reason` (one of `REFUSALS`).
    pub fn refused(&self, reason: &'static str) {
        let reason = bounded(reason, REFUSALS);
        self.0.refused.get_or_create(&[("reason", reason)]).inc();
    }

    /// What is served: `rounds` rounds in `tracks` tracks, loaded `at`, with `mistakes` in
    /// the folder since (0 when it loads cleanly).
    pub fn serving(&self, rounds: usize, tracks: usize, at: SystemTime, mistakes: usize) {
        let whole = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        self.0.rounds.set(whole(rounds));
        self.0.tracks.set(whole(tracks));
        let unix = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        self.0
            .loaded_at
            .set(i64::try_from(unix).unwrap_or(i64::MAX));
        self.0.mistakes.set(whole(mistakes));
    }

    /// A reload of the briefs folder ended with `result` (one of `RELOADS`).
    pub fn reload(&self, result: &'static str) {
        let result = bounded(result, RELOADS);
        self.0.reloads.get_or_create(&[("result", result)]).inc();
    }

    /// An attempt to announce a round in a channel of `mode` (one of `MODES`) ended with
    /// `result` (one of `ANNOUNCEMENTS`).
    pub fn announcement(&self, mode: &'static str, result: &'static str) {
        let (mode, result) = (bounded(mode, MODES), bounded(result, ANNOUNCEMENTS));
        self.0
            .announcements
            .get_or_create(&[("mode", mode), ("result", result)])
            .inc();
    }

    /// `count` announcements are pending in channels of `mode` (one of `MODES`).
    pub fn pending(&self, mode: &'static str, count: usize) {
        let mode = bounded(mode, MODES);
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        self.0.pending.get_or_create(&[("mode", mode)]).set(count);
    }

    /// No announcement is pending as far as this instance knows: it stopped announcing.
    pub fn no_pending(&self) {
        for mode in MODES {
            self.pending(mode, 0);
        }
    }

    /// An edit of an announcement ended with `result` (one of `EDITS`).
    pub fn edit(&self, result: &'static str) {
        let result = bounded(result, EDITS);
        self.0.edits.get_or_create(&[("result", result)]).inc();
    }

    /// This instance plays `role` (one of `ROLES`) in announcing.
    pub fn announcer(&self, role: &'static str) {
        let role = bounded(role, ROLES);
        for each in ROLES {
            let on = i64::from(*each == role);
            self.0.announcer.get_or_create(&[("role", each)]).set(on);
        }
    }

    /// A request to Discord's REST API came to `outcome` (one of `REST_OUTCOMES`); a 429 is
    /// counted as rate limited too.
    pub fn rest(&self, outcome: &'static str) {
        let outcome = bounded(outcome, REST_OUTCOMES);
        self.0.rest.get_or_create(&[("outcome", outcome)]).inc();
        if outcome == "rate_limited" {
            self.0.rate_limited.inc();
        }
    }

    /// Every metric in Prometheus's text format, or in OpenMetrics' when `openmetrics`; with
    /// the `Content-Type` that names it.
    pub fn encode(&self, openmetrics: bool) -> (String, &'static str) {
        let mut out = String::new();
        // Writing to a String cannot fail.
        if openmetrics {
            let _ = text::encode(&mut out, &self.0.registry);
            (
                out,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )
        } else {
            let _ = prometheus_text::encode(&mut out, &self.0.registry);
            (out, prometheus_text::CONTENT_TYPE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of the series `name{labels}` in `scrape` (labels as written, in order).
    fn value(scrape: &str, series: &str) -> f64 {
        scrape
            .lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("no {series} in:\n{scrape}"))
            .parse()
            .expect("a number")
    }

    #[test]
    fn every_series_is_there_from_the_start_at_zero() {
        let (scrape, content_type) = Metrics::new().encode(false);
        assert!(content_type.starts_with("text/plain; version=0.0.4"));
        for series in [
            r#"briefbot_interactions_total{kind="command",outcome="answered"}"#,
            r#"briefbot_interactions_total{kind="autocomplete",outcome="unanswered"}"#,
            r#"briefbot_answer_seconds_count{kind="button"}"#,
            r#"briefbot_http_refused_total{reason="bad_signature"}"#,
            r#"briefbot_reloads_total{result="failed"}"#,
            r#"briefbot_announcements_total{mode="forum",result="posted"}"#,
            r#"briefbot_announcements_pending{mode="thread"}"#,
            r#"briefbot_announcement_edits_total{result="gone"}"#,
            r#"briefbot_announcer{role="active"}"#,
            "briefbot_discord_rate_limited_total",
            r#"briefbot_discord_requests_total{outcome="ok"}"#,
            "briefbot_rounds",
        ] {
            assert_eq!(value(&scrape, series), 0.0, "{series}");
        }
        assert_eq!(value(&scrape, r#"briefbot_announcer{role="none"}"#), 1.0);
    }

    #[test]
    fn what_is_counted_shows_in_the_scrape() {
        let metrics = Metrics::new();
        let clone = metrics.clone();
        clone.interaction("command", "answered", Duration::from_micros(300));
        metrics.interaction("command", "answered", Duration::from_millis(2));
        metrics.interaction("button", "apology", Duration::from_millis(1));
        metrics.refused("bad_signature");
        metrics.serving(2, 1, UNIX_EPOCH + Duration::from_secs(1_700_000_000), 1);
        metrics.reload("failed");
        metrics.announcement("message", "posted");
        metrics.pending("thread", 3);
        metrics.edit("edited");
        metrics.announcer("standby");
        metrics.rest("ok");
        metrics.rest("rate_limited");
        let (scrape, _) = metrics.encode(false);
        let counts = [
            (
                r#"briefbot_interactions_total{kind="command",outcome="answered"}"#,
                2.0,
            ),
            (
                r#"briefbot_interactions_total{kind="button",outcome="apology"}"#,
                1.0,
            ),
            (r#"briefbot_answer_seconds_count{kind="command"}"#, 2.0),
            (
                r#"briefbot_answer_seconds_bucket{kind="command",le="0.0005"}"#,
                1.0,
            ),
            (
                r#"briefbot_answer_seconds_bucket{kind="command",le="0.0025"}"#,
                2.0,
            ),
            (
                r#"briefbot_http_refused_total{reason="bad_signature"}"#,
                1.0,
            ),
            ("briefbot_rounds", 2.0),
            ("briefbot_tracks", 1.0),
            ("briefbot_briefs_loaded_timestamp_seconds", 1_700_000_000.0),
            ("briefbot_briefs_mistakes", 1.0),
            (r#"briefbot_reloads_total{result="failed"}"#, 1.0),
            (
                r#"briefbot_announcements_total{mode="message",result="posted"}"#,
                1.0,
            ),
            (r#"briefbot_announcements_pending{mode="thread"}"#, 3.0),
            (r#"briefbot_announcement_edits_total{result="edited"}"#, 1.0),
            (r#"briefbot_announcer{role="standby"}"#, 1.0),
            (r#"briefbot_announcer{role="none"}"#, 0.0),
            ("briefbot_discord_rate_limited_total", 1.0),
            (
                r#"briefbot_discord_requests_total{outcome="rate_limited"}"#,
                1.0,
            ),
            (r#"briefbot_discord_requests_total{outcome="ok"}"#, 1.0),
        ];
        for (series, expected) in counts {
            assert_eq!(value(&scrape, series), expected, "{series}");
        }
        // Another registry counts on its own.
        let (other, _) = Metrics::new().encode(false);
        assert_eq!(value(&other, "briefbot_discord_rate_limited_total"), 0.0);
    }

    #[test]
    fn openmetrics_is_written_when_asked_for() {
        let (scrape, content_type) = Metrics::new().encode(true);
        assert!(content_type.starts_with("application/openmetrics-text"));
        assert!(scrape.ends_with("# EOF\n"), "{scrape}");
    }
}
