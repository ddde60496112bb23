//! Drafts and embargoes as a brief writes them: `draft = true` and `publish_at = …` read into
//! the `Hold` that keeps a valid brief from being served (yet); the `Hold` itself is in
//! `model`. The moment is always the caller's: nothing here or there reads the clock.

use toml::de::DeValue;

use super::fields::{FileCx, Table, type_error_with_help};
use super::model::{Hold, Moment, moment};

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
                    Some(format!(
                        "add its offset: `publish_at = {dt}Z` if the time is UTC, or `publish_at = {dt}+01:00` for Paris in winter"
                    )),
                );
                None
            }
            (Some(_), None, _) => {
                cx.error_with_help(
                    span,
                    format!("`publish_at` must be a date and a time, found only the date `{dt}`"),
                    Some(format!(
                        "add the time and its offset from UTC, such as `publish_at = {dt}T09:00:00Z` for 9:00 UTC"
                    )),
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
                Some(match s.trim().parse::<toml::value::Datetime>() {
                    Ok(dt) if dt.date.is_some() && dt.time.is_some() && dt.offset.is_some() => {
                        format!("write it without quotes: `publish_at = {dt}`")
                    }
                    _ => format!("write it without quotes: `publish_at = {PUBLISH_AT_EXAMPLE}`"),
                }),
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
