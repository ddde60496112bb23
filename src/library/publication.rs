//! Drafts and embargoes: whether a valid brief may be served yet (`draft = true`,
//! `publish_at = …`). The moment is always the caller's: nothing here reads the clock.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use toml::de::DeValue;
use toml::value::Datetime;

use super::fields::{FileCx, Table, type_error_with_help};
use super::model::{Date, Round};

/// A moment a brief names, such as `publish_at = 2026-01-07T09:00:00Z`: always with an offset
/// from UTC, so it means the same instant wherever the bot runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    at: SystemTime,
    /// As the brief writes it, for editors to recognise.
    written: String,
}

impl Moment {
    /// The instant itself.
    pub fn at(&self) -> SystemTime {
        self.at
    }
}

/// As the brief writes it: `2026-01-07T09:00:00Z`.
impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}

/// Why a valid brief is not served (yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hold {
    /// `draft = true`: validated and previewed, never served.
    Draft,
    /// `publish_at`: served from that moment on.
    Until(Moment),
}

impl Hold {
    /// Whether a brief with this hold is still kept back at `now`.
    pub fn holds_at(&self, now: SystemTime) -> bool {
        match self {
            Hold::Draft => true,
            Hold::Until(moment) => now < moment.at,
        }
    }
}

/// A valid round that is not served: only the preview and `check` see it, through
/// `Library::held`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub round: Arc<Round>,
    pub why: Hold,
}

/// What to write, for the errors about `publish_at`.
const PUBLISH_AT_EXAMPLE: &str = "2026-01-07T09:00:00Z";

/// Reads `draft` and `publish_at`; `None` when neither keeps the brief back. A draft stays a
/// draft whatever its `publish_at` says: the editor has not released it.
pub(crate) fn read_hold(cx: &mut FileCx, t: &mut Table) -> Option<Hold> {
    let draft = read_draft(cx, t);
    let embargo = read_publish_at(cx, t);
    if draft {
        Some(Hold::Draft)
    } else {
        embargo.map(Hold::Until)
    }
}

fn read_draft(cx: &mut FileCx, t: &mut Table) -> bool {
    let Some(value) = t.get("draft") else {
        return false;
    };
    match value.get_ref() {
        DeValue::Boolean(draft) => *draft,
        other => {
            let help = "write `draft = true` (no quotes) to keep the brief out of the bot, or remove the line to publish it";
            type_error_with_help(
                cx,
                "draft",
                value.span(),
                "true or false",
                other,
                Some(help.to_string()),
            );
            false
        }
    }
}

fn read_publish_at(cx: &mut FileCx, t: &mut Table) -> Option<Moment> {
    let value = t.get("publish_at")?;
    let span = value.span();
    let whole =
        format!("write the date, the time and the offset: `publish_at = {PUBLISH_AT_EXAMPLE}`");
    match value.get_ref() {
        DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(_), Some(_), Some(_)) => {
                let moment = moment(dt);
                if moment.is_none() {
                    // TOML years (0 to 9999) fit every system briefbot runs on; should one not, the
                    // brief must not be published at once by mistake.
                    cx.error_with_help(
                        span,
                        format!("`publish_at` `{dt}` is a moment this system cannot count to"),
                        Some(whole),
                    );
                }
                moment
            }
            (Some(_), Some(_), None) => {
                cx.error_with_help(
                    span,
                    format!(
                        "`publish_at` must say its offset from UTC, found the local time `{dt}`"
                    ),
                    Some(format!("add Z for UTC, e.g. {PUBLISH_AT_EXAMPLE}")),
                );
                None
            }
            (Some(_), None, _) => {
                cx.error_with_help(
                    span,
                    format!("`publish_at` must be a date and a time, found only the date `{dt}`"),
                    Some(whole),
                );
                None
            }
            _ => {
                cx.error_with_help(
                    span,
                    format!("`publish_at` must be a date and a time, found only the time `{dt}`"),
                    Some(whole),
                );
                None
            }
        },
        DeValue::String(s) => {
            cx.error_with_help(
                span,
                format!(
                    "`publish_at` must be a TOML date-time such as {PUBLISH_AT_EXAMPLE}, found the string \"{s}\""
                ),
                Some(format!("write it without quotes: `publish_at = {PUBLISH_AT_EXAMPLE}`")),
            );
            None
        }
        other => {
            let expected = format!("a date and time such as {PUBLISH_AT_EXAMPLE}");
            type_error_with_help(cx, "publish_at", span, &expected, other, Some(whole));
            None
        }
    }
}

/// The instant a TOML offset date-time names; `None` when it lacks a part.
fn moment(dt: &Datetime) -> Option<Moment> {
    let (date, time, offset) = (dt.date?, dt.time?, dt.offset?);
    let offset_minutes = match offset {
        toml::value::Offset::Z => 0,
        toml::value::Offset::Custom { minutes } => i64::from(minutes),
    };
    let days = Date::from(date).days_since_epoch();
    let seconds = days * 86_400
        + i64::from(time.hour) * 3_600
        + i64::from(time.minute) * 60
        + i64::from(time.second.unwrap_or(0))
        - offset_minutes * 60;
    let nanos = Duration::from_nanos(u64::from(time.nanosecond.unwrap_or(0)));
    let whole = Duration::from_secs(seconds.unsigned_abs());
    let at = if seconds >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(whole)?
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(whole)?
    };
    Some(Moment {
        at: at.checked_add(nanos)?,
        written: dt.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Moment {
        let dt: Datetime = text.parse().expect("a TOML date-time");
        moment(&dt).expect("a whole moment")
    }

    fn unix(moment: &Moment) -> u64 {
        moment
            .at()
            .duration_since(SystemTime::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs()
    }

    #[test]
    fn a_moment_in_utc_is_the_unix_time_it_names() {
        // date -u -d 2026-01-07T09:00:00Z +%s
        assert_eq!(unix(&at("2026-01-07T09:00:00Z")), 1_767_776_400);
        assert_eq!(unix(&at("1970-01-01T00:00:00Z")), 0);
        assert_eq!(unix(&at("2000-02-29T12:00:00Z")), 951_825_600);
    }

    #[test]
    fn an_offset_names_the_same_instant_as_utc() {
        assert_eq!(
            at("2026-01-07T11:00:00+02:00").at(),
            at("2026-01-07T09:00:00Z").at()
        );
        assert_eq!(
            at("2026-01-06T23:30:00-09:30").at(),
            at("2026-01-07T09:00:00Z").at()
        );
    }

    #[test]
    fn a_moment_shows_as_written() {
        assert_eq!(
            at("2026-01-07T09:00:00Z").to_string(),
            "2026-01-07T09:00:00Z"
        );
    }

    #[test]
    fn a_draft_is_held_forever_and_an_embargo_until_its_moment() {
        let moment = at("2026-01-07T09:00:00Z");
        let before = moment.at() - Duration::from_secs(1);
        let embargo = Hold::Until(moment.clone());
        assert!(embargo.holds_at(before));
        assert!(!embargo.holds_at(moment.at()));
        assert!(Hold::Draft.holds_at(moment.at() + Duration::from_secs(1 << 30)));
    }
}
