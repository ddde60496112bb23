//! What `GET /healthz` answers, on `serve`'s endpoint and on the metrics listener alike: 200
//! while a library is served (a last good one too), saying how many rounds, when the folder
//! is broken (when the served load was made, and how many mistakes the folder has had since),
//! and, with `[announce]`, whether this instance announces. The same look at the reloader and
//! the announcer's role keeps the metrics of what is served current before each scrape.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::library::plural;
use crate::live::Reloader;
use crate::live::announce::AnnouncerRole;
use crate::metrics::Metrics;

/// What `/healthz` looks at.
#[derive(Clone)]
pub struct Health {
    reloader: Arc<Reloader>,
    announcer: AnnouncerRole,
    /// Whether `[announce]` is configured: then the answer says who announces, also when it
    /// is not this instance at all (a gateway process without shard 0).
    announces: bool,
}

impl Health {
    /// The health of what `reloader` serves, without `[announce]`.
    pub fn new(reloader: Arc<Reloader>) -> Health {
        Health {
            reloader,
            announcer: AnnouncerRole::default(),
            announces: false,
        }
    }

    /// The same, with `[announce]` configured and this instance playing `role` in it.
    pub(crate) fn with_announcer(mut self, role: AnnouncerRole) -> Health {
        self.announcer = role;
        self.announces = true;
        self
    }

    /// The answer's body: `ok: 2 rounds`, then a line when the folder is broken, then the
    /// announcer's line with `[announce]`.
    pub(crate) fn answer(&self) -> String {
        let status = self.reloader.status();
        let mut body = format!("ok: {}\n", plural(status.serving.round_count(), "round"));
        if let Some(failure) = &status.failure {
            body.push_str(&format!(
                "briefs folder broken: serving the load of {}; {} since\n",
                utc(status.loaded_at),
                plural(failure.errors, "mistake")
            ));
        }
        if self.announces {
            let role = match self.announcer.get() {
                Some(role) => role.name(),
                None => "none (the process with shard 0 announces)",
            };
            body.push_str(&format!("announcer: {role}\n"));
        }
        body
    }

    /// The process's metrics.
    pub(crate) fn metrics(&self) -> &Metrics {
        self.reloader.metrics()
    }

    /// Brings the metrics of what is served, and of the announcer's role, up to date.
    pub(crate) fn observe(&self) {
        let status = self.reloader.status();
        let metrics = self.reloader.metrics();
        let library = &status.serving;
        let mistakes = status.failure.as_ref().map_or(0, |f| f.errors);
        metrics.serving(
            library.round_count(),
            library.tracks().len(),
            status.loaded_at,
            mistakes,
        );
        metrics.announcer(self.announcer.get().map_or("none", |role| role.name()));
    }
}

/// `at` in UTC as `2026-05-01 09:13:04 UTC`.
pub(crate) fn utc(at: SystemTime) -> String {
    let seconds = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, time) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        time / 3600,
        time % 3600 / 60,
        time % 60
    )
}

/// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_are_written_in_utc() {
        let at = |seconds: u64| utc(UNIX_EPOCH + Duration::from_secs(seconds));
        assert_eq!(at(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(at(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(at(1_777_626_784), "2026-05-01 09:13:04 UTC");
        assert_eq!(at(4_107_542_399), "2100-02-28 23:59:59 UTC");
    }
}
